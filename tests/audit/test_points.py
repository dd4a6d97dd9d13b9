"""Combustion points: grouping by place, exact figures (by hand and by simulation), ranking.

The findings are fixed here, not produced by the rules, so that the tests
hold whatever the rule catalogue reports.
"""

from __future__ import annotations

import math
import random

from analysis.builder import make_journey
from analysis.strategies import journey_specs
from hypothesis import HealthCheck, given, settings

from cx_audit.analysis.metrics import JourneyAnalysis
from cx_audit.analysis.structure import loops_on_routes
from cx_audit.analysis.view import journey_view
from cx_audit.audit.engine import JourneyAudit
from cx_audit.audit.points import combustion_points
from cx_audit.core.findings import Evidence, Finding, Severity
from cx_audit.core.model import Journey

#   call (entry) -> menu (an IVR: 20% give up) -> agent 50% / faq 50%
#   agent -> done (a cold handoff); faq -> done 50% / back to call 50% (a cold handoff)
JOURNEY = {
    "call": {"kind": "entry", "next": [("menu", 1.0)]},
    "menu": {"shield": "ivr", "abandon": 0.2, "next": [("agent", 0.5), ("faq", 0.5)]},
    "agent": {"wait": 4.0, "next": [("done", 1.0, "cold")], "owner": "care"},
    "faq": {"next": [("done", 0.5), ("call", 0.5, "cold")], "owner": "digital"},
    "done": {"kind": "resolution"},
}


def finding(journey: Journey, rule: str, step: str, *, target: str | None = None,
            loop: tuple[str, ...] = (), steps: tuple[str, ...] = ()) -> Finding:
    where = journey.steps[step].location
    if target is not None:  # a transition's finding sits on its entry (see spread_locations)
        where = next(t.location for t in journey.steps[step].next if t.target == target)
    metrics = {"steps": list(steps)} if steps else {}
    return Finding(rule=rule, name=rule.lower(), severity=Severity.WARNING, journey=journey.id,
                   file=journey.file, step=step, location=where, message=f"{rule} at {step}",
                   evidence=Evidence(metrics=metrics, loop=loop))


def audit_of(journey: Journey, findings: list[Finding]) -> JourneyAudit:
    return JourneyAudit(journey=journey, analysis=JourneyAnalysis(journey),
                        findings=tuple(sorted(findings, key=Finding.sort_key)))


def spread_locations(journey: Journey) -> Journey:
    """Give each transition its own column, so a transition finding can point at it."""
    from dataclasses import replace

    steps = {}
    for sid, step in journey.steps.items():
        moved = tuple(replace(t, location=type(t.location)(t.location.file, t.location.line,
                                                           t.location.column + 2 + k))
                      for k, t in enumerate(step.next))
        steps[sid] = replace(step, next=moved)
    return replace(journey, steps=steps)


def by_kind(points):  # type: ignore[no-untyped-def]
    return {(p.kind, p.step, p.target): p for p in points}


def test_figures_by_hand() -> None:
    journey = spread_locations(make_journey(JOURNEY))
    findings = [
        finding(journey, "CX501", "menu"),  # high abandon: a step point
        finding(journey, "CX301", "agent", target="done"),  # a cold handoff outside the loop
        finding(journey, "CX305", "call", loop=("call", "menu", "faq", "call")),
        finding(journey, "CX301", "faq", target="call"),  # inside the loop: joins it
    ]
    points = by_kind(combustion_points(audit_of(journey, findings)))
    assert set(points) == {("step", "menu", None), ("transition", "agent", "done"),
                           ("loop", "call", None)}
    # visits: call x = 1 + 0.8 * 0.5 * 0.5 * x, so x = 1.25; menu 1.25, agent 0.5, faq 0.5
    menu = points[("step", "menu", None)]
    assert math.isclose(menu.reach or 0, 1.0)
    assert math.isclose(menu.lost or 0, 1.25 * 0.2)  # a quarter of all customers give up there
    assert menu.effort is not None and math.isclose(menu.effort.shields, 1.25)
    handoff = points[("transition", "agent", "done")]
    assert math.isclose(handoff.reach or 0, 0.5) and handoff.lost == 0.0
    assert handoff.effort is not None and math.isclose(handoff.effort.retells, 1.0)
    assert handoff.owners == ("care",)
    loop = points[("loop", "call", None)]
    assert loop.steps == ("call", "menu", "faq") and loop.codes == ("CX305", "CX301")
    assert math.isclose(loop.reach or 0, 1.0) and math.isclose(loop.lost or 0, 0.25)
    # the cold way back is crossed 0.5 * 0.5 = 0.25 times per customer
    assert loop.effort is not None and math.isclose(loop.effort.retells, 0.25)
    # ranked: customers lost first (menu and loop both lose 0.25: the loop's retells decide)
    ranked = combustion_points(audit_of(journey, findings))
    assert [p.kind for p in ranked] == ["loop", "step", "transition"]
    assert [p.rank for p in ranked] == [1, 2, 3]


