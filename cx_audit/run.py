"""One audit run over many files: load, audit each journey, decide the exit code.

Kept apart from the command line so that the CLI only parses arguments and
writes output, and so that tests and other tools can run audits directly.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from cx_audit.collection import load_paths
from cx_audit.config import Config
from cx_audit.engine import JourneyAudit, audit_journey
from cx_audit.findings import Finding, Severity
from cx_audit.yamlsource import Problem

__all__ = ["AuditRun", "run_audit"]


@dataclass
class AuditRun:
    """Everything one ``cx-audit audit`` saw and found."""

    audits: list[JourneyAudit] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    config: Config = field(default_factory=Config)

    @property
    def findings(self) -> list[Finding]:
        """Every finding of every journey, in report order."""
        return [f for audit in self.audits for f in audit.findings]

    def counts(self) -> dict[str, int]:
        """Findings per severity: error, warning, info (all keys present)."""
        counted = Counter(f.severity.value for f in self.findings)
        return {s.value: counted.get(s.value, 0) for s in
                (Severity.ERROR, Severity.WARNING, Severity.INFO)}

    def failing(self, threshold: Severity) -> list[Finding]:
        """Findings at or above ``threshold``."""
        return [f for f in self.findings if f.severity.rank >= threshold.rank]

    def apply_baseline(self, known: Counter[str]) -> None:
        """Keep only the findings that ``known`` (a baseline's keys) does not cover.

        Keys name their journey, so each journey is filtered on its own.
        """
        from cx_audit.baseline import filter_new

        self.audits = [replace(a, findings=tuple(filter_new(a.findings, known)))
                       for a in self.audits]

    @property
    def input_errors(self) -> bool:
        """True when some input could not be read or was invalid."""
        return bool(self.problems or self.missing)

    def exit_code(self, fail_on: Severity | None = None, exit_zero: bool = False) -> int:
        """2 for bad input; else 1 when a finding reaches ``fail_on``; else 0."""
        if self.input_errors:
            return 2
        if exit_zero:
            return 0
        return 1 if self.failing(fail_on or self.config.fail_on) else 0


def run_audit(paths: Iterable[str | os.PathLike[str]], config: Config,
              progress: Callable[[int, int], None] | None = None) -> AuditRun:
    """Load and audit every journey named by ``paths``.

    ``progress(done, total)`` is called after each journey, for a progress bar.
    """
    loaded = load_paths(paths)
    run = AuditRun(problems=list(loaded.problems), files=loaded.files, missing=loaded.missing,
                   config=config)
    total = len(loaded.journeys)
    for done, journey in enumerate(loaded.journeys, start=1):
        run.audits.append(audit_journey(journey, config))
        if progress is not None:
            progress(done, total)
    return run
