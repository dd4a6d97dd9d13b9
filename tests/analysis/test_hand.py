"""Small journeys whose every figure is worked out by hand in the test."""

from __future__ import annotations

import math

import pytest

from cx_audit.analysis import (
    UNBOUNDED,
    analyse,
    best_shield_route,
    erlang_c,
    loops_on_routes,
    max_retell_route,
    most_likely_routes,
    on_route_steps,
    reachable_steps,
    resolving_steps,
    shortest_cycle,
    steps_on_every_route,
    trap_loops,
)
from cx_audit.analysis.view import journey_view

from .builder import make_journey
from .transform import remove

approx = pytest.approx


def end_sum(m) -> float:
    return m.p_resolution + m.p_abandon + m.p_stranded + m.p_trapped


class TestLinearChain:
    journey = make_journey({
        "call": {"kind": "entry", "shield": "ivr", "wait": 1.0, "next": ["menu"]},
        "menu": {"shield": "menu", "wait": 2.0, "next": ["agent"]},
        "agent": {"wait": 3.0, "next": ["done"]},
        "done": {"kind": "resolution"},
    })

    def test_metrics(self) -> None:
        m = analyse(self.journey).metrics
        assert (m.steps, m.transitions, m.paths) == (4, 3, 1)
        assert (m.shields_min, m.shields_max, m.retells_max) == (2, 2, 0)
        assert m.p_resolution == 1.0 and m.p_first_time == 1.0
        assert m.p_abandon == m.p_stranded == m.p_trapped == 0.0
        assert m.shields_expected == approx(2.0)
        assert m.wait_expected == approx(1.0 + 2.0 + 3.0)
        assert m.retells_expected == 0.0 and m.handoffs_expected == 0.0

    def test_steps(self) -> None:
        steps = analyse(self.journey).steps
        for s in ("call", "menu", "agent", "done"):
            assert steps[s].visits == approx(1.0) and steps[s].p_reach == approx(1.0)
        assert steps["call"].impact is None and steps["done"].impact is None
        # removing the menu: one layer and 2 minutes less, nobody lost or won
        menu = steps["menu"].impact
        assert menu.delta_p_resolution == approx(0.0, abs=1e-15)
        assert menu.delta_shields_expected == approx(-1.0)
        assert menu.delta_wait_expected == approx(-2.0)

    def test_structure(self) -> None:
        G = journey_view(self.journey)
        assert best_shield_route(G) == ("call", "menu", "agent", "done")
        assert steps_on_every_route(G) == ["call", "menu", "agent", "done"]
        assert loops_on_routes(G) == [] and trap_loops(G) == []

    def test_to_dict(self) -> None:
        d = analyse(self.journey).to_dict()
        assert d["metrics"]["paths"] == 1
        assert list(d["metrics"]) == [
            "steps", "transitions", "paths", "shields_min", "shields_max", "retells_max",
            "p_resolution", "p_abandon", "p_stranded", "p_trapped", "p_first_time",
            "shields_expected", "retells_expected", "handoffs_expected", "wait_expected",
        ]
        assert d["steps"]["menu"]["impact"]["delta_shields_expected"] == approx(-1.0)