def test_a_transition_inside_a_loop_is_reached_once_at_most() -> None:
    journey = spread_locations(make_journey(JOURNEY))
    # a transition finding of a rule that is not about handoffs stays a transition point
    dangling = finding(journey, "CX107", "faq", target="call")
    points = combustion_points(audit_of(journey, [dangling]))
    (point,) = points
    assert point.kind == "transition"
    # first time at faq: 1 * 0.8 * 0.5 = 0.4; it crosses with 0.5; declining means resolving
    assert math.isclose(point.reach or 0, 0.2)
    # the crossings per customer (0.25) over those who cross (0.2): retold 1.25 times each
    assert point.effort is not None and math.isclose(point.effort.retells, 0.25 / 0.2)


def test_a_handoff_between_two_steps_of_a_loop_is_part_of_the_loop() -> None:
    journey = spread_locations(make_journey(JOURNEY))
    switch = finding(journey, "CX304", "faq", target="call")
    (point,) = combustion_points(audit_of(journey, [switch]))
    assert point.kind == "loop" and point.steps == ("call", "menu", "faq")


def test_chains_that_share_a_step_are_one_point() -> None:
    journey = spread_locations(make_journey(JOURNEY))
    findings = [finding(journey, "CX202", "menu", steps=("menu", "agent")),
                finding(journey, "CX503", "agent", steps=("agent",))]
    (point,) = combustion_points(audit_of(journey, findings))
    assert point.kind == "chain" and point.steps == ("menu", "agent")
    assert math.isclose(point.reach or 0, 1.0)  # everyone passes the menu
    assert math.isclose(point.lost or 0, 0.25)


def test_a_journey_without_losses_or_effort_has_no_point() -> None:
    quiet = make_journey({"in": {"kind": "entry", "next": [("a", 1.0)]},
                          "a": {"next": [("done", 1.0)]}, "done": {"kind": "resolution"}})
    assert combustion_points(audit_of(quiet, [finding(quiet, "CX402", "a")])) == []


def simulate_places(journey: Journey, places: list[tuple[str, frozenset[str]]], n: int,
                    seed: int = 7) -> dict[frozenset[str], tuple[float, float]]:
    """Walk ``n`` customers; per place, the share who visit it and who end unresolved in it."""
    view = journey_view(journey)
    rng = random.Random(seed)
    entries = [(view.ids[e], journey.entry_shares.get(view.ids[e], 0.0)) for e in view.entries]
    total = sum(w for _, w in entries)
    seen = {members: [0, 0] for _, members in places}
    for _ in range(n):
        r = rng.random() * total
        u = view.index[entries[-1][0]]
        for sid, w in entries:
            if r < w:
                u = view.index[sid]
                break
            r -= w
        visited = set()
        end = None
        for _ in range(10_000):
            visited.add(view.ids[u])
            if view.resolution[u]:
                break
            if view.terminal[u] or view.stranded[u]:
                end = u
                break
            x = rng.random()
            if x < view.abandon[u]:
                end = u
                break
            x -= view.abandon[u]
            nxt = None
            for v, p in zip(view.succ[u], view.prob[u]):
                if x < p:
                    nxt = v
                    break
                x -= p
            if nxt is None:
                end = u
                break
            u = nxt
        else:
            end = u  # never got out: trapped
        for _, members in places:
            if visited & members:
                seen[members][0] += 1
                if end is not None and view.ids[end] in members:
                    seen[members][1] += 1
    return {m: (a / n, b / n) for m, (a, b) in seen.items()}


