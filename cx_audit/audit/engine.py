"""The audit engine: run the enabled rules on a journey and stamp their findings.

For each enabled rule the engine collects the rule's candidates, places
them (a step's id line, a transition's ``next`` entry, or the journey's
first entry), attaches the step's own ``evidence`` lines, stamps code, name
and the configured severity, and then
applies suppressions: a step's ``ignore`` entries, an entry step's
``ignore`` for journey-level findings, and ``per-file-ignores``. A rule
that raises becomes a CX900 finding instead of aborting the audit; an
``ignore`` that silenced nothing becomes a CX901 finding.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from cx_audit.analysis.metrics import JourneyAnalysis
from cx_audit.analysis.view import journey_view
from cx_audit.analysis.whatif import Impact
from cx_audit.audit.config import Config
from cx_audit.core.errors import LoopTooEntangled, Problem
from cx_audit.core.findings import Candidate, Evidence, Finding, Severity
from cx_audit.core.model import Journey, Location, StepKind, Suppression
from cx_audit.eventlog.observations import Observations
from cx_audit.rules import Rule, RuleContext, get

__all__ = ["JourneyAudit", "audit_journey", "unsolvable"]

RULE_FAILED = "CX900"
UNUSED_IGNORE = "CX901"


@dataclass(frozen=True, slots=True)
class JourneyAudit:
    """One journey's audit: the journey, its analysis and its findings in order.

    The analysis is computed when first read (by a rule or by a report),
    so an audit whose rules and format need no chain never solves it.
    """

    journey: Journey
    analysis: JourneyAnalysis
    findings: tuple[Finding, ...]
    options: Mapping[str, float | int] = field(default_factory=dict)
    """The configuration's rule options (the levers read theirs; empty: the defaults)."""
    suppressed: tuple[tuple[Finding, str], ...] = ()
    """Findings a step's ``ignore`` silenced, each with the reason written there.

    A report discloses them: a journey that reads clean because its file
    silences two rules must say so.
    """

    @property
    def id(self) -> str:
        """The journey's id."""
        return self.journey.id

    @property
    def location(self) -> Location:
        """Where the journey is named."""
        return self.journey.location

    def severity_counts(self) -> dict[Severity, int]:
        """How many findings there are of each severity."""
        counts: dict[Severity, int] = {}
        for finding in self.findings:
            counts[finding.severity] = counts.get(finding.severity, 0) + 1
        return counts

    def impact(self, finding: Finding) -> Impact | None:
        """The what-if of removing the finding's step (``None`` for journey findings)."""
        if finding.step is None:
            return None
        stats = self.analysis.steps.get(finding.step)
        return stats.impact if stats is not None else None


def audit_journey(journey: Journey, config: Config | None = None,
                  observed: Observations | None = None) -> JourneyAudit:
    """Run every enabled rule on ``journey`` (its analysis is left for whoever reads it).

    ``observed`` carries what an event log shows of the journey, for the
    conformance rules; without it those rules find nothing. Raises
    :class:`~cx_audit.core.errors.LoopTooEntangled` when a rule reads the
    analysis of a journey that cannot be solved.
    """
    config = config or Config()
    view = journey_view(journey)
    analysis = JourneyAnalysis(journey, view)
    context = RuleContext(journey, view, analysis, observed)
    active = config.active_rules
    if config.per_file_ignores:
        active = tuple(entry for entry in active if not config.ignored_in_file(entry[0],
                                                                             journey.file))
    enabled = {rule.code: (rule, severity) for rule, severity, _ in active}
    stamp = _Stamper(journey)
    stamped: list[Finding] = []
    for rule, severity, options in active:
        try:
            candidates = list(rule.check(context, options))
        except LoopTooEntangled:  # the journey cannot be solved: an input problem
            raise
        except Exception as exc:  # a defective rule must not abort the audit
            if RULE_FAILED in enabled:
                stamped.append(stamp(*enabled[RULE_FAILED], Candidate(
                    f"Rule {rule.code} ({rule.name}) failed: {type(exc).__name__}: {exc}")))
            continue
        stamped.extend(stamp(rule, severity, c) for c in candidates)
    kept, used, dropped = _suppress(journey, stamped)
    if UNUSED_IGNORE in enabled:
        kept.extend(_unused(journey, used, stamp, *enabled[UNUSED_IGNORE], set(enabled)))
    kept.sort(key=Finding.sort_key)
    dropped.sort(key=lambda pair: Finding.sort_key(pair[0]))
    return JourneyAudit(journey=journey, analysis=analysis, findings=tuple(kept),
                        options=config.every_option, suppressed=tuple(dropped))


