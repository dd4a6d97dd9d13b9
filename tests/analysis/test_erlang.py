"""Erlang C: the published check value, limits and the stable recursion."""

from __future__ import annotations

import math
import time
from fractions import Fraction

import pytest

from cx_audit.analysis import analyse, erlang_c, fewest_agents, service_level, step_wait
from cx_audit.analysis.erlang import EXACT_LOAD_LIMIT

from .builder import make_journey


def _erlang_c_by_formula(arrivals_per_hour: float, handle: float, agents: int) -> float:
    """The textbook formula with factorials, for small cases only."""
    a = arrivals_per_hour / 60 * handle
    top = a**agents / math.factorial(agents) * agents / (agents - a)
    bottom = sum(a**k / math.factorial(k) for k in range(agents)) + top
    return top / bottom


class TestErlangC:
    def test_check_value(self) -> None:
        # 100 calls per 30 minutes = 200 per hour, 3-minute handle, 14 agents:
        # load A = 200 / 60 * 3 = 10 Erlangs; P_W = 0.1741, ASA = 7.84 s.
        q = erlang_c(200, 3, 14)
        assert q.load == pytest.approx(10.0)
        assert round(q.p_wait, 4) == 0.1741
        assert round(q.asa_seconds, 2) == 7.84
        # ASA = P_W * handle / (N - A)
        assert q.asa_minutes == pytest.approx(q.p_wait * 3 / (14 - 10))
        assert not q.overloaded

    @pytest.mark.parametrize("arrivals,handle,agents", [
        (200, 3, 14), (60, 4, 5), (10, 6, 2), (120, 2.5, 7), (30, 1, 1),
    ])
    def test_matches_factorial_formula(self, arrivals: float, handle: float, agents: int) -> None:
        assert erlang_c(arrivals, handle, agents).p_wait == pytest.approx(
            _erlang_c_by_formula(arrivals, handle, agents), rel=1e-12)

    def test_single_agent_is_mm1(self) -> None:
        # M/M/1: P_W = rho, ASA = rho / (mu - lambda)
        q = erlang_c(30, 1, 1)  # rho = 0.5, mu = 1/min, lambda = 0.5/min
        assert q.p_wait == pytest.approx(0.5)
        assert q.asa_minutes == pytest.approx(0.5 / (1 - 0.5))

    def test_overloaded(self) -> None:
        q = erlang_c(280, 3, 14)  # A = 14 = N
        assert q.overloaded and q.p_wait == 1.0 and q.asa_minutes is None
        assert q.asa_seconds is None

    def test_no_arrivals(self) -> None:
        q = erlang_c(0, 3, 2)
        assert q.p_wait == 0.0 and q.asa_minutes == 0.0 and not q.overloaded

    def test_thousands_of_agents_stay_finite(self) -> None:
        q = erlang_c(60 * 4900, 1, 5000)  # A = 4900, N = 5000
        assert 0.0 < q.p_wait < 1.0 and math.isfinite(q.asa_minutes)

    def test_rejects_negative(self) -> None:
        with pytest.raises(ValueError):
            erlang_c(-1, 3, 2)


class TestStepWait:
    def test_file_wait_wins(self) -> None:
        j = make_journey({"q": {"wait": 2.0, "staffing": (200, 3, 14)}})
        wait, queue = step_wait(j.steps["q"])
        assert wait == 2.0 and queue is not None

    def test_staffing_gives_asa(self) -> None:
        j = make_journey({
            "in": {"kind": "entry", "next": ["q"]},
            "q": {"staffing": (200, 3, 14), "next": ["done"]},
            "done": {"kind": "resolution"},
        })
        a = analyse(j)
        asa = erlang_c(200, 3, 14).asa_minutes
        assert a.steps["q"].wait == pytest.approx(asa)
        assert a.metrics.wait_expected == pytest.approx(asa)
        assert not a.steps["q"].overloaded

    def test_overloaded_queue_counts_zero_and_is_flagged(self) -> None:
        j = make_journey({
            "in": {"kind": "entry", "next": ["q"]},
            "q": {"staffing": (600, 3, 14), "next": ["done"]},
            "done": {"kind": "resolution", "wait": 1.0},
        })
        a = analyse(j)
        assert a.steps["q"].overloaded and a.steps["q"].wait == 0.0
        assert a.steps["q"].erlang.overloaded
        assert a.metrics.wait_expected == pytest.approx(1.0)


def _erlang_c_exact(load: Fraction, agents: int) -> Fraction:
    """The textbook formula in exact rational arithmetic (no rounding at all)."""
    term = Fraction(1)
    below = Fraction(0)
    for k in range(agents):
        below += term
        term = term * load / (k + 1)
    top = term * agents / (agents - load)
    return top / (below + top)


