"""Where the loop rules (CX106, CX302, CX303, CX305) put their findings, and what walk they name.

The contract (spec/rules.md, "Where a finding sits" and the version 2
revisions): a finding on a loop sits on a step of that loop, and each loop
is reported once per rule. cx-audit makes the step a fixed one, the loop's
site (``cx_audit.rules.helpers.loop_entry``): the first step in file order
where customers enter the loop (an entry step, or a step with a transition
from a reached step outside it), or the loop's first step when nobody
enters it. The evidence is a closed walk from the site back to it.

The checks below recompute loops, reachability and the site with networkx,
independently of the rules, and run on every fixture of the four rules, on
the example journeys and on random journeys with random owners.
"""

from __future__ import annotations

from collections import Counter
from itertools import pairwise
from pathlib import Path

import networkx as nx
import pytest
from analysis.builder import make_journey
from analysis.strategies import journey_specs
from conftest import JOURNEYS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cx_audit.analysis.structure import loops_on_routes, trap_loops
from cx_audit.analysis.view import journey_view
from cx_audit.audit.config import Config
from cx_audit.audit.engine import audit_journey
from cx_audit.core.findings import Finding
from cx_audit.core.model import Handoff, Journey, StepKind
from cx_audit.io.loader import load_journey

HERE = Path(__file__).resolve().parent

LOOP_RULES = ("CX106", "CX302", "CX303", "CX305")
SELECT = Config(select=LOOP_RULES)

FILES = sorted(
    [p for folder in ("trap_loop", "retell_chain", "ping_pong", "repeat_contact")
     for p in (HERE / folder).glob("*.yaml")]
    + list(JOURNEYS.glob("*.yaml")))


def _graph(journey: Journey) -> nx.DiGraph[str]:
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(journey.steps)
    graph.add_edges_from((s.id, t.target) for s in journey.steps.values() for t in s.next)
    return graph


def _edges(journey: Journey, *, cold: bool = False) -> set[tuple[str, str]]:
    """Transitions that are a handoff (a cold one when ``cold``), as (source, target)."""
    return {(s.id, t.target) for s in journey.steps.values() for t in s.next
            if t.handoff is not None and (not cold or t.handoff is Handoff.COLD)}


def expected_site(journey: Journey, graph: nx.DiGraph[str], loop: frozenset[str]) -> str:
    """The documented site, recomputed: first step in file order where customers enter the loop."""
    entries = [s for s, step in journey.steps.items() if step.kind is StepKind.ENTRY]
    reached = set(entries).union(*(nx.descendants(graph, e) for e in entries))
    order = [s for s in journey.steps if s in loop]
    ways_in = [s for s in order if journey.steps[s].kind is StepKind.ENTRY
               or any(p not in loop and p in reached for p in graph.predecessors(s))]
    return (ways_in or order)[0]


def check_loop_findings(journey: Journey, findings: tuple[Finding, ...]) -> None:
    """Every loop finding sits on its loop's site and names a closed walk through it."""
    graph = _graph(journey)
    component = {s: frozenset(c) for c in nx.strongly_connected_components(graph) for s in c}
    on_routes = {frozenset(loop) for loop in loops_on_routes(journey_view(journey))}
    traps = {frozenset(loop) for loop in trap_loops(journey_view(journey))}
    reported: Counter[tuple[str, frozenset[str]]] = Counter()
    for finding in findings:
        walk = finding.evidence.loop
        if finding.rule == "CX302" and not walk:
            assert finding.step is None and finding.evidence.route  # the route case
            continue
        assert finding.step is not None, finding
        assert walk[0] == walk[-1] == finding.step, finding  # starts and ends on the site
        assert len(walk) >= 2
        assert all(graph.has_edge(a, b) for a, b in pairwise(walk)), walk
        if finding.rule == "CX106":  # a closed class: what customers cannot leave (p > 0)
            loop = next(trap for trap in traps if finding.step in trap)
        else:
            loop = component[finding.step]
            assert loop in on_routes
        assert set(walk) <= loop, walk  # never leaves the loop
        assert finding.step == expected_site(journey, graph, loop)
        if finding.rule != "CX302":
            assert set(finding.evidence.metrics["loop_steps"]) == loop
        crossed = set(pairwise(walk))
        if finding.rule == "CX303":
            assert crossed & _edges(journey)
            assert len({journey.steps[s].owner for s in walk} - {None}) >= 2
        if finding.rule == "CX302":
            assert crossed & _edges(journey, cold=True)
        reported[finding.rule, loop] += 1
    assert all(n == 1 for n in reported.values()), reported  # once per loop and rule
    bounced = {loop for rule, loop in reported if rule == "CX303"}
    repeated = {loop for rule, loop in reported if rule == "CX305"}
    assert not bounced & repeated  # CX305 gives way to CX303 on the same loop
    assert bounced | repeated == on_routes  # every loop on a route is one or the other
    assert {loop for rule, loop in reported if rule == "CX106"} == traps
    assert sum(1 for f in findings if f.rule == "CX302") <= 1


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_loop_findings_sit_on_their_loop(path: Path) -> None:
    journey = load_journey(path)
    check_loop_findings(journey, audit_journey(journey, SELECT).findings)


@st.composite
def owned_journeys(draw: st.DrawFn) -> Journey:
    """Random journeys of tests/analysis/strategies.py, each step with a random owner or none."""
    spec = draw(journey_specs())
    for step in spec.values():
        owner = draw(st.sampled_from([None, None, "care", "billing", "digital"]))
        if owner:
            step["owner"] = owner
    return make_journey(spec)


@settings(max_examples=150, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(owned_journeys())
def test_loop_findings_sit_on_their_loop_in_random_journeys(journey: Journey) -> None:
    check_loop_findings(journey, audit_journey(journey, SELECT).findings)


def test_the_ping_pong_walk_goes_round_until_it_meets_two_teams() -> None:
    journey = load_journey(HERE / "ping_pong" / "invalid_handoff_between_unowned_steps.yaml")
    (finding,) = audit_journey(journey, Config(select=("CX303",))).findings
    assert finding.evidence.loop == (
        "desk", "transfer", "desk", "care", "desk", "billing", "desk")


def test_the_ping_pong_walk_starts_where_customers_enter() -> None:
    journey = load_journey(HERE / "ping_pong" / "invalid_entered_away_from_the_handoff.yaml")
    (finding,) = audit_journey(journey, Config(select=("CX303",))).findings
    assert finding.evidence.loop == ("portal", "agent", "billing", "agent", "portal")
