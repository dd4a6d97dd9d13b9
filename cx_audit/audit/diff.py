"""Compare two versions of the same journeys: metric changes, new and fixed findings.

Journeys are paired as ``cx-audit compare`` pairs them
(:mod:`cx_audit.audit.compare`): two files given are compared with each
other whatever their ids; in folders, by file name, then ``replaces:``,
then id. A journey *got worse* when it has a new finding
of severity error, when its best route passes more shield layers
(``shields_min`` went up, or it lost every route), or when its chance of
resolution fell by more than the tolerance. ``cx-audit diff`` exits 1 when
any journey got worse, so a pull request that adds a shield layer fails.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from cx_audit.audit.baseline import baseline_key, filter_new
from cx_audit.audit.compare import audit_all, load_at_revision, load_sides, pair_journeys
from cx_audit.audit.config import Config
from cx_audit.audit.engine import JourneyAudit
from cx_audit.core.errors import Problem
from cx_audit.core.findings import Finding, Severity
from cx_audit.core.model import Journey

__all__ = ["DEFAULT_TOLERANCE", "DiffResult", "JourneyDiff", "compare", "compare_paths",
           "diff_pair", "load_at_revision"]

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
    """The to-be journey's id (the as-is one's for a removed journey)."""
    old: JourneyAudit | None
    new: JourneyAudit | None
    added: tuple[Finding, ...]
    fixed: tuple[Finding, ...]
    reasons: tuple[str, ...]

    @property
    def worse(self) -> bool:
        """True when the journey got worse (see the module docstring)."""
        return bool(self.reasons)

    @property
    def old_journey(self) -> str | None:
        """The as-is journey's id (``None`` for a new journey); a redesign may have another."""
        return self.old.id if self.old is not None else None

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


def _matched(old: Iterable[Finding], new: Iterable[Finding], old_id: str,
             new_id: str) -> tuple[list[Finding], list[Finding]]:
    """(added, fixed): findings only in ``new``, findings only in ``old``, by baseline key.

    The key names the journey, so each side's findings are keyed under the
    other side's id before they are counted.
    """
    old_list, new_list = list(old), list(new)
    added = filter_new(new_list, Counter(baseline_key(replace(f, journey=new_id))
                                         for f in old_list))
    fixed = filter_new(old_list, Counter(baseline_key(replace(f, journey=old_id))
                                         for f in new_list))
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


def diff_pair(old: JourneyAudit | None, new: JourneyAudit | None,
              tolerance: float = DEFAULT_TOLERANCE) -> JourneyDiff:
    """One pair of :func:`~cx_audit.audit.compare.pair_journeys` compared for CI.

    Findings are matched by baseline key, with the journey's id taken as the
    same on both sides (a redesign under a new id keeps the findings it did not fix).
    """
    present = new if new is not None else old
    assert present is not None, "a pair has at least one journey"
    added, fixed = _matched(old.findings if old else (), new.findings if new else (),
                            old.id if old else present.id, present.id)
    return JourneyDiff(journey=present.id, old=old, new=new, added=tuple(added),
                       fixed=tuple(fixed), reasons=tuple(_reasons(old, new, added, tolerance)))


def compare(old: Iterable[Journey], new: Iterable[Journey], config: Config,
            tolerance: float = DEFAULT_TOLERANCE) -> DiffResult:
    """Audit both sides and compare them, paired as :func:`pair_journeys` says (by file
    name, then ``replaces:``, then id).

    A journey that cannot be solved is left out of the comparison and
    reported as an input problem of its file.
    """
    result = DiffResult()
    pairs = pair_journeys(audit_all(old, config, result.problems),
                          audit_all(new, config, result.problems))
    result.journeys = [diff_pair(before, after, tolerance) for before, after in pairs]
    return result


def compare_paths(paths: list[Path], base: str | None, config: Config,
                  tolerance: float = DEFAULT_TOLERANCE) -> tuple[DiffResult, list[str]]:
    """Compare ``OLD NEW`` (two files or folders), or ``paths`` with their version at ``base``.

    Journeys are paired as ``cx-audit compare`` pairs them
    (:func:`~cx_audit.audit.compare.load_sides`): two files given are always
    compared with each other. Returns the comparison (input problems
    included) and the paths that do not exist.
    """
    sides = load_sides(paths, base, config)
    result = DiffResult(problems=sides.problems)
    result.journeys = [diff_pair(pair.old, pair.new, tolerance) for pair in sides.pairs]
    return result, sides.missing
