"""One audit run over many files: load, audit each journey, decide the exit code.

Kept apart from the command line so that the CLI only parses arguments and
writes output, and so that tests and other tools can run audits directly.

A run holds one result per journey, in file order. What that result is,
the caller says with ``keep``: by default the :class:`JourneyAudit` itself
(journey, analysis and findings), or what an output format keeps of it, such
as the JSON text of the journey (:mod:`cx_audit.renderers`). ``keep`` runs
right after each journey's audit, in the worker process that audited it, so
that workers send back only what the format needs: text travels between
processes far faster than objects, and a run over many files holds text
instead of every journey's model.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from itertools import repeat
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar, overload

from cx_audit.audit.collection import unique_journeys
from cx_audit.audit.collector import collect_young, collected_per_item, start_worker
from cx_audit.audit.config import Config
from cx_audit.audit.engine import JourneyAudit, audit_journey, unsolvable
from cx_audit.core.errors import JourneyError, LoopTooEntangled, Problem
from cx_audit.core.findings import Finding, Severity
from cx_audit.core.model import Location
from cx_audit.io.files import expand_paths
from cx_audit.io.loader import load_journey

__all__ = [
    "FILES_PER_WORKER",
    "PARALLEL_FROM",
    "AuditRun",
    "JourneyResult",
    "audit_file",
    "keep_analysed",
    "keep_audit",
    "run_audit",
]


class JourneyResult(Protocol):
    """What a run keeps of each journey: at least its id, place and finding counts."""

    @property
    def id(self) -> str:
        """The journey's id."""

    @property
    def location(self) -> Location:
        """Where the journey is named (to report a second journey with the same id)."""

    def severity_counts(self) -> dict[Severity, int]:
        """Its findings per severity, for the summary and the exit code."""


R = TypeVar("R", bound=JourneyResult)
S = TypeVar("S", bound=JourneyResult)


def keep_audit(audit: JourneyAudit) -> JourneyAudit:
    """Keep the whole audit (the default of :func:`run_audit`); nothing more is solved."""
    return audit


def keep_analysed(audit: JourneyAudit) -> JourneyAudit:
    """Keep the whole audit with its metrics and per-step figures solved.

    For formats that show the figures: solving them while the file is
    audited turns a journey that cannot be solved
    (:class:`~cx_audit.core.errors.LoopTooEntangled`) into a problem located
    in its file, like any other bad input, instead of a failure while the
    report is written.
    """
    audit.analysis.steps  # noqa: B018  (reading them solves them)
    audit.analysis.metrics  # noqa: B018
    return audit


@dataclass
class AuditRun(Generic[R]):
    """Everything one ``cx-audit audit`` saw and found: a result per journey, and the problems."""

    results: list[R] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    config: Config = field(default_factory=Config)

    @property
    def journey_count(self) -> int:
        """How many journeys were audited."""
        return len(self.results)

    def counts(self) -> dict[str, int]:
        """Findings per severity: error, warning, info (all keys present)."""
        counted: Counter[Severity] = Counter()
        for result in self.results:
            counted.update(result.severity_counts())
        return {s.value: counted.get(s, 0) for s in
                (Severity.ERROR, Severity.WARNING, Severity.INFO)}

    def failing(self, threshold: Severity) -> int:
        """How many findings are at or above ``threshold``."""
        counts = self.counts()
        return sum(n for value, n in counts.items() if Severity(value).rank >= threshold.rank)

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

    def map(self, function: Callable[[R], S]) -> AuditRun[S]:
        """The same run with ``function`` applied to each journey's result."""
        return AuditRun(results=[function(r) for r in self.results], problems=self.problems,
                        files=self.files, missing=self.missing, config=self.config)

    @property
    def audits(self: AuditRun[JourneyAudit]) -> list[JourneyAudit]:
        """The journeys' audits, in file order (a run that kept the audits)."""
        return self.results

    @property
    def findings(self: AuditRun[JourneyAudit]) -> list[Finding]:
        """Every finding of every journey, in report order (a run that kept the audits)."""
        return [f for audit in self.results for f in audit.findings]


PARALLEL_FROM = 64
"""Fewer files than this are audited in this process: starting workers costs more."""

FILES_PER_WORKER = 32
"""Each worker process gets at least this many files (a worker costs about as much to start)."""


@overload
def run_audit(paths: Iterable[str | os.PathLike[str]], config: Config, *,
              progress: Callable[[int, int], None] | None = None, jobs: int = 1,
              baseline: Counter[str] | None = None) -> AuditRun[JourneyAudit]: ...