def unsolvable(journey: Journey, exc: LoopTooEntangled) -> Problem:
    """A journey that cannot be solved, as an input problem located at its ``journey:`` line."""
    where = journey.location
    return Problem(where.file, where.line, where.column, str(exc))


_NO_EVIDENCE = Evidence()


class _Stamper:
    """Turns a rule's candidates into findings: place, evidence, code and severity."""

    def __init__(self, journey: Journey) -> None:
        self.journey = journey

    def __call__(self, rule: Rule, severity: Severity, candidate: Candidate) -> Finding:
        journey = self.journey
        step = journey.steps.get(candidate.step) if candidate.step else None
        if candidate.location is not None:
            location = candidate.location
        elif step is not None:
            location = step.location
        else:
            location = journey.first_entry_location
        notes = step.evidence if step is not None else ()
        metrics = candidate.metrics
        if metrics or candidate.route or candidate.loop or notes:
            evidence = Evidence(metrics=dict(metrics) if metrics else {},
                                route=tuple(candidate.route), loop=tuple(candidate.loop),
                                notes=notes)
        else:
            evidence = _NO_EVIDENCE
        return Finding(rule=rule.code, name=rule.name, severity=severity, journey=journey.id,
                       file=journey.file, step=step.id if step is not None else None,
                       location=location, message=candidate.message, evidence=evidence)


def _matches(suppression: Suppression, finding: Finding) -> bool:
    key = suppression.rule.strip()
    return key.upper() == finding.rule or key.lower() == finding.name


def _suppress(journey: Journey, findings: Iterable[Finding]
              ) -> tuple[list[Finding], set[Suppression], list[tuple[Finding, str]]]:
    """Drop the findings a step's ``ignore`` covers.

    Returns the rest, the ignores used, and each dropped finding with the
    reason of the first ignore that covers it.
    """
    if not any(step.suppressions for step in journey.steps.values()):
        return list(findings), set(), []
    entries = [s for s in journey.steps.values() if s.kind is StepKind.ENTRY]
    kept: list[Finding] = []
    used: set[Suppression] = set()
    dropped: list[tuple[Finding, str]] = []
    for finding in findings:
        owners = [journey.steps[finding.step]] if finding.step else entries
        hits = [s for step in owners for s in step.suppressions if _matches(s, finding)]
        if hits:
            used.update(hits)
            dropped.append((finding, hits[0].reason))
        else:
            kept.append(finding)
    return kept, used, dropped


def _unused(journey: Journey, used: set[Suppression], stamp: _Stamper, rule: Rule,
            severity: Severity, enabled: set[str]) -> list[Finding]:
    """CX901 findings for ignores that silenced nothing (rules switched off excepted)."""
    result = []
    for step in journey.steps.values():
        for suppression in step.suppressions:
            if suppression in used:
                continue
            try:
                target = get(suppression.rule)
            except KeyError:
                message = f"'ignore' on step '{step.id}' names no rule: '{suppression.rule}'"
            else:
                if target.code not in enabled:
                    continue
                message = (f"'ignore' of {target.code} ({target.name}) on step '{step.id}' "
                           "silences nothing")
            result.append(stamp(rule, severity,
                                Candidate(message, step=step.id, location=suppression.location)))
    return result