class TestBranchWithAbandon:
    journey = make_journey({
        "call": {"kind": "entry", "next": ["menu"]},
        "menu": {"shield": "menu", "abandon": 0.2, "wait": 1.0,
                 "next": [("agent", 0.75), ("faq", 0.25)]},
        "agent": {"wait": 4.0, "next": ["done"]},
        "faq": {"shield": "deflection", "next": [("done", 0.4), ("gives-up", 0.6)]},
        "done": {"kind": "resolution"},
        "gives-up": {"kind": "abandon"},
    })

    def test_end_probabilities(self) -> None:
        m = analyse(self.journey).metrics
        kept = 1 - 0.2
        assert m.p_resolution == approx(kept * (0.75 + 0.25 * 0.4))          # 0.68
        assert m.p_abandon == approx(0.2 + kept * 0.25 * 0.6)               # 0.32
        assert m.p_stranded == 0.0 and m.p_trapped == 0.0
        assert end_sum(m) == approx(1.0, abs=1e-12)

    def test_expectations(self) -> None:
        m = analyse(self.journey).metrics
        # the menu's layer and wait count for those who abandon there too
        assert m.shields_expected == approx(1.0 + 0.8 * 0.25)
        assert m.wait_expected == approx(1.0 + 0.8 * 0.75 * 4.0)
        assert (m.paths, m.shields_min, m.shields_max) == (2, 1, 2)

    def test_visits(self) -> None:
        steps = analyse(self.journey).steps
        assert steps["faq"].visits == approx(0.8 * 0.25)
        assert steps["gives-up"].p_reach == approx(0.8 * 0.25 * 0.6)

    def test_impacts(self) -> None:
        steps = analyse(self.journey).steps
        # without the menu: everyone goes on, 0.75 + 0.25 * 0.4 = 0.85 resolve
        menu = steps["menu"].impact
        assert menu.delta_p_resolution == approx(0.85 - 0.68)
        # shields: 1.2 before; after: only faq, reached by 0.25
        assert menu.delta_shields_expected == approx(0.25 - 1.2)
        # wait: 1 + 0.6 * 4 = 3.4 before; after 0.75 * 4 = 3
        assert menu.delta_wait_expected == approx(3.0 - 3.4)
        # without the faq: its customers still split 0.4 / 0.6 between done
        # and giving up; only its layer goes (reached by 0.8 * 0.25)
        faq = steps["faq"].impact
        assert faq.delta_p_resolution == approx(0.0, abs=1e-15)
        assert faq.delta_shields_expected == approx(-0.2)

    def test_routes(self) -> None:
        routes = most_likely_routes(self.journey, 5)
        assert [r.steps for r in routes] == [
            ("call", "menu", "agent", "done"),
            ("call", "menu", "faq", "done"),
        ]
        assert routes[0].probability == approx(0.8 * 0.75)
        assert routes[1].probability == approx(0.8 * 0.25 * 0.4)
        assert (routes[0].shields, routes[0].wait) == (1, approx(5.0))
        assert routes[1].shields == 2

    def test_every_route(self) -> None:
        G = journey_view(self.journey)
        assert steps_on_every_route(G) == ["call", "menu", "done"]
        assert best_shield_route(G) == ("call", "menu", "agent", "done")


