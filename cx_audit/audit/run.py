"""One audit run over many files: load, audit each journey, decide the exit code.

Kept apart from the command line so that the CLI only parses arguments and
writes output, and so that tests and other tools can run audits directly.
"""

from __future__ import annotations

import copyreg
import gc
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from itertools import repeat
from pathlib import Path
from types import MappingProxyType

from cx_audit.audit.collection import unique_journeys
from cx_audit.audit.config import Config
from cx_audit.audit.engine import JourneyAudit, audit_journey
from cx_audit.core.errors import JourneyError, LoopTooEntangled, Problem
from cx_audit.core.findings import Finding, Severity
from cx_audit.core.model import Location
from cx_audit.io.files import expand_paths
from cx_audit.io.loader import load_journey

__all__ = ["AuditRun", "PartRenderer", "RenderedAudit", "run_audit"]


def _read_only(items: dict[object, object]) -> MappingProxyType[object, object]:
    """Rebuild a read-only mapping after pickling."""
    return MappingProxyType(items)


# journeys and audits hold read-only mappings; let worker processes send them back
copyreg.pickle(MappingProxyType, lambda proxy: (_read_only, (dict(proxy),)))


@dataclass(frozen=True, slots=True)
class RenderedAudit:
    """A journey audited and rendered where it was loaded: what a run keeps of it.

    When the output format renders journey by journey (``part`` given to
    :func:`run_audit`), each journey becomes its piece of the output right
    after its audit, and only that text and the figures the run needs are
    kept: worker processes send text back far faster than objects, and a
    run over many files holds text instead of every journey's model.
    """

    id: str
    """The journey's id."""
    location: Location
    """Where the journey is named (to report a second journey with the same id)."""
    severity_counts: Mapping[str, int]
    """Its findings per severity value, for the summary and the exit code."""
    text: str
    """Its part of the output."""


@dataclass
class AuditRun:
    """Everything one ``cx-audit audit`` saw and found.

    A run holds either ``audits`` (journeys, analyses and findings as
    objects) or, when a format rendered each journey as it went,
    ``rendered`` parts in file order.
    """

    audits: list[JourneyAudit] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    config: Config = field(default_factory=Config)
    rendered: list[RenderedAudit] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        """Every finding of every audited journey, in report order (none for rendered parts)."""
        return [f for audit in self.audits for f in audit.findings]

    @property
    def journey_count(self) -> int:
        """How many journeys were audited (as objects or as rendered parts)."""
        return len(self.audits) + len(self.rendered)

    def counts(self) -> dict[str, int]:
        """Findings per severity: error, warning, info (all keys present)."""
        counted = Counter(f.severity.value for f in self.findings)
        for part in self.rendered:
            counted.update(part.severity_counts)
        return {s.value: counted.get(s.value, 0) for s in
                (Severity.ERROR, Severity.WARNING, Severity.INFO)}

    def failing(self, threshold: Severity) -> int:
        """How many findings are at or above ``threshold``."""
        counts = self.counts()
        return sum(n for value, n in counts.items() if Severity(value).rank >= threshold.rank)

    def apply_baseline(self, known: Counter[str]) -> None:
        """Keep only the findings that ``known`` (a baseline's keys) does not cover.

        Keys name their journey, so each journey is filtered on its own.
        (:func:`run_audit` can also filter as it goes, which rendered parts need.)
        """
        self.audits = [_without_known(a, known) for a in self.audits]

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

FILES_PER_WORKER = 32
"""Each worker process gets at least this many files (a worker costs about as much to start)."""

PartRenderer = Callable[[JourneyAudit], str]
"""Renders one journey's audit as its part of a report (a module-level function,
so that worker processes can be handed it)."""

_FileResult = tuple["JourneyAudit | RenderedAudit | None", list[Problem]]


