"""The top-k route search: the same routes as enumerating every walk, in bounded memory."""

from __future__ import annotations

import itertools
import math
import time
import tracemalloc
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cx_audit.analysis import erlang_c, most_likely_routes, step_wait
from cx_audit.analysis.routes import scaled, times
from cx_audit.analysis.view import journey_view
from cx_audit.core.model import Handoff, Journey

from .builder import make_journey
from .strategies import journey_specs

PROFILE = settings(max_examples=150, derandomize=True, deadline=None, database=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

Walk = dict[str, Any]


def _every_walk_above(journey: Journey, threshold: float, limit: int = 5_000) -> list[Walk]:
    """Every route whose probability is at least ``threshold``, by depth-first enumeration.

    Built from the model alone: the entry's share among the shares, then each
    transition's share of its step times the step's ``1 - abandon``. Each
    route carries what it costs, counted step by step (``limit`` routes at most).
    """
    shares = {e: s for e, s in journey.entry_shares.items() if s > 0}
    if not shares:
        shares = {e: 1.0 for e, step in journey.steps.items() if step.kind == "entry"}
    total_share = sum(shares.values())
    moves: dict[str, list[tuple[str, float, Handoff | None]]] = {}
    for step_id, step in journey.steps.items():
        total = sum(t.probability for t in step.next)
        if step.kind in ("resolution", "abandon") or total <= 0 or step.abandon >= 1:
            moves[step_id] = []
            continue
        moves[step_id] = [(t.target, (1 - step.abandon) * t.probability / total, t.handoff)
                          for t in step.next if t.probability > 0]
    alive = {s for s, step in journey.steps.items() if step.kind == "resolution"}
    grown = True
    while grown:  # the steps from which a resolution has a chance
        grown = False
        for s, out in moves.items():
            if s not in alive and any(v in alive for v, _, _ in out):
                alive.add(s)
                grown = True
    found: list[Walk] = []
    stack = [((e,), s / total_share, 0, 0) for e, s in shares.items() if e in alive]
    while stack and len(found) < limit:
        walk, p, retells, handoffs = stack.pop()
        if p < threshold:
            continue
        last = walk[-1]
        if journey.steps[last].kind == "resolution":
            found.append({
                "steps": walk, "probability": p, "retells": retells, "handoffs": handoffs,
                "shields": sum(1 for s in walk if journey.steps[s].shield),
                "wait": sum(step_wait(journey.steps[s])[0] for s in walk),
            })
            continue
        for v, q, handoff in moves[last]:
            if v in alive:
                stack.append(((*walk, v), p * q, retells + (handoff is Handoff.COLD),
                              handoffs + (handoff is not None)))
    found.sort(key=lambda w: -w["probability"])
    return found


@PROFILE
@given(journey_specs())
def test_the_routes_are_the_most_likely_walks_with_their_costs(spec: Any) -> None:
    """Where no two routes are within rounding of each other, the lists are identical."""
    journey = make_journey(spec)
    k = 7
    routes = most_likely_routes(journey, k)
    floor = routes[-1].probability * (1 - 1e-9) if len(routes) == k else 0.0
    walks = _every_walk_above(journey, floor)
    if len(walks) >= 5_000:
        return  # too many near-equal walks to enumerate: the property test covers them
    probabilities = sorted({w["probability"] for w in walks}, reverse=True)
    if any(math.isclose(a, b, rel_tol=1e-9) for a, b in itertools.pairwise(probabilities)):
        # ties: the same probabilities, in order, and every route a real walk
        assert len(routes) == min(k, len(walks))
        for got, want in zip(routes, walks):
            assert math.isclose(got.probability, want["probability"], rel_tol=1e-12)
        assert {r.steps for r in routes} <= {w["steps"] for w in walks}
        return
    assert len(routes) == min(k, len(walks))
    for got, want in zip(routes, walks):
        assert got.steps == want["steps"]
        assert math.isclose(got.probability, want["probability"], rel_tol=1e-12)
        assert (got.shields, got.retells, got.handoffs) == (
            want["shields"], want["retells"], want["handoffs"])
        assert math.isclose(got.wait, want["wait"], rel_tol=1e-12)


def _everyone_to_everyone(n: int) -> Journey:
    """``n`` steps that each lead to every other one and to the resolution."""
    names = [f"s{i}" for i in range(n)]
    steps: dict[str, dict[str, Any]] = {"in": {"kind": "entry", "next": ["s0"]}}
    for name in names:
        steps[name] = {"next": [other for other in names if other != name] + ["done"]}
    steps["done"] = {"kind": "resolution"}
    return make_journey(steps)


def test_steps_that_all_lead_to_one_another_take_little_memory() -> None:
    """Queuing every way on held k x steps x transitions entries (a billion at 400 steps)."""
    journey = _everyone_to_everyone(120)
    view = journey_view(journey)
    tracemalloc.start()
    try:
        routes = most_likely_routes(journey, 300, view)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(routes) == 300
    assert peak < 40 * 2**20  # queuing every way on: over 4 million entries, about 500 MiB
    p = 1 / 120  # each step: 119 others and the resolution
    assert math.isclose(routes[0].probability, p, rel_tol=1e-12)
    assert routes[0].steps == ("in", "s0", "done")
    # then the 119 detours through one other step, in file order, all equally likely
    assert [r.steps for r in routes[1:120]] == [("in", "s0", f"s{i}", "done")
                                                for i in range(1, 120)]
    assert all(math.isclose(r.probability, p * p, rel_tol=1e-12) for r in routes[1:120])


@pytest.mark.slow
def test_a_thousand_routes_of_four_hundred_entangled_steps_in_seconds() -> None:
    journey = _everyone_to_everyone(400)
    view = journey_view(journey)
    start = time.perf_counter()
    routes = most_likely_routes(journey, 1000, view)
    assert time.perf_counter() - start < 20  # 95 s and 11.6 GB before
    assert len(routes) == 1000
    probabilities = [r.probability for r in routes]
    assert probabilities == sorted(probabilities, reverse=True)
    assert len({r.steps for r in routes}) == 1000


def test_equally_likely_routes_of_a_long_ladder_are_bounded() -> None:
    """2^200 routes, all equally likely: the search must not widen with every tie."""
    steps: dict[str, dict[str, Any]] = {"in": {"kind": "entry", "next": ["a0", "b0"]}}
    for i in range(200):
        after = ["done"] if i == 199 else [f"a{i + 1}", f"b{i + 1}"]
        steps[f"a{i}"] = {"next": after}
        steps[f"b{i}"] = {"next": after}
    steps["done"] = {"kind": "resolution"}
    journey = make_journey(steps)
    start = time.perf_counter()
    routes = most_likely_routes(journey, 200)
    assert time.perf_counter() - start < 10
    assert len(routes) == 200 and len({r.steps for r in routes}) == 200
    assert all(r.probability == 0.5 ** 200 for r in routes)


def test_a_route_wait_beyond_the_largest_float_is_unbounded_in_json() -> None:
    journey = make_journey({
        "in": {"kind": "entry", "next": ["a"]},
        "a": {"wait": 1e308, "next": ["b"]},
        "b": {"wait": 1e308, "next": ["done"]},
        "done": {"kind": "resolution"},
    })
    (route,) = most_likely_routes(journey, 3)
    assert route.wait == math.inf
    assert route.to_dict()["wait"] == "unbounded"
    assert route.to_dict()["probability"] == 1.0


def test_a_route_waits_the_queue_of_its_staffing_however_large() -> None:
    for agents, wait in ((14, erlang_c(200, 3, 14).asa_minutes), (10**9, 0.0)):
        journey = make_journey({
            "in": {"kind": "entry", "next": ["q"]},
            "q": {"staffing": (200, 3, agents), "next": ["done"]},
            "done": {"kind": "resolution"},
        })
        (route,) = most_likely_routes(journey, 1)
        assert route.wait == wait


@settings(max_examples=300, derandomize=True, deadline=None, database=None)
@given(st.floats(min_value=1e-150, max_value=1.0), st.floats(min_value=1e-150, max_value=1.0))
def test_a_scaled_product_rounds_as_the_float_product(a: float, b: float) -> None:
    """Scaling by powers of two is exact, so ranking by scaled products is ranking by floats."""
    product = times(scaled(a), scaled(b))
    assert math.ldexp(product[1], product[0]) == a * b
    assert 0.5 <= product[1] < 1.0


def test_routes_far_below_the_smallest_float_are_found_in_order() -> None:
    """A ladder of 2,000 rungs, each a 0.6/0.4 choice: the likeliest route takes every 0.6
    (0.6^2000, about 1e-444, below the smallest float); the next ones take a single 0.4,
    and are all equally likely (0.6^1999 * 0.4), so they come in the order of discovery."""
    rungs = 2000
    steps: dict[str, dict[str, Any]] = {"in": {"kind": "entry", "next": ["a0", "b0"]}}
    for i in range(rungs):
        after: Any = ["done"] if i == rungs - 1 else [
            {"to": f"a{i + 1}", "p": 0.6}, {"to": f"b{i + 1}", "p": 0.4}]
        steps[f"a{i}"] = {"next": after}
        steps[f"b{i}"] = {"next": after}
    steps["in"]["next"] = [{"to": "a0", "p": 0.6}, {"to": "b0", "p": 0.4}]
    steps["done"] = {"kind": "resolution"}
    routes = most_likely_routes(make_journey(steps), 4)
    assert len(routes) == 4
    assert all(step.startswith("a") for step in routes[0].steps[1:-1])
    for route in routes[1:]:
        assert sum(step.startswith("b") for step in route.steps) == 1
    assert len({route.steps for route in routes}) == 4
    assert all(route.probability == 0.0 for route in routes)  # below 5e-324: rounded to 0


def test_a_route_wraps_under_its_first_step_at_the_width() -> None:
    from cx_audit.renderers.routes import render_routes

    steps: dict[str, dict[str, Any]] = {"in": {"kind": "entry", "next": ["step-0"]}}
    for i in range(12):
        steps[f"step-{i}"] = {"next": [f"step-{i + 1}" if i < 11 else "done"]}
    steps["done"] = {"kind": "resolution"}
    journey = make_journey(steps)
    text = render_routes(journey, most_likely_routes(journey, 1), width=60)
    lines = text.splitlines()
    assert all(len(line) <= 60 for line in lines)
    assert len(lines) > 3 and all(line.startswith("      ") for line in lines[2:])
    assert " ".join(" ".join(lines[2:]).split()) == " -> ".join(steps)


def test_every_line_of_the_routes_fits_the_width_and_a_short_cut_is_no_cut() -> None:
    from cx_audit.renderers.routes import STEPS_SHOWN, render_routes

    steps: dict[str, dict[str, Any]] = {"in": {"kind": "entry", "next": ["s0"]}}
    for i in range(STEPS_SHOWN):
        steps[f"s{i}"] = {"wait": 5000.0, "shield": "queue",
                          "next": [f"s{i + 1}" if i < STEPS_SHOWN - 1 else "done"]}
    steps["done"] = {"kind": "resolution"}
    journey = make_journey(steps, journey_id="a-rather-long-journey-id-for-the-title-line")
    text = render_routes(journey, most_likely_routes(journey, 1), width=40)
    assert all(len(line) <= 40 for line in text.splitlines())
    assert "steps more" not in text and "s20" in text  # 42 steps: hiding 2 saves nothing