class TestLoopWithAWayOut:
    # agent resolves 60% of the time, else puts the customer on hold (a
    # shield with a 5-minute wait) and picks up again: a geometric series.
    journey = make_journey({
        "call": {"kind": "entry", "next": ["agent"]},
        "agent": {"next": [("done", 0.6), ("hold", 0.4, "cold")]},
        "hold": {"shield": "hold", "wait": 5.0, "next": ["agent"]},
        "done": {"kind": "resolution"},
    })

    def test_metrics(self) -> None:
        m = analyse(self.journey).metrics
        agent_visits = sum(0.4**k for k in range(200))  # 1 / (1 - 0.4)
        hold_visits = 0.4 * agent_visits                  # 2/3
        assert m.p_resolution == approx(1.0)
        assert m.shields_expected == approx(hold_visits)
        assert m.wait_expected == approx(5.0 * hold_visits)
        assert m.retells_expected == approx(hold_visits)
        assert m.handoffs_expected == approx(hold_visits)
        # first time: resolved on the first pass, before any handoff
        assert m.p_first_time == approx(0.6)
        assert m.paths == UNBOUNDED and m.shields_max == UNBOUNDED
        assert m.retells_max == UNBOUNDED and m.shields_min == 0

    def test_steps(self) -> None:
        steps = analyse(self.journey).steps
        assert steps["agent"].visits == approx(1 / 0.6)
        assert steps["agent"].p_reach == approx(1.0)
        assert steps["hold"].visits == approx(0.4 / 0.6)
        assert steps["hold"].p_reach == approx(0.4)

    def test_impacts(self) -> None:
        steps = analyse(self.journey).steps
        # without hold: agent -> agent with 0.4; agent still visited 1/0.6
        hold = steps["hold"].impact
        assert hold.delta_p_resolution == approx(0.0, abs=1e-12)
        assert hold.delta_shields_expected == approx(-0.4 / 0.6)
        assert hold.delta_wait_expected == approx(-5 * 0.4 / 0.6)
        # without agent: call -> done 0.6 / hold 0.4, hold -> hold 0.4 / done 0.6;
        # hold is then visited 0.4 / (1 - 0.4): nothing changes
        agent = steps["agent"].impact
        assert agent.delta_p_resolution == approx(0.0, abs=1e-12)
        assert agent.delta_shields_expected == approx(0.0, abs=1e-12)

    def test_structure(self) -> None:
        G = journey_view(self.journey)
        assert loops_on_routes(G) == [("agent", "hold")]
        assert shortest_cycle(G, "hold") == ("hold", "agent", "hold")
        assert shortest_cycle(G, "call") is None
        assert trap_loops(G) == []

    def test_routes(self) -> None:
        routes = most_likely_routes(self.journey, 3)
        assert [r.probability for r in routes] == approx([0.6, 0.4 * 0.6, 0.4**2 * 0.6])
        assert routes[1].steps == ("call", "agent", "hold", "agent", "done")
        assert (routes[2].retells, routes[2].shields, routes[2].wait) == (2, 2, approx(10.0))


class TestTrapLoop:
    def journey(self, shield: str | None, wait: float | None):
        return make_journey({
            "in": {"kind": "entry", "next": [("a", 0.5), ("done", 0.5)]},
            "a": {"shield": shield, "next": ["b"]},
            "b": {"wait": wait, "next": [("a", None, "warm")]},
            "done": {"kind": "resolution"},
        })

    def test_trapped_with_shield_and_wait(self) -> None:
        a = analyse(self.journey("bot", 2.0))
        m = a.metrics
        assert m.p_trapped == approx(0.5) and m.p_resolution == approx(0.5)
        assert end_sum(m) == approx(1.0, abs=1e-12)
        assert math.isinf(m.shields_expected) and math.isinf(m.wait_expected)
        assert math.isinf(m.handoffs_expected)  # the warm handoff b -> a is in the loop
        assert m.retells_expected == 0.0   # no cold handoff: finite
        assert math.isinf(a.steps["a"].visits) and a.steps["a"].p_reach == approx(0.5)
        assert a.steps["b"].p_reach == approx(0.5)
        assert a.steps["in"].visits == approx(1.0)

    def test_trap_without_shields_keeps_shields_finite(self) -> None:
        m = analyse(self.journey(None, None)).metrics
        assert m.shields_expected == 0.0 and m.wait_expected == 0.0
        assert m.p_trapped == approx(0.5)

    def test_trap_loops(self) -> None:
        G = journey_view(self.journey("bot", 2.0))
        assert trap_loops(G) == [("a", "b")]
        # the trap is not on a route: it reaches no resolution
        assert on_route_steps(G) == {"in", "done"}
        assert reachable_steps(G) == {"in", "a", "b", "done"}
        assert resolving_steps(G) == {"in", "done"}

    def test_impacts_in_trap(self) -> None:
        steps = analyse(self.journey("bot", 2.0)).steps
        # removing a: b -> b self-loop; still trapped, wait still infinite
        a = steps["a"].impact
        assert a.delta_p_resolution == approx(0.0, abs=1e-12)
        assert a.delta_shields_expected is None and a.delta_wait_expected is None

    def test_exit_with_zero_probability_traps(self) -> None:
        j = make_journey({
            "in": {"kind": "entry", "next": ["a"]},
            "a": {"next": [("a", 1.0), ("done", 0.0)]},
            "done": {"kind": "resolution"},
        })
        m = analyse(j).metrics
        assert m.p_trapped == approx(1.0) and m.p_resolution == 0.0
        assert trap_loops(journey_view(j)) == [("a",)]
        # structurally the loop is on a route
        assert m.paths == UNBOUNDED