def run_audit(paths: Iterable[str | os.PathLike[str]], config: Config,
              progress: Callable[[int, int], None] | None = None, jobs: int = 1,
              part: PartRenderer | None = None,
              baseline: Counter[str] | None = None) -> AuditRun:
    """Load and audit every journey named by ``paths``.

    ``progress(done, total)`` is called after each file, for a progress bar.
    ``jobs`` worker processes share the files when there are many (``0``:
    one per usable core; each worker gets at least ``FILES_PER_WORKER``
    files); the result is the same as with one job, in the same order.
    ``baseline`` (a baseline's keys) drops the findings it records. With
    ``part``, each journey is rendered right after its audit and the run
    holds :class:`RenderedAudit` parts instead of audits.
    """
    files, missing = expand_paths(paths)
    run = AuditRun(files=files, missing=missing, config=config)
    workers = min(_usable_cores() if jobs <= 0 else jobs, len(files) // FILES_PER_WORKER)
    if workers > 1 and len(files) >= PARALLEL_FROM:
        results = _audit_in_workers(files, config, part, baseline, workers, progress)
    else:
        results = []
        with _garbage_collected_per_file():
            for done, path in enumerate(files, start=1):
                results.append(_audit_file(path, config, part, baseline))
                gc.collect(1)
                if progress is not None:
                    progress(done, len(files))
    audited = [result for result, _ in results if result is not None]
    for _, problems in results:
        run.problems.extend(problems)
    kept, duplicates = unique_journeys(
        result.journey if isinstance(result, JourneyAudit) else result for result in audited)
    run.problems.extend(duplicates)
    kept_ids = {id(journey) for journey in kept}
    for result in audited:
        if isinstance(result, JourneyAudit):
            if id(result.journey) in kept_ids:
                run.audits.append(result)
        elif id(result) in kept_ids:
            run.rendered.append(result)
    return run


def _usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system tells)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every system
        return os.cpu_count() or 1


def _without_known(audit: JourneyAudit, known: Counter[str]) -> JourneyAudit:
    """``audit`` without the findings a baseline records."""
    from cx_audit.audit.baseline import filter_new

    return replace(audit, findings=tuple(filter_new(audit.findings, known)))


@contextmanager
def _garbage_collected_per_file() -> Iterator[None]:
    """Collect cyclic garbage after each file instead of when allocations pile up.

    The automatic collector rescans everything the run has kept (every
    journey and finding so far) each time the heap grows by a quarter,
    which costs about a quarter of an audit of many files. The garbage a
    file leaves (networkx graphs refer to themselves) is young, so
    collecting the two young generations after each file frees it without
    rescanning the results.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _audit_file(path: Path, config: Config, part: PartRenderer | None = None,
                baseline: Counter[str] | None = None) -> _FileResult:
    """Load, audit and maybe render one file (also the unit of work of a worker process)."""
    try:
        journey = load_journey(path)
    except JourneyError as exc:
        return None, list(exc.problems)
    try:
        audit = audit_journey(journey, config)
    except LoopTooEntangled as exc:  # bounded work: an input problem, not a hang
        where = journey.location
        return None, [Problem(where.file, where.line, where.column, str(exc))]
    if baseline:
        audit = _without_known(audit, baseline)
    if part is None:
        return audit, []
    counts = Counter(f.severity.value for f in audit.findings)
    return RenderedAudit(journey.id, journey.location, dict(counts), part(audit)), []


def _audit_in_workers(files: list[Path], config: Config, part: PartRenderer | None,
                      baseline: Counter[str] | None, workers: int,
                      progress: Callable[[int, int], None] | None) -> list[_FileResult]:
    """``_audit_file`` over ``files`` in a process pool, results in file order."""
    from concurrent.futures import ProcessPoolExecutor  # multiprocessing: only when used
    # small chunks, so that no worker is left with a long last one while the others idle
    chunk = max(1, len(files) // (workers * 32))
    results = []
    with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker) as pool, \
            _garbage_collected_per_file():
        for done, result in enumerate(pool.map(_audit_file_in_worker, files, repeat(config),
                                               repeat(part),
                                               repeat(baseline), chunksize=chunk), start=1):
            results.append(result)
            gc.collect(1)
            if progress is not None:
                progress(done, len(files))
    return results


def _start_worker() -> None:
    """A worker collects garbage after each file (see ``_garbage_collected_per_file``)."""
    gc.disable()


def _audit_file_in_worker(path: Path, config: Config, part: PartRenderer | None,
                          baseline: Counter[str] | None) -> _FileResult:
    """``_audit_file``, then the garbage it left (a worker keeps nothing between files)."""
    result = _audit_file(path, config, part, baseline)
    gc.collect(1)
    return result