@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(journey_specs())
def test_reach_and_lost_agree_with_a_simulation(spec) -> None:  # type: ignore[no-untyped-def]
    journey = make_journey(spec)
    view = journey_view(journey)
    loops = loops_on_routes(view)
    in_loop = {s for loop in loops for s in loop}
    findings = [finding(journey, "CX305", loop[0], loop=(*loop, loop[0])) for loop in loops]
    findings += [finding(journey, "CX501", s) for s, step in journey.steps.items()
                 if not step.is_terminal and s not in in_loop]
    points = [p for p in combustion_points(audit_of(journey, findings)) if p.reach is not None]
    n = 4000
    places = [(p.kind, frozenset(p.steps)) for p in points]
    simulated = simulate_places(journey, places, n)
    for point in points:
        if point.lost is None or point.effort is None or math.isinf(point.effort.wait):
            continue
        reach, lost = simulated[frozenset(point.steps)]
        for exact, estimate in ((point.reach, reach), (point.lost, lost)):
            assert exact is not None
            se = math.sqrt(max(exact * (1 - exact), 1e-4) / n)
            assert abs(exact - estimate) <= 5 * se + 1e-9, (point.steps, exact, estimate)


def test_fix_first_ranks_every_points_levers_together_once_each() -> None:
    from cx_audit.audit.points import fix_first

    journey = spread_locations(make_journey(JOURNEY))
    findings = [finding(journey, "CX501", "menu"),
                finding(journey, "CX305", "call", loop=("call", "menu", "faq", "call")),
                finding(journey, "CX301", "agent", target="done")]
    points = combustion_points(audit_of(journey, findings))
    ranked = fix_first(points)
    keys = [(lever.lever, lever.step, lever.target) for _, lever in ranked]
    assert len(keys) == len(set(keys))  # a fix two points share is listed once
    gains = [lever.effect.delta_p_resolution for _, lever in ranked]
    assert gains == sorted(gains, reverse=True) and gains[0] > 0
    # cutting the menu's abandonment from 20% to 10%: visits of call 1 / (1 - 0.9 * 0.25)
    # = 1.2903, resolved 0.9 * 0.5 + 0.9 * 0.25 of each pass; 0.675 * 1.2903 = 0.8710
    cut = next(lever for _, lever in ranked if lever.lever == "cut-abandon")
    assert math.isclose(0.75 + cut.effect.delta_p_resolution, 0.675 / (1 - 0.225))
    for point, lever in ranked:
        assert lever in point.levers


def test_a_handoff_out_of_a_step_with_findings_is_part_of_that_steps_point() -> None:
    journey = spread_locations(make_journey(JOURNEY))
    findings = [finding(journey, "CX401", "agent"),  # a desk that cannot help ...
                finding(journey, "CX301", "agent", target="done")]  # ... and its cold transfer
    (point,) = combustion_points(audit_of(journey, findings))
    assert point.kind == "step" and point.steps == ("agent",)
    assert point.codes == ("CX401", "CX301")
    # reached by 0.8 * 0.5 = 0.4 of first passes: agent's visits are 1.25 * 0.8 * 0.5 = 0.5
    assert math.isclose(point.reach or 0, 0.5)
    assert point.effort is not None and math.isclose(point.effort.retells, 1.0)


def test_a_run_of_one_step_is_a_step_point_unless_a_longer_run_holds_it() -> None:
    journey = spread_locations(make_journey(JOURNEY))
    alone = finding(journey, "CX503", "menu", steps=("menu",))
    (point,) = combustion_points(audit_of(journey, [alone, finding(journey, "CX501", "menu")]))
    assert point.kind == "step" and point.codes == ("CX501", "CX503")
    held = finding(journey, "CX202", "call", steps=("call", "menu"))
    (point,) = combustion_points(audit_of(journey, [alone, held]))
    assert point.kind == "chain" and point.codes == ("CX202", "CX503")


def test_the_noise_floor_keeps_what_loses_a_customer_in_1000_or_a_tenth_of_an_effort() -> None:
    def journey_with(abandon: float, small_wait: float):  # type: ignore[no-untyped-def]
        return make_journey({
            "in": {"kind": "entry", "next": [("a", 1.0)]},
            "a": {"abandon": abandon, "wait": small_wait, "next": [("b", 1.0)]},
            "b": {"wait": 100.0, "next": [("done", 1.0)]},
            "done": {"kind": "resolution"}})

    def sites(journey):  # type: ignore[no-untyped-def]
        findings = [finding(journey, "CX501", "a"), finding(journey, "CX502", "b")]
        return [p.step for p in combustion_points(audit_of(journey, findings))]

    # 'a' loses 0.05% and adds 5 of the journey's 5 + 99.95 minutes (under a tenth): noise
    assert sites(journey_with(0.0005, 5.0)) == ["b"]
    # losing 0.2% is above the floor, whatever the wait
    assert sites(journey_with(0.002, 5.0)) == ["a", "b"]
    # 20 of the 20 + 99.95 minutes is a sixth of all waiting: above the floor
    assert sites(journey_with(0.0005, 20.0)) == ["a", "b"]


