"""The audit engine: run the enabled rules on a journey and stamp their findings.

For each enabled rule the engine collects the rule's candidates, places
them (a step's id line, a transition's ``next`` entry, or the journey's
first entry), attaches the step's own ``evidence`` lines and the step's
what-if impact, stamps code, name and the configured severity, and then
applies suppressions: a step's ``ignore`` entries, an entry step's
``ignore`` for journey-level findings, and ``per-file-ignores``. A rule
that raises becomes a CX900 finding instead of aborting the audit; an
``ignore`` that silenced nothing becomes a CX901 finding.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import networkx as nx

from cx_audit.analysis import JourneyAnalysis, analyse
from cx_audit.analysis.graph import journey_graph
from cx_audit.audit.config import Config
from cx_audit.core.findings import Candidate, Evidence, Finding, Severity
from cx_audit.core.model import Journey, StepKind, Suppression
from cx_audit.rules import Rule, RuleContext, get

__all__ = ["JourneyAudit", "audit_journey", "fix_first", "worst_severity"]

RULE_FAILED = "CX900"
UNUSED_IGNORE = "CX901"


@dataclass(frozen=True)
class JourneyAudit:
    """One journey's audit: the journey, its analysis and its findings in order."""

    journey: Journey
    analysis: JourneyAnalysis
    findings: tuple[Finding, ...]


def audit_journey(journey: Journey, config: Config | None = None,
                  graph: nx.DiGraph | None = None, observed: object = None) -> JourneyAudit:
    """Analyse ``journey`` and run every enabled rule on it.

    ``observed`` carries what an event log shows of the journey, for the
    conformance rules; without it those rules find nothing.
    """
    config = config or Config()
    graph = graph if graph is not None else journey_graph(journey)
    analysis = analyse(journey, graph)
    context = RuleContext(journey, graph, analysis, observed)
    active = config.active_rules
    if config.per_file_ignores:
        active = tuple(entry for entry in active if not config.ignored_in_file(entry[0],
                                                                             journey.file))
    enabled = {rule.code: (rule, severity) for rule, severity, _ in active}
    stamp = _Stamper(journey, analysis)
    stamped: list[Finding] = []
    for rule, severity, options in active:
        try:
            candidates = list(rule.check(context, options))
        except Exception as exc:  # a defective rule must not abort the audit
            if RULE_FAILED in enabled:
                stamped.append(stamp(*enabled[RULE_FAILED], Candidate(
                    f"Rule {rule.code} ({rule.name}) failed: {type(exc).__name__}: {exc}")))
            continue
        stamped.extend(stamp(rule, severity, c) for c in candidates)
    kept, used = _suppress(journey, stamped)
    if UNUSED_IGNORE in enabled:
        kept.extend(_unused(journey, used, stamp, *enabled[UNUSED_IGNORE], set(enabled)))
    kept.sort(key=Finding.sort_key)
    return JourneyAudit(journey, analysis, tuple(kept))


_NO_METRICS: Mapping[str, object] = MappingProxyType({})
_NO_EVIDENCE = Evidence()


class _Stamper:
    """Turns a rule's candidates into findings: place, evidence, impact, code and severity.

    Holds what every finding of one journey shares (the journey, and each
    step's what-if impact, worked out once per step).
    """

    def __init__(self, journey: Journey, analysis: JourneyAnalysis) -> None:
        self.journey = journey
        self.analysis = analysis
        self.impacts: dict[str, Mapping[str, float | None] | None] = {}

    def impact_of(self, step: str) -> Mapping[str, float | None] | None:
        """The what-if impact of removing ``step`` (shared by its findings, read-only)."""
        if step not in self.impacts:
            stats = self.analysis.steps.get(step)
            impact = stats.impact if stats is not None else None
            self.impacts[step] = MappingProxyType(impact.to_dict()) if impact is not None else None
        return self.impacts[step]

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
            evidence = Evidence(MappingProxyType(dict(metrics)) if metrics else _NO_METRICS,
                                tuple(candidate.route), tuple(candidate.loop), notes)
        else:
            evidence = _NO_EVIDENCE
        if step is None:
            return Finding(rule.code, rule.name, severity, journey.id, journey.file, None,
                           location, candidate.message, evidence, None)
        return Finding(rule.code, rule.name, severity, journey.id, journey.file, step.id,
                       location, candidate.message, evidence, self.impact_of(step.id))


def _matches(suppression: Suppression, finding: Finding) -> bool:
    key = suppression.rule.strip()
    return key.upper() == finding.rule or key.lower() == finding.name


def _suppress(journey: Journey, findings: Iterable[Finding]) -> tuple[list[Finding], set[Suppression]]:
    """Drop the findings a step's ``ignore`` covers; return the rest and the ignores used."""
    if not any(step.suppressions for step in journey.steps.values()):
        return list(findings), set()
    entries = [s for s in journey.steps.values() if s.kind is StepKind.ENTRY]
    kept: list[Finding] = []
    used: set[Suppression] = set()
    for finding in findings:
        owners = [journey.steps[finding.step]] if finding.step else entries
        hits = [s for step in owners for s in step.suppressions if _matches(s, finding)]
        if hits:
            used.update(hits)
        else:
            kept.append(finding)
    return kept, used


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


def worst_severity(findings: Iterable[Finding]) -> Severity:
    """The most serious severity among ``findings`` (``off`` when there are none)."""
    return max((f.severity for f in findings), key=lambda s: s.rank, default=Severity.OFF)


def fix_first(findings: Sequence[Finding]) -> list[Finding]:
    """Step findings with a what-if impact, most valuable fix first.

    Ranked by the gain in ``p_resolution`` if the step were removed, then
    by the drop in expected shield layers, then by the drop in expected
    wait; one entry per step (its most severe finding); steps whose removal
    would improve none of the three are left out.
    """
    best: dict[tuple[str, str], Finding] = {}
    for finding in findings:
        if finding.step is None or finding.impact is None:
            continue
        key = (finding.journey, finding.step)
        current = best.get(key)
        if current is None or finding.severity.rank > current.severity.rank:
            best[key] = finding

    def gain(finding: Finding) -> tuple[float, float, float]:
        impact = finding.impact or {}
        return (
            impact.get("delta_p_resolution") or 0.0,
            -(impact.get("delta_shields_expected") or 0.0),
            -(impact.get("delta_wait_expected") or 0.0),
        )

    def helps(finding: Finding) -> bool:
        p, shields, wait = gain(finding)
        return p > _NOISE or shields > _NOISE or wait > _NOISE

    return sorted((f for f in best.values() if helps(f)), key=gain, reverse=True)


_NOISE = 1e-9
"""Changes smaller than this are rounding, not an improvement."""
