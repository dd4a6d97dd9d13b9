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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import networkx as nx

from cx_audit.analysis import JourneyAnalysis, analyse
from cx_audit.config import Config
from cx_audit.findings import Candidate, Evidence, Finding, Severity
from cx_audit.graph import journey_graph
from cx_audit.model import Journey, StepKind, Suppression
from cx_audit.rules import RULES, Rule, RuleContext, get

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
    enabled = [r for r in RULES.values() if config.is_enabled(r)
               and not config.ignored_in_file(r, journey.file)]
    stamped: list[Finding] = []
    for rule in enabled:
        try:
            candidates = list(rule.check(context, config.options_for(rule)))
        except Exception as exc:  # a defective rule must not abort the audit
            failed = RULES[RULE_FAILED]
            if failed in enabled:
                stamped.append(_stamp(failed, config, journey, analysis, Candidate(
                    f"Rule {rule.code} ({rule.name}) failed: {type(exc).__name__}: {exc}")))
            continue
        stamped.extend(_stamp(rule, config, journey, analysis, c) for c in candidates)
    kept, used = _suppress(journey, stamped)
    if RULES[UNUSED_IGNORE] in enabled:
        kept.extend(_unused(journey, used, config, analysis, {r.code for r in enabled}))
    kept.sort(key=Finding.sort_key)
    return JourneyAudit(journey, analysis, tuple(kept))


def _stamp(rule: Rule, config: Config, journey: Journey, analysis: JourneyAnalysis,
           candidate: Candidate) -> Finding:
    """Turn a rule's candidate into a finding: place, evidence, impact, code and severity."""
    step = journey.steps.get(candidate.step) if candidate.step else None
    if candidate.location is not None:
        location = candidate.location
    elif step is not None:
        location = step.location
    else:
        location = journey.first_entry_location
    impact = None
    if step is not None:
        stats = analysis.steps.get(step.id)
        if stats is not None and stats.impact is not None:
            impact = stats.impact.to_dict()
    evidence = Evidence(
        metrics=dict(candidate.metrics or {}),
        route=tuple(candidate.route),
        loop=tuple(candidate.loop),
        notes=step.evidence if step is not None else (),
    )
    return Finding(
        rule=rule.code, name=rule.name, severity=config.severity_of(rule),
        journey=journey.id, file=journey.file, step=step.id if step else None,
        location=location, message=candidate.message, evidence=evidence, impact=impact,
    )


def _matches(suppression: Suppression, finding: Finding) -> bool:
    key = suppression.rule.strip()
    return key.upper() == finding.rule or key.lower() == finding.name


def _suppress(journey: Journey, findings: Iterable[Finding]) -> tuple[list[Finding], set[Suppression]]:
    """Drop the findings a step's ``ignore`` covers; return the rest and the ignores used."""
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


def _unused(journey: Journey, used: set[Suppression], config: Config,
            analysis: JourneyAnalysis, enabled: set[str]) -> list[Finding]:
    """CX901 findings for ignores that silenced nothing (rules switched off excepted)."""
    rule = RULES[UNUSED_IGNORE]
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
            result.append(_stamp(rule, config, journey, analysis,
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