class TestSeveralEntries:
    def test_shares(self) -> None:
        j = make_journey({
            "web": {"kind": "entry", "share": 0.3, "next": ["form"]},
            "phone": {"kind": "entry", "next": ["queue"]},  # gets 1 - 0.3 = 0.7
            "form": {"shield": "form", "next": ["done"]},
            "queue": {"next": [("done", 0.5), ("hangs-up", 0.5)]},
            "done": {"kind": "resolution"},
            "hangs-up": {"kind": "abandon"},
        })
        m = analyse(j).metrics
        assert m.p_resolution == approx(0.3 + 0.7 * 0.5)
        assert m.p_abandon == approx(0.7 * 0.5)
        assert m.shields_expected == approx(0.3)
        assert (m.paths, m.shields_min, m.shields_max) == (2, 0, 1)
        assert steps_on_every_route(journey_view(j)) == ["done"]

    def test_shares_below_one_are_scaled(self) -> None:
        j = make_journey({
            "web": {"kind": "entry", "share": 0.2, "next": ["done"]},
            "phone": {"kind": "entry", "share": 0.3, "next": ["gone"]},
            "done": {"kind": "resolution"},
            "gone": {"kind": "abandon"},
        })
        m = analyse(j).metrics
        assert m.p_resolution == approx(0.2 / 0.5) and m.p_abandon == approx(0.3 / 0.5)
        routes = most_likely_routes(j, 3)
        assert len(routes) == 1 and routes[0].probability == approx(0.4)

    def test_no_entry(self) -> None:
        j = make_journey({"a": {"next": ["done"]}, "done": {"kind": "resolution"}})
        m = analyse(j).metrics
        assert m.paths is None and m.shields_min is None and m.shields_max is None
        assert m.retells_max is None
        assert m.p_resolution == m.p_abandon == m.p_stranded == m.p_trapped == 0.0
        assert most_likely_routes(j, 3) == []


class TestStranded:
    journey = make_journey({
        "in": {"kind": "entry", "next": [("a", 0.5), ("b", 0.5)]},
        "a": {"abandon": 0.2, "shield": "form", "wait": 3.0},  # no next
        "b": {"next": ["done"]},
        "done": {"kind": "resolution"},
    })

    def test_metrics(self) -> None:
        m = analyse(self.journey).metrics
        assert m.p_resolution == approx(0.5)
        assert m.p_abandon == approx(0.5 * 0.2)
        assert m.p_stranded == approx(0.5 * 0.8)
        assert m.shields_expected == approx(0.5) and m.wait_expected == approx(1.5)
        assert end_sum(m) == approx(1.0, abs=1e-12)

    def test_removing_a_dead_end_strands_its_customers(self) -> None:
        impact = analyse(self.journey).steps["a"].impact
        assert impact.delta_p_resolution == approx(0.0, abs=1e-12)
        assert impact.delta_shields_expected == approx(-0.5)
        assert impact.delta_wait_expected == approx(-1.5)


