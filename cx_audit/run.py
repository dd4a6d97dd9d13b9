"""One audit run over many files: load, audit each journey, decide the exit code.

Kept apart from the command line so that the CLI only parses arguments and
writes output, and so that tests and other tools can run audits directly.
"""

from __future__ import annotations

import copyreg
import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from itertools import repeat
from pathlib import Path
from types import MappingProxyType

from cx_audit.analysis._sparse import LoopTooEntangled
from cx_audit.collection import unique_journeys
from cx_audit.config import Config
from cx_audit.engine import JourneyAudit, audit_journey
from cx_audit.files import expand_paths
from cx_audit.findings import Finding, Severity
from cx_audit.loader import JourneyError, load_journey
from cx_audit.yamlsource import Problem

__all__ = ["AuditRun", "run_audit"]



def _read_only(items: dict[object, object]) -> MappingProxyType[object, object]:
    """Rebuild a read-only mapping after pickling."""
    return MappingProxyType(items)


# journeys and audits hold read-only mappings; let worker processes send them back
copyreg.pickle(MappingProxyType, lambda proxy: (_read_only, (dict(proxy),)))


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


PARALLEL_FROM = 64
"""Fewer files than this are audited in this process: starting workers costs more."""


def run_audit(paths: Iterable[str | os.PathLike[str]], config: Config,
              progress: Callable[[int, int], None] | None = None, jobs: int = 1) -> AuditRun:
    """Load and audit every journey named by ``paths``.

    ``progress(done, total)`` is called after each file, for a progress bar.
    ``jobs`` worker processes share the files when there are many (``0``:
    one per core); the result is the same as with one job, in the same order.
    """
    files, missing = expand_paths(paths)
    run = AuditRun(files=files, missing=missing, config=config)
    workers = (os.cpu_count() or 1) if jobs <= 0 else jobs
    if workers > 1 and len(files) >= PARALLEL_FROM:
        results = _audit_in_workers(files, config, workers, progress)
    else:
        results = []
        for done, path in enumerate(files, start=1):
            results.append(_audit_file(path, config))
            if progress is not None:
                progress(done, len(files))
    audits = {}
    for audit, problems in results:
        run.problems.extend(problems)
        if audit is not None:
            audits[id(audit.journey)] = audit
    kept, duplicates = unique_journeys(a.journey for a, _ in results if a is not None)
    run.problems.extend(duplicates)
    run.audits = [audits[id(journey)] for journey in kept]
    return run


def _audit_file(path: Path, config: Config) -> tuple[JourneyAudit | None, list[Problem]]:
    """Load and audit one file (also the unit of work of a worker process)."""
    try:
        journey = load_journey(path)
    except JourneyError as exc:
        return None, list(exc.problems)
    try:
        return audit_journey(journey, config), []
    except LoopTooEntangled as exc:  # bounded work: an input problem, not a hang
        where = journey.location
        return None, [Problem(where.file, where.line, where.column, str(exc))]


def _audit_in_workers(files: list[Path], config: Config, workers: int,
                      progress: Callable[[int, int], None] | None
                      ) -> list[tuple[JourneyAudit | None, list[Problem]]]:
    """``_audit_file`` over ``files`` in a process pool, results in file order."""
    from concurrent.futures import ProcessPoolExecutor  # multiprocessing: only when used
    chunk = max(1, len(files) // (workers * 8))
    results = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for done, result in enumerate(pool.map(_audit_file, files, repeat(config),
                                               chunksize=chunk), start=1):
            results.append(result)
            if progress is not None:
                progress(done, len(files))
    return results
