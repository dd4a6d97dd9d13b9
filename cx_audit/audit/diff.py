"""Compare two versions of the same journeys: metric changes, new and fixed findings.

Journeys are matched by id. A journey *got worse* when it has a new finding
of severity error, when its best route passes more shield layers
(``shields_min`` went up, or it lost every route), or when its chance of
resolution fell by more than the tolerance. ``cx-audit diff`` exits 1 when
any journey got worse, so a pull request that adds a shield layer fails.
"""

from __future__ import annotations

import subprocess
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cx_audit.audit.baseline import baseline_key, filter_new
from cx_audit.audit.collection import load_paths
from cx_audit.audit.config import Config
from cx_audit.audit.engine import JourneyAudit, audit_journey, unsolvable
from cx_audit.audit.run import keep_analysed
from cx_audit.core.errors import JourneyError, LoopTooEntangled, Problem
from cx_audit.core.findings import Finding, Severity
from cx_audit.core.model import Journey
from cx_audit.io.loader import load_journey_bytes

__all__ = ["DEFAULT_TOLERANCE", "DiffResult", "JourneyDiff", "compare", "compare_paths",
           "load_at_revision"]

DEFAULT_TOLERANCE = 0.005
"""A fall in p_resolution up to half a percentage point is not a regression."""

COMPARED_METRICS = (
    "shields_min", "shields_expected", "shields_max", "p_resolution", "p_first_time",
    "p_abandon", "p_stranded", "p_trapped", "wait_expected", "retells_expected",
    "handoffs_expected", "retells_max", "paths", "steps", "transitions",
)


@dataclass(frozen=True)
class JourneyDiff:
    """One journey compared: metrics before and after, findings gained and lost."""

    journey: str
    old: JourneyAudit | None
    new: JourneyAudit | None
    added: tuple[Finding, ...]
    fixed: tuple[Finding, ...]
    reasons: tuple[str, ...]

    @property
    def worse(self) -> bool:
        """True when the journey got worse (see the module docstring)."""
        return bool(self.reasons)

    def metric_changes(self) -> list[tuple[str, object, object]]:
        """(name, old, new) for each compared metric whose value changed."""
        if self.old is None or self.new is None:
            return []
        before = self.old.analysis.metrics.to_dict()
        after = self.new.analysis.metrics.to_dict()
        return [(name, before[name], after[name]) for name in COMPARED_METRICS
                if _differs(before[name], after[name])]


def _differs(old: object, new: object) -> bool:
    """True for a real change; float noise below 1e-9 is no change."""
    if isinstance(old, float) and isinstance(new, float):
        return abs(old - new) > 1e-9 * max(1.0, abs(old), abs(new))
    return old != new


@dataclass
class DiffResult:
    """Every journey compared, and the input problems met on either side."""

    journeys: list[JourneyDiff] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def worse(self) -> bool:
        """True when some journey got worse."""
        return any(j.worse for j in self.journeys)


def _matched(old: Iterable[Finding], new: Iterable[Finding]) -> tuple[list[Finding], list[Finding]]:
    """(added, fixed): findings only in ``new``, findings only in ``old``, by baseline key."""
    old_list, new_list = list(old), list(new)
    added = filter_new(new_list, Counter(baseline_key(f) for f in old_list))
    fixed = filter_new(old_list, Counter(baseline_key(f) for f in new_list))
    return added, fixed


def _reasons(old: JourneyAudit | None, new: JourneyAudit | None, added: list[Finding],
             tolerance: float) -> list[str]:
    reasons = []
    errors = [f for f in added if f.severity is Severity.ERROR]
    if errors:
        reasons.append(f"{len(errors)} new error finding{'s' * (len(errors) != 1)}")
    if old is not None and new is not None:
        before, after = old.analysis.metrics, new.analysis.metrics
        if before.shields_min is not None and (
                after.shields_min is None or after.shields_min > before.shields_min):
            shown = "no route left" if after.shields_min is None else str(after.shields_min)
            reasons.append(f"shield layers on the best route went from {before.shields_min} to "
                           f"{shown}")
        if after.p_resolution < before.p_resolution - tolerance:
            reasons.append(f"chance of resolution fell from {before.p_resolution:.1%} to "
                           f"{after.p_resolution:.1%}")
    return reasons