def _full_recursion(load: float, agents: int) -> float:
    """The Erlang B recursion from B(0) = 1 up to every agent, as it was first written."""
    blocking = 1.0
    for k in range(1, agents + 1):
        blocking = load * blocking / (k + load * blocking)
    return agents * blocking / (agents - load * (1.0 - blocking))


class TestBoundedErlangC:
    """Any staffing is answered at once; exact figures are kept where they can be checked."""

    @pytest.mark.parametrize("load,agents", [
        (10, 11), (10, 14), (10, 40), (37.5, 39), (37.5, 60), (0.25, 1), (0.25, 30),
        (55, 56), (55, 70), (55, 120),
    ])
    def test_matches_the_textbook_formula_in_exact_arithmetic(self, load: float,
                                                              agents: int) -> None:
        want = float(_erlang_c_exact(Fraction(load), agents))
        assert erlang_c(60 * load, 1, agents).p_wait == pytest.approx(want, rel=1e-12)

    @pytest.mark.parametrize("load", [300.0, 2_500.0, 40_000.0])
    @pytest.mark.parametrize("spread", [0.3, 1.0, 3.0, 8.0])
    def test_a_started_recursion_agrees_with_the_whole_one(self, load: float,
                                                           spread: float) -> None:
        # large loads start the recursion below the load: the start must not show
        agents = math.ceil(load + spread * math.sqrt(load))
        want = _full_recursion(load, agents)
        assert erlang_c(60 * load, 1, agents).p_wait == pytest.approx(want, rel=1e-12)

    def test_a_billion_agents_take_milliseconds(self) -> None:
        start = time.perf_counter()
        q = erlang_c(200, 3, 1_000_000_000)
        assert time.perf_counter() - start < 0.05
        assert q.p_wait == 0.0 and q.asa_minutes == 0.0 and not q.overloaded
        assert service_level(200, 3, 1_000_000_000) == 1.0

    def test_agents_beyond_a_float_need_no_conversion(self) -> None:
        q = erlang_c(200, 3, 10**400)
        assert q.p_wait == 0.0 and q.asa_minutes == 0.0 and q.agents == 10**400

    def test_the_largest_exact_load_is_bounded_in_time(self) -> None:
        load = EXACT_LOAD_LIMIT
        start = time.perf_counter()
        q = erlang_c(60 * load, 1, int(load + 2 * math.sqrt(load)))
        assert time.perf_counter() - start < 2.0
        assert 0.0 < q.p_wait < 0.1

    @pytest.mark.parametrize("spread", [0.1, 0.5, 1.0, 2.0, 4.0])
    def test_the_normal_approximation_is_close_where_both_apply(self, spread: float) -> None:
        # just below the limit the exact value is known: the approximation must be near it
        from cx_audit.analysis.erlang import _p_wait_normal

        load = 4e6
        agents = math.ceil(load + spread * math.sqrt(load))
        exact = erlang_c(60 * load, 1, agents).p_wait
        assert abs(_p_wait_normal(load, agents) - exact) < 2e-5

    def test_huge_loads_are_answered_at_once_and_stay_consistent(self) -> None:
        start = time.perf_counter()
        for load in (2e7, 1e9, 1e15):
            agents = fewest_agents(60 * load, 1)
            assert load < agents < load + 10 * math.sqrt(load)
            assert service_level(60 * load, 1, agents) >= 0.8
            assert service_level(60 * load, 1, agents - 1) < 0.8
            q = erlang_c(60 * load, 1, agents)
            assert 0.0 < q.p_wait < 1.0 and math.isfinite(q.asa_minutes)
        assert time.perf_counter() - start < 0.5


class TestFewestAgents:
    @pytest.mark.parametrize("load", [0.5, 10.0, 90.0, 600.0, 12_000.0, 250_000.0])
    @pytest.mark.parametrize("target,answer", [(0.8, 20.0), (0.95, 0.0), (0.5, 60.0)])
    def test_is_the_first_count_that_reaches_the_level(self, load: float, target: float,
                                                       answer: float) -> None:
        agents = fewest_agents(60 * load, 1, target, answer)
        assert service_level(60 * load, 1, agents, answer) >= target
        assert agents - 1 <= load or service_level(60 * load, 1, agents - 1, answer) < target

    def test_matches_a_search_from_one_agent_on_moderate_loads(self) -> None:
        for load in (0.5, 3.0, 10.0, 42.0, 180.0):
            agents = 1
            while service_level(60 * load, 1, agents) < 0.8:
                agents += 1
            assert fewest_agents(60 * load, 1) == agents

    def test_a_large_load_does_not_step_from_zero(self) -> None:
        start = time.perf_counter()
        agents = fewest_agents(60 * 5e6, 1)
        assert time.perf_counter() - start < 2.0
        assert service_level(60 * 5e6, 1, agents) >= 0.8 > service_level(60 * 5e6, 1, agents - 1)