@overload
def run_audit(paths: Iterable[str | os.PathLike[str]], config: Config,
              keep: Callable[[JourneyAudit], R], *,
              progress: Callable[[int, int], None] | None = None, jobs: int = 1,
              baseline: Counter[str] | None = None) -> AuditRun[R]: ...


def run_audit(paths: Iterable[str | os.PathLike[str]], config: Config,
              keep: Callable[[JourneyAudit], Any] = keep_audit, *,
              progress: Callable[[int, int], None] | None = None, jobs: int = 1,
              baseline: Counter[str] | None = None) -> AuditRun[Any]:
    """Load and audit every journey named by ``paths``, keeping ``keep(audit)`` of each.

    ``progress(done, total)`` is called after each file, for a progress bar.
    ``jobs`` worker processes share the files when there are many (``0``:
    one per usable core; each worker gets at least ``FILES_PER_WORKER``
    files); the result is the same as with one job, in the same order.
    With workers, ``keep`` must be a module-level function and its results
    picklable. ``baseline`` (a baseline's keys) drops the findings it records.
    """
    files, missing = expand_paths(paths)
    run: AuditRun[Any] = AuditRun(files=files, missing=missing, config=config)
    workers = min(usable_cores() if jobs <= 0 else jobs, len(files) // FILES_PER_WORKER)
    outcomes: list[tuple[Any, list[Problem]]]
    if workers > 1 and len(files) >= PARALLEL_FROM:
        outcomes = _audit_in_workers(files, config, keep, baseline, workers, progress)
    else:
        outcomes = []
        with collected_per_item() as collect:
            for done, path in enumerate(files, start=1):
                outcomes.append(audit_file(path, config, keep, baseline))
                collect()
                if progress is not None:
                    progress(done, len(files))
    for _, problems in outcomes:
        run.problems.extend(problems)
    kept, duplicates = unique_journeys(result for result, _ in outcomes if result is not None)
    run.problems.extend(duplicates)
    run.results.extend(kept)
    return run


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system tells)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every system
        return os.cpu_count() or 1


def without_known(audit: JourneyAudit, known: Counter[str]) -> JourneyAudit:
    """``audit`` without the findings a baseline records."""
    from cx_audit.audit.baseline import filter_new

    return replace(audit, findings=tuple(filter_new(audit.findings, known)))


def audit_file(path: Path, config: Config, keep: Callable[[JourneyAudit], R],
               baseline: Counter[str] | None = None) -> tuple[R | None, list[Problem]]:
    """Load, audit and keep one file: the unit of work, in this process or a worker."""
    try:
        journey = load_journey(path)
    except JourneyError as exc:
        return None, list(exc.problems)
    try:
        audit = audit_journey(journey, config)
        if baseline:
            audit = without_known(audit, baseline)
        return keep(audit), []
    except LoopTooEntangled as exc:  # bounded work: an input problem, not a hang
        return None, [unsolvable(journey, exc)]


def _audit_in_workers(files: list[Path], config: Config, keep: Callable[[JourneyAudit], R],
                      baseline: Counter[str] | None, workers: int,
                      progress: Callable[[int, int], None] | None,
                      ) -> list[tuple[R | None, list[Problem]]]:
    """:func:`audit_file` over ``files`` in a process pool, results in file order."""
    from concurrent.futures import ProcessPoolExecutor  # multiprocessing: only when used

    # small chunks, so that no worker is left with a long last one while the others idle
    chunk = max(1, len(files) // (workers * 32))
    outcomes: list[tuple[R | None, list[Problem]]] = []
    with ProcessPoolExecutor(max_workers=workers, initializer=start_worker) as pool, \
            collected_per_item() as collect:
        for done, outcome in enumerate(pool.map(_audit_file_in_worker, files, repeat(config),
                                                repeat(keep), repeat(baseline),
                                                chunksize=chunk), start=1):
            outcomes.append(outcome)
            collect()
            if progress is not None:
                progress(done, len(files))
    return outcomes


def _audit_file_in_worker(path: Path, config: Config, keep: Callable[[JourneyAudit], R],
                          baseline: Counter[str] | None) -> tuple[R | None, list[Problem]]:
    """:func:`audit_file`, then the garbage it left (a worker keeps nothing between files)."""
    outcome = audit_file(path, config, keep, baseline)
    collect_young()
    return outcome
