"""Properties and metamorphic relations on random journeys.

Each relation changes the journey in a way whose effect on the figures is
known (nothing, or a known shift), or recomputes a figure by another road:
removing a step literally and re-analysing must agree with the closed-form
impact; making a step the only resolution must give its ``p_reach``; brute
force over simple paths must agree with the structural dynamic programmes.
"""

from __future__ import annotations

import math
from collections import deque

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cx_audit.analysis import (
    UNBOUNDED,
    analyse,
    loops_on_routes,
    most_likely_routes,
    steps_on_every_route,
    trap_loops,
)
from cx_audit.analysis.view import journey_view
from cx_audit.core.model import Handoff

from .builder import make_journey
from .oracle import closed_classes
from .strategies import journey_specs
from .transform import absorb_at, add_unreachable, remove, rename, split, transitions

settings.register_profile(
    "analysis-props", max_examples=40, derandomize=True, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = settings.get_profile("analysis-props")

TOL = 1e-9


def close(a: float | None, b: float | None, tol: float = TOL) -> bool:
    if a is None or b is None:
        return a is b
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


PROBABILISTIC = ("p_resolution", "p_abandon", "p_stranded", "p_trapped", "p_first_time",
                 "shields_expected", "retells_expected", "handoffs_expected", "wait_expected")
STRUCTURAL = ("paths", "shields_min", "shields_max", "retells_max")


def same_metrics(m1, m2, skip: tuple[str, ...] = ()) -> None:
    for name in STRUCTURAL:
        if name not in skip:
            assert getattr(m1, name) == getattr(m2, name), name
    for name in PROBABILISTIC:
        if name not in skip:
            assert close(getattr(m1, name), getattr(m2, name)), (
                name, getattr(m1, name), getattr(m2, name))


# --------------------------------------------------------------------------
# invariants


@settings(PROFILE)
@given(journey_specs())
def test_invariants(spec) -> None:
    journey = make_journey(spec)
    a = analyse(journey)
    m = a.metrics
    assert abs(m.p_resolution + m.p_abandon + m.p_stranded + m.p_trapped - 1.0) <= 1e-9
    for p in (m.p_resolution, m.p_abandon, m.p_stranded, m.p_trapped, m.p_first_time):
        assert -1e-12 <= p <= 1 + 1e-12
    assert m.p_first_time <= m.p_resolution + 1e-12
    if math.isfinite(m.retells_expected) and math.isfinite(m.handoffs_expected):
        assert m.retells_expected <= m.handoffs_expected + 1e-12
    for stats in a.steps.values():
        assert 0.0 <= stats.p_reach <= 1 + 1e-12
        assert stats.visits >= stats.p_reach - 1e-12
    # structure: all None together, loops on routes make paths unbounded
    nones = [getattr(m, name) is None for name in STRUCTURAL]
    assert all(nones) or not any(nones)
    G = journey_view(journey)
    assert (m.paths == UNBOUNDED) == bool(loops_on_routes(G))
    if isinstance(m.shields_max, int):
        assert m.shields_min <= m.shields_max
    if m.p_resolution > 0:
        assert m.paths is not None
    # when every customer is resolved, every walk is a route
    if abs(m.p_resolution - 1.0) <= 1e-12 and math.isfinite(m.shields_expected):
        assert m.shields_min <= m.shields_expected + 1e-9
        if isinstance(m.shields_max, int):
            assert m.shields_expected <= m.shields_max + 1e-9
        if isinstance(m.retells_max, int):
            assert m.retells_expected <= m.retells_max + 1e-9


# --------------------------------------------------------------------------
# metamorphic relations


@settings(PROFILE)
@given(journey_specs(), st.randoms(use_true_random=False))
def test_renaming_and_reordering_change_nothing(spec, rnd) -> None:
    order = list(spec)
    rnd.shuffle(order)
    mapping = {old: f"x-{old[::-1]}-{i}" for i, old in enumerate(spec)}
    a1 = analyse(make_journey(spec))
    a2 = analyse(make_journey(rename(spec, mapping, order)))
    same_metrics(a1.metrics, a2.metrics)
    for old, new in mapping.items():
        s1, s2 = a1.steps[old], a2.steps[new]
        assert close(s1.visits, s2.visits) and close(s1.p_reach, s2.p_reach)
        assert (s1.impact is None) == (s2.impact is None)
        if s1.impact is not None:
            for f in ("delta_p_resolution", "delta_shields_expected", "delta_wait_expected"):
                assert close(getattr(s1.impact, f), getattr(s2.impact, f), 1e-8), f


@settings(PROFILE)
@given(journey_specs(), st.data())
def test_an_unreachable_step_changes_nothing(spec, data) -> None:
    targets = data.draw(st.lists(st.sampled_from(list(spec)), min_size=1, max_size=3,
                                 unique=True))
    a1 = analyse(make_journey(spec))
    a2 = analyse(make_journey(add_unreachable(spec, targets)))
    same_metrics(a1.metrics, a2.metrics)
    assert a2.metrics.steps == a1.metrics.steps + 1
    assert a2.metrics.transitions == a1.metrics.transitions + len(targets)
    for step_id, s1 in a1.steps.items():
        s2 = a2.steps[step_id]
        assert close(s1.visits, s2.visits) and close(s1.p_reach, s2.p_reach)
    extra = a2.steps["zz-unreachable"]
    assert extra.visits == 0.0 and extra.p_reach == 0.0
    assert extra.impact.delta_p_resolution == 0.0


@settings(PROFILE)
@given(journey_specs(), st.data())
def test_splitting_a_transition_changes_nothing(spec, data) -> None:
    sources = [s for s, step in spec.items() if step.get("next")]
    source = data.draw(st.sampled_from(sources))
    k = data.draw(st.integers(0, len(spec[source]["next"]) - 1))
    a1 = analyse(make_journey(spec))
    a2 = analyse(make_journey(split(spec, source, k)))
    same_metrics(a1.metrics, a2.metrics)
    assert (a2.metrics.steps, a2.metrics.transitions) == (
        a1.metrics.steps + 1, a1.metrics.transitions + 1)
    for step_id, s1 in a1.steps.items():
        s2 = a2.steps[step_id]
        assert close(s1.visits, s2.visits) and close(s1.p_reach, s2.p_reach)


# --------------------------------------------------------------------------
# the same figure by another road


@settings(PROFILE)
@given(journey_specs())
def test_impact_matches_literal_removal(spec) -> None:
    a = analyse(make_journey(spec))
    before = a.metrics
    for step_id, stats in a.steps.items():
        if stats.impact is None:
            assert spec[step_id].get("kind") in ("entry", "resolution", "abandon")
            continue
        after = analyse(make_journey(remove(spec, step_id))).metrics
        impact = stats.impact
        assert close(before.p_resolution + impact.delta_p_resolution,
                     after.p_resolution, 1e-8), (step_id, impact, after.p_resolution)
        for name, delta in (("shields_expected", impact.delta_shields_expected),
                            ("wait_expected", impact.delta_wait_expected)):
            b, f = getattr(before, name), getattr(after, name)
            if math.isinf(b) or math.isinf(f):
                assert delta is None, (step_id, name, delta)
            else:
                assert delta is not None and close(b + delta, f, 1e-8), (step_id, name, delta)


@settings(PROFILE)
@given(journey_specs())
def test_p_reach_is_absorption_at_the_step(spec) -> None:
    a = analyse(make_journey(spec))
    for step_id, stats in a.steps.items():
        if spec[step_id].get("kind") == "entry":
            continue
        absorbed = analyse(make_journey(absorb_at(spec, step_id))).metrics.p_resolution
        assert close(stats.p_reach, absorbed), (step_id, stats.p_reach, absorbed)


def _succ(spec, step_id):
    step = spec[step_id]
    if step.get("kind") in ("resolution", "abandon"):
        return []
    return [to for to, _, _ in transitions(step)]


def _reach(spec, sources, banned=None):
    seen = {s for s in sources if s != banned}
    queue = deque(seen)
    while queue:
        u = queue.popleft()
        for v in _succ(spec, u):
            if v != banned and v not in seen:
                seen.add(v)
                queue.append(v)
    return seen


def _simple_routes(spec):
    """Every simple path from an entry to a resolution (small journeys only)."""
    entries = [s for s, st_ in spec.items() if st_.get("kind") == "entry"]
    found = []

    def walk(path, edges):
        u = path[-1]
        if spec[u].get("kind") == "resolution":
            found.append((list(path), list(edges)))
            return
        for to, _, h in (transitions(spec[u]) if spec[u].get("kind") is None
                         or spec[u].get("kind") == "entry" else []):
            if to not in path:
                path.append(to)
                edges.append(h)
                walk(path, edges)
                path.pop()
                edges.pop()

    for e in entries:
        walk([e], [])
    return found


@settings(PROFILE)
@given(journey_specs(max_plain=5))
def test_structure_by_brute_force(spec) -> None:
    journey = make_journey(spec)
    m = analyse(journey).metrics
    G = journey_view(journey)
    entries = [s for s, st_ in spec.items() if st_.get("kind") == "entry"]
    resolutions = {s for s, st_ in spec.items() if st_.get("kind") == "resolution"}
    reach = _reach(spec, entries)
    on_route = {s for s in reach if _reach(spec, [s]) & resolutions}
    cyclic = {s for s in on_route if any(s in _reach(spec, [v]) for v in _succ(spec, s))}
    routes = _simple_routes(spec)
    shield = {s: 1 if st_.get("shield") else 0 for s, st_ in spec.items()}
    if not routes:
        assert m.paths is None and m.shields_min is None
        assert steps_on_every_route(G) == []
        return
    counts = [sum(shield[s] for s in path) for path, _ in routes]
    colds = [sum(h == "cold" for h in edges) for _, edges in routes]
    assert m.shields_min == min(counts)
    if cyclic:
        assert m.paths == UNBOUNDED
    else:
        assert m.paths == len(routes)
    if any(shield[s] for s in cyclic):
        assert m.shields_max == UNBOUNDED
    else:
        assert m.shields_max == max(counts)
    cold_in_loop = any(
        h == "cold" and to in on_route and s in _reach(spec, [to])
        for s in cyclic for to, _, h in transitions(spec[s])
    )
    if cold_in_loop:
        assert m.retells_max == UNBOUNDED
    else:
        assert m.retells_max == max(colds)
    # a step is on every route when banning it leaves no route
    every = [s for s in spec
             if not (_reach(spec, entries, banned=s) & resolutions - {s})]
    assert steps_on_every_route(G) == every
    assert set().union(*map(set, loops_on_routes(G))) == cyclic


@settings(PROFILE)
@given(journey_specs())
def test_trap_loops_are_the_closed_classes(spec) -> None:
    journey = make_journey(spec)
    classes = set(closed_classes(journey).values())
    assert {frozenset(loop) for loop in trap_loops(journey_view(journey))} == classes


@settings(PROFILE)
@given(journey_specs())
def test_most_likely_routes(spec) -> None:
    journey = make_journey(spec)
    m = analyse(journey).metrics
    routes = most_likely_routes(journey, 40)
    probabilities = [r.probability for r in routes]
    assert probabilities == sorted(probabilities, reverse=True)
    assert math.fsum(probabilities) <= m.p_resolution + 1e-12
    shares = {k: v / sum(journey.entry_shares.values())
              for k, v in journey.entry_shares.items()}
    for r in routes:
        assert journey.steps[r.steps[0]].kind == "entry"
        assert journey.steps[r.steps[-1]].kind == "resolution"
        p = shares[r.steps[0]]
        for u, v in zip(r.steps, r.steps[1:]):
            step = journey.steps[u]
            total = sum(t.probability for t in step.next)
            t = next(t for t in step.next if t.target == v)
            p *= (1 - step.abandon) * t.probability / total
        assert close(p, r.probability, 1e-12)
        assert r.shields == sum(1 for s in r.steps if journey.steps[s].shield)
    if isinstance(m.paths, int) and m.paths <= 40:
        # every route with a chance is listed: together they are p_resolution
        assert close(math.fsum(probabilities), m.p_resolution)
    assert len({r.steps for r in routes}) == len(routes)


@settings(PROFILE)
@given(journey_specs())
def test_graph_and_model_views_agree(spec) -> None:
    journey = make_journey(spec)
    assert analyse(journey).to_dict() == analyse(journey, journey_view(journey)).to_dict()
    assert most_likely_routes(journey, 5) == most_likely_routes(journey, 5, journey_view(journey))


def _walks_above(journey, threshold: float, stop_after: int | None = None):
    """Routes whose probability is at least ``threshold`` (brute force).

    With ``stop_after``, gives up once more routes than that are found.
    """
    shares = {k: v / sum(journey.entry_shares.values())
              for k, v in journey.entry_shares.items() if v > 0}
    moves = {}
    for step_id, step in journey.steps.items():
        total = sum(t.probability for t in step.next)
        terminal = step.kind in ("resolution", "abandon")
        moves[step_id] = [] if terminal or total <= 0 else [
            (t.target, (1 - step.abandon) * t.probability / total)
            for t in step.next if t.probability > 0 and step.abandon < 1]
    # steps from which a resolution has a chance
    alive = {s for s, step in journey.steps.items() if step.kind == "resolution"}
    changed = True
    while changed:
        changed = False
        for s, out in moves.items():
            if s not in alive and any(v in alive for v, _ in out):
                alive.add(s)
                changed = True
    found = []
    stack = [((e,), p) for e, p in shares.items() if e in alive and p >= threshold]
    while stack:
        walk, p = stack.pop()
        if journey.steps[walk[-1]].kind == "resolution":
            found.append(p)
            if stop_after is not None and len(found) > stop_after:
                break
            continue
        for v, q in moves[walk[-1]]:
            if v in alive and p * q >= threshold:
                stack.append(((*walk, v), p * q))
    return sorted(found, reverse=True)


@settings(PROFILE)
@given(journey_specs())
def test_most_likely_routes_are_the_best(spec) -> None:
    journey = make_journey(spec)
    k = 6
    routes = most_likely_routes(journey, k)
    if len(routes) == k:
        best = _walks_above(journey, routes[-1].probability * (1 - 1e-9))[:k]
    else:  # fewer routes than asked: there must be no other one at all
        best = _walks_above(journey, 0.0, stop_after=len(routes))
    assert len(best) == len(routes)
    for got, want in zip(routes, best):
        assert close(got.probability, want, 1e-12)


@PROFILE
@given(journey_specs())
def test_the_view_holds_the_journeys_steps_and_transitions_as_networkx_reads_them(spec) -> None:
    """Rules read the view: it must hold the model's steps and transitions, in file order."""
    import networkx as nx

    journey = make_journey(spec)
    view = journey_view(journey)
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(journey.steps)
    graph.add_edges_from((t.source, t.target) for s in journey.steps.values() for t in s.next)
    assert view.ids == list(graph)
    for step_id in view.ids:
        assert view.successors(step_id) == list(graph.successors(step_id))
        assert view.predecessors(step_id) == list(graph.predecessors(step_id))
    for u, step_id in enumerate(view.ids):
        step = journey.steps[step_id]
        assert view.kind[u] == str(step.kind) and view.shield[u] == (1 if step.shield else 0)
        if view.terminal[u]:
            assert view.succ[u] == []  # the walk ends there
            continue
        assert [view.ids[v] for v in view.succ[u]] == list(graph.succ[step_id])
        for v, p, cold, transition in zip(view.succ[u], view.prob[u], view.cold[u], step.next,
                                          strict=True):
            assert view.ids[v] == transition.target
            if not view.stranded[u]:  # the view spreads the format's rounding deficit (<= 1e-6)
                expected = (1.0 - step.abandon) * transition.probability
                assert math.isclose(p, expected, rel_tol=0.0, abs_tol=2e-6)
            assert cold == (transition.handoff is Handoff.COLD)


@PROFILE
@given(st.integers(min_value=0, max_value=30).flatmap(
    lambda n: st.tuples(st.just(n), st.lists(st.tuples(st.integers(0, max(n - 1, 0)),
                                                      st.integers(0, max(n - 1, 0))),
                                            max_size=4 * n if n else 0))))
def test_components_match_networkx_and_come_sinks_first(graph) -> None:
    """The hand-rolled Tarjan agrees with networkx, and lists a component after all it reaches."""
    import networkx as nx

    from cx_audit.analysis.view import strongly_connected

    n, edges = graph
    succ: list[list[int]] = [[] for _ in range(n)]
    for u, v in edges:
        if v not in succ[u]:
            succ[u].append(v)
    comp_of, comps = strongly_connected(n, succ)
    reference = nx.DiGraph()
    reference.add_nodes_from(range(n))
    reference.add_edges_from((u, v) for u in range(n) for v in succ[u])
    assert sorted(map(sorted, comps)) == sorted(
        sorted(c) for c in nx.strongly_connected_components(reference))
    assert all(comp == sorted(comp) for comp in comps)
    assert all(comp_of[u] == c for c, comp in enumerate(comps) for u in comp)
    assert all(comp_of[v] <= comp_of[u] for u in range(n) for v in succ[u])