class TestColdHandoffChain:
    journey = make_journey({
        "in": {"kind": "entry", "next": [("front", 0.5, "cold"), ("self", 0.5)]},
        "front": {"next": [("billing", None, "cold")]},
        "billing": {"next": [("specialist", None, "warm")]},
        "specialist": {"next": ["done"]},
        "self": {"next": ["done"]},
        "done": {"kind": "resolution"},
    })

    def test_metrics(self) -> None:
        m = analyse(self.journey).metrics
        assert m.retells_max == 2
        assert m.retells_expected == approx(0.5 * 2)
        assert m.handoffs_expected == approx(0.5 * 3)
        assert m.p_first_time == approx(0.5)
        assert m.p_resolution == approx(1.0)

    def test_retell_route(self) -> None:
        G = journey_view(self.journey)
        assert max_retell_route(G) == ("in", "front", "billing", "specialist", "done")

    def test_retell_route_through_a_loop(self) -> None:
        j = make_journey({
            "in": {"kind": "entry", "next": ["a"]},
            "a": {"next": ["b", "done"]},
            "b": {"next": ["a", ("c", None, "cold")]},
            "c": {"next": ["done"]},
            "done": {"kind": "resolution"},
        })
        G = journey_view(j)
        assert analyse(j).metrics.retells_max == 1
        assert max_retell_route(G) == ("in", "a", "b", "c", "done")


class TestQueue:
    def test_erlang_wait_in_expectation(self) -> None:
        j = make_journey({
            "in": {"kind": "entry", "next": ["queue"]},
            "queue": {"shield": "queue", "staffing": (200, 3, 14), "abandon": 0.1,
                      "next": ["done"]},
            "done": {"kind": "resolution"},
        })
        a = analyse(j)
        asa = erlang_c(200, 3, 14).asa_minutes
        assert asa * 60 == approx(7.84, abs=0.005)
        assert a.steps["queue"].wait == approx(asa)
        assert a.metrics.wait_expected == approx(asa)
        assert a.steps["queue"].impact.delta_wait_expected == approx(-asa)
        assert a.steps["queue"].impact.delta_p_resolution == approx(0.1)


class TestSelfLoop:
    # s retries itself half of the time, sends 30% to x (which comes back
    # half of the time) and resolves 20%.
    journey = make_journey({
        "in": {"kind": "entry", "next": ["s"]},
        "s": {"wait": 1.0, "next": [("s", 0.5), ("x", 0.3), ("done", 0.2)]},
        "x": {"shield": "form", "next": [("s", 0.5), ("done", 0.5)]},
        "done": {"kind": "resolution"},
    })

    def test_visits(self) -> None:
        a = analyse(self.journey)
        # v_s = 1 + 0.5 v_s + 0.5 v_x and v_x = 0.3 v_s  =>  v_s = 1 / 0.35
        assert a.steps["s"].visits == approx(1 / 0.35)
        assert a.steps["x"].visits == approx(0.3 / 0.35)
        # x is reached unless s resolves before ever going to x:
        # P(s -> x before s -> done) = 0.3 / (0.3 + 0.2)
        assert a.steps["x"].p_reach == approx(0.6)
        assert a.metrics.wait_expected == approx(1 / 0.35)

    def test_removing_a_step_with_a_self_loop(self) -> None:
        a = analyse(self.journey)
        # without s: in -> x 0.6 / done 0.4; x -> x 0.3 / done 0.7, so x is
        # visited 0.6 / (1 - 0.3) = 6/7 times, as before, and s's wait goes
        impact = a.steps["s"].impact
        assert impact.delta_p_resolution == approx(0.0, abs=1e-12)
        assert impact.delta_shields_expected == approx(0.6 / 0.7 - 0.3 / 0.35, abs=1e-12)
        assert impact.delta_wait_expected == approx(-1 / 0.35)


class TestJourneyView:
    def test_answers_are_the_callers_copies(self) -> None:
        j = make_journey({
            "in": {"kind": "entry", "next": ["done"]},
            "done": {"kind": "resolution"},
            "side": {"next": ["done"]},
        })
        view = journey_view(j)
        found = reachable_steps(view)
        assert found == {"in", "done"}
        found.add("side")  # the caller's copy: the next answer is unchanged
        assert reachable_steps(view) == {"in", "done"}
        assert reachable_steps(journey_view(j)) == {"in", "done"}  # a fresh view agrees