def compare(old: Iterable[Journey], new: Iterable[Journey], config: Config,
            tolerance: float = DEFAULT_TOLERANCE) -> DiffResult:
    """Audit both sides and compare them journey by journey (matched by id).

    A journey that cannot be solved is left out of the comparison and
    reported as an input problem of its file.
    """
    result = DiffResult()

    def audited(journeys: Iterable[Journey]) -> dict[str, JourneyAudit]:
        found = {}
        for journey in journeys:
            try:
                found[journey.id] = keep_analysed(audit_journey(journey, config))
            except LoopTooEntangled as exc:
                result.problems.append(unsolvable(journey, exc))
        return found

    before, after = audited(old), audited(new)
    for journey_id in [*after, *(k for k in before if k not in after)]:
        old_audit, new_audit = before.get(journey_id), after.get(journey_id)
        added, fixed = _matched(old_audit.findings if old_audit else (),
                                new_audit.findings if new_audit else ())
        result.journeys.append(JourneyDiff(
            journey=journey_id, old=old_audit, new=new_audit, added=tuple(added),
            fixed=tuple(fixed), reasons=tuple(_reasons(old_audit, new_audit, added, tolerance)),
        ))
    return result


def load_at_revision(path: Path, revision: str) -> tuple[list[Journey], list[Problem]]:
    """The journeys of ``path`` (a file) as committed at git ``revision``.

    A file that did not exist at that revision gives no journeys (everything
    in it is new). Problems name the file as ``REV:path``.
    """
    folder = path.resolve().parent
    name = f"{revision}:{path}"
    try:
        top = subprocess.run(["git", "-C", str(folder), "rev-parse", "--show-toplevel"],
                             capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return [], [Problem(str(path), 1, 1, "--base needs the file to be in a git repository")]
    relative = path.resolve().relative_to(Path(top).resolve()).as_posix()
    verify = subprocess.run(["git", "-C", top, "rev-parse", "--verify", "--quiet",
                             f"{revision}^{{commit}}"], capture_output=True, text=True, check=False)
    if verify.returncode != 0:
        return [], [Problem(str(path), 1, 1, f"unknown git revision '{revision}'")]
    shown = subprocess.run(["git", "-C", top, "show", f"{revision}:{relative}"],
                           capture_output=True, check=False)
    if shown.returncode != 0:
        return [], []  # not in that revision: every journey in it is new
    try:
        return [load_journey_bytes(shown.stdout, name)], []
    except JourneyError as exc:
        return [], list(exc.problems)


def compare_paths(paths: list[Path], base: str | None, config: Config,
                  tolerance: float = DEFAULT_TOLERANCE) -> tuple[DiffResult, list[str]]:
    """Compare ``OLD NEW`` (two files or folders), or ``paths`` with their version at ``base``.

    Returns the comparison (input problems included) and the paths that do
    not exist.
    """
    problems: list[Problem] = []
    if base is not None:
        new = load_paths(paths)
        old_journeys: list[Journey] = []
        for file in new.files:
            journeys, found = load_at_revision(file, base)
            old_journeys.extend(journeys)
            problems.extend(found)
        new_journeys, missing = new.journeys, list(new.missing)
        problems.extend(new.problems)
    else:
        old, new = load_paths([paths[0]]), load_paths([paths[1]])
        old_journeys, new_journeys = old.journeys, new.journeys
        problems.extend(old.problems + new.problems)
        missing = old.missing + new.missing
    result = compare(old_journeys, new_journeys, config, tolerance)
    result.problems.extend(problems)
    return result, missing
