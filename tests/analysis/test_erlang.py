"""Erlang C: the published check value, limits and the stable recursion."""

from __future__ import annotations

import math

import pytest

from cx_audit.analysis import analyse, erlang_c, step_wait

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