class TestNearlyClosedLoops:
    """Loops that almost never let go: the impact must keep its precision."""

    @staticmethod
    def check_against_removal(spec: dict, step_id: str) -> None:
        before = analyse(make_journey(spec))
        after = analyse(make_journey(remove(spec, step_id))).metrics
        impact = before.steps[step_id].impact
        m = before.metrics
        assert m.p_resolution + impact.delta_p_resolution == approx(after.p_resolution,
                                                                    rel=1e-9, abs=1e-12)
        for name, delta in (("shields_expected", impact.delta_shields_expected),
                            ("wait_expected", impact.delta_wait_expected)):
            b, f = getattr(m, name), getattr(after, name)
            if b is None or f is None:
                assert delta is None
            else:
                assert b + delta == approx(f, rel=1e-9, abs=1e-9), name

    def test_two_step_loop(self) -> None:
        eps = 1e-12
        spec = {
            "in": {"kind": "entry", "next": ["a"]},
            "a": {"wait": 1.0, "next": [("b", 1 - eps), ("done", eps)]},
            "b": {"shield": "hold", "next": ["a"]},
            "done": {"kind": "resolution"},
        }
        a = analyse(make_journey(spec))
        # a is visited 1/eps times, b one time fewer; without b, a loops on
        # itself as often and only b's layers go
        impact = a.steps["b"].impact
        assert impact.delta_shields_expected == approx(-(1 / eps - 1), rel=1e-9)
        assert impact.delta_wait_expected == approx(0.0, abs=1e-3)
        assert impact.delta_p_resolution == approx(0.0, abs=1e-9)
        self.check_against_removal(spec, "b")
        self.check_against_removal(spec, "a")

    def test_removal_that_closes_the_loop(self) -> None:
        # s only lets go through its abandon share: without s, x loops on itself
        spec = {
            "in": {"kind": "entry", "next": ["s"]},
            "s": {"abandon": 0.5, "next": ["x"]},
            "x": {"shield": "bot", "next": ["s"]},
            "done": {"kind": "resolution"},
        }
        a = analyse(make_journey(spec))
        assert a.metrics.shields_expected == approx(1.0)  # x: 1/2 + 1/4 + ...
        impact = a.steps["s"].impact
        assert impact.delta_p_resolution == 0.0
        assert impact.delta_shields_expected is None  # trapped with a shield after
        assert analyse(make_journey(remove(spec, "s"))).metrics.p_trapped == approx(1.0)

    def test_start_over_from_every_step(self) -> None:
        # every step sends 15% back to the start: resolving takes 0.85**n
        # in a row, about 1e-12 for n = 170, so removals are near-closed
        n = 170
        spec: dict = {"in": {"kind": "entry", "next": ["s0"]}}
        for i in range(n):
            following = f"s{i + 1}" if i + 1 < n else "done"
            spec[f"s{i}"] = {"shield": "ivr" if i % 50 == 0 else None, "wait": 0.5,
                             "next": [(following, 0.85), ("in", 0.15)]}
        spec["done"] = {"kind": "resolution"}
        a = analyse(make_journey(spec))
        assert a.metrics.p_resolution == approx(1.0)
        for step_id in ("s0", "s1", "s90", f"s{n - 1}"):
            self.check_against_removal(spec, step_id)


def test_abandon_one_off_any_cycle() -> None:
    # everyone gives up at s; without s they go on to done
    spec = {
        "in": {"kind": "entry", "next": ["s"]},
        "s": {"abandon": 1.0, "shield": "form", "next": ["t"]},
        "t": {"wait": 2.0, "next": ["done"]},
        "done": {"kind": "resolution"},
    }
    impact = analyse(make_journey(spec)).steps["s"].impact
    assert impact.delta_p_resolution == approx(1.0)
    assert impact.delta_shields_expected == approx(-1.0)
    assert impact.delta_wait_expected == approx(2.0)