def test_a_point_inside_another_names_it_and_keeps_its_own_evidence() -> None:
    from dataclasses import replace

    journey = spread_locations(make_journey(JOURNEY))
    steps = dict(journey.steps)
    steps["menu"] = replace(steps["menu"], evidence=("IVR log: 20% hang up",))
    steps["call"] = replace(steps["call"], evidence=("call recordings",))
    journey = replace(journey, steps=steps)
    findings = [finding(journey, "CX202", "call", steps=("call", "menu")),
                finding(journey, "CX501", "menu")]
    chain, step = combustion_points(audit_of(journey, findings))
    # both lose the menu's quarter of customers; the chain adds the call's effort on top
    assert (chain.kind, step.kind) == ("chain", "step")
    assert step.within == chain.rank and chain.within is None
    # each evidence line is shown once, with the smallest point holding its step
    assert step.evidence == ("IVR log: 20% hang up",)
    assert chain.evidence == ("call recordings",)


@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(journey_specs())
def test_doubling_an_abandon_share_never_lets_a_point_elsewhere_overtake(spec) -> None:  # type: ignore[no-untyped-def]
    """More customers giving up at a step keeps its point above every point that was below it.

    Coupling: with the share doubled, a walk is the same until the extra
    give-up, which ends it at the step; so the step's own point loses more
    customers and a place that does not hold the step loses no more.
    """
    chosen = [s for s, step in spec.items() if 0.0 < step.get("abandon", 0.0) <= 0.3
              and step.get("next")]
    if not chosen:
        return
    site = chosen[0]

    def ranking(spec):  # type: ignore[no-untyped-def]
        journey = make_journey(spec)
        findings = [finding(journey, "CX501", s) for s, step in journey.steps.items()
                    if not step.is_terminal]
        return {p.steps: p for p in combustion_points(audit_of(journey, findings))
                if p.kind == "step"}

    before = ranking(spec)
    doubled = {s: dict(step) for s, step in spec.items()}
    doubled[site]["abandon"] = 2 * spec[site]["abandon"]
    after = ranking(doubled)
    mine = (site,)
    if mine not in before or before[mine].lost is None or after.get(mine) is None:
        return
    assert after[mine].lost is not None and after[mine].lost >= before[mine].lost - 1e-12
    for steps, other in before.items():
        if steps == mine or steps not in after or other.lost is None:
            continue
        assert (after[steps].lost or 0.0) <= other.lost + 1e-12
        if before[mine].rank < other.rank:
            assert after[mine].rank < after[steps].rank, (site, steps)


def test_levers_take_their_settings_from_the_rule_options() -> None:
    from dataclasses import replace

    journey = spread_locations(make_journey(JOURNEY))
    findings = [finding(journey, "CX501", "menu")]

    def cut(options):  # type: ignore[no-untyped-def]
        audit = replace(audit_of(journey, findings), options=options)
        (point,) = combustion_points(audit)
        return next(lever for lever in point.levers if lever.lever == "cut-abandon")

    # the default limit (10%): the menu's 20% halves; each pass now resolves
    # 0.9 * 0.5 + 0.9 * 0.5 * 0.5 = 0.675 and comes back with 0.9 * 0.25
    assert math.isclose(0.75 + cut({}).effect.delta_p_resolution, 0.675 / (1 - 0.225))
    # with [tool.cx-audit.rules.high-abandon] max_abandon = 0.15: 0.6375 / (1 - 0.2125)
    loose = cut({"max_abandon": 0.15})
    assert math.isclose(0.75 + loose.effect.delta_p_resolution, 0.6375 / (1 - 0.2125))
    assert "15%" in loose.description


def test_the_configuration_reaches_the_levers_through_the_audit() -> None:
    from cx_audit.audit.config import Config
    from cx_audit.audit.engine import audit_journey

    config = Config(options={"max_abandon": 0.15, "empower_share": 0.5})
    audit = audit_journey(make_journey(JOURNEY), config)
    assert audit.options["max_abandon"] == 0.15 and audit.options["empower_share"] == 0.5
    assert audit_journey(make_journey(JOURNEY)).options["service_level"] == 0.8
