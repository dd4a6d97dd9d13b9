"""Sensitivity of p_resolution: hand-derived journeys, finite differences, and laziness."""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import cx_audit.analysis.chain as chain_module
import cx_audit.analysis.metrics as metrics_module
from cx_audit.analysis import Sensitivity, analyse, measure_first, sensitivities

from .builder import make_journey
from .strategies import Spec, journey_specs
from .transform import transitions

Key = tuple[str, str, str | None]


def by_key(records: tuple[Sensitivity, ...]) -> dict[Key, Sensitivity]:
    found: dict[Key, Sensitivity] = {(r.parameter, r.step, r.to): r for r in records}
    assert len(found) == len(records), "one record per parameter"
    return found


def menu_loop(a: float, p: float, q: float, given_faq: bool = False) -> Spec:
    """entry -> menu (abandon a) -> agent (p) | faq (1 - p); faq -> done (q) | entry (1 - q)."""
    return {
        "entry": {"kind": "entry", "next": ["menu"]},
        "menu": {"abandon": a, "next": [("agent", p), ("faq", 1 - p if given_faq else None)]},
        "agent": {"next": ["done"]},
        "faq": {"next": [("done", q), ("entry", 1 - q)]},
        "done": {"kind": "resolution"},
    }


# --------------------------------------------------------------------------
# journeys derived by hand


def test_menu_loop_by_hand() -> None:
    a, p, q = 0.2, 0.4, 0.5
    result = analyse(make_journey(menu_loop(a, p, q)))
    # From the entry (and the menu) the chance of resolution m solves
    # m = (1-a) (p + (1-p) (q + (1-q) m)), so P = N / D with
    n = (1 - a) * (p + (1 - p) * q)          # 0.56
    d = 1 - (1 - a) * (1 - p) * (1 - q)      # 0.76
    big_p = n / d
    assert result.metrics.p_resolution == pytest.approx(big_p, abs=1e-12)
    # quotient rule on N / D, one parameter at a time (the others held):
    dp = (1 - a) * (1 - q) * (d - n) / d**2                        # dN/dp = dD/dp
    da = (-(p + (1 - p) * q) * d - n * (1 - p) * (1 - q)) / d**2   # dN/da, dD/da
    dq = (1 - a) * (1 - p) * (d - n) / d**2                        # dN/dq = dD/dq
    # an abandon share b at the entry multiplies both N and the loop's return by 1 - b
    d_entry = (-n * d - n * (1 - a) * (1 - p) * (1 - q)) / d**2
    # visits: entry and menu 1/D, agent (1-a) p / D, faq (1-a)(1-p) / D; going on from
    # agent resolves surely, from faq with q + (1-q) P
    d_agent = -(1 - a) * p / d
    d_faq = -(1 - a) * (1 - p) / d * (q + (1 - q) * big_p)
    expected = {
        ("p", "menu", "agent"): (dp, True, p),
        ("p", "menu", "faq"): (-dp, False, 1 - p),   # the other share of a two-way split
        ("p", "faq", "done"): (dq, True, q),
        ("p", "faq", "entry"): (-dq, True, 1 - q),
        ("abandon", "menu", None): (da, True, a),
        ("abandon", "entry", None): (d_entry, False, 0.0),
        ("abandon", "agent", None): (d_agent, False, 0.0),
        ("abandon", "faq", None): (d_faq, False, 0.0),
    }
    # left out: entry -> menu and agent -> done carry their step's whole share, and
    # the only entry starts everyone; done ends the walk
    found = by_key(result.sensitivity)
    assert set(found) == set(expected)
    for key, (derivative, was_given, value) in expected.items():
        record = found[key]
        assert record.derivative == pytest.approx(derivative, abs=1e-12), key
        assert record.given is was_given, key
        assert record.value == pytest.approx(value, abs=1e-12), key
    sizes = [abs(r.derivative) for r in result.sensitivity]
    assert sizes == sorted(sizes, reverse=True)
    # the numbers themselves, for a reader: dP/dp = 0.08 / 0.5776
    assert dp == pytest.approx(0.138504, abs=1e-6)
    assert da == pytest.approx(-1.211911, abs=1e-6)
    assert dq == pytest.approx(0.166205, abs=1e-6)


def test_entry_shares_by_hand() -> None:
    # web resolves everyone, phone half: P(w) = w + (1 - w) / 2, so dP/dw = 1/2 and,
    # with phone's share f = 1 - w, dP/df = -1/2
    spec: Spec = {
        "web": {"kind": "entry", "share": 0.25, "next": ["done"]},
        "phone": {"kind": "entry", "next": ["line"]},
        "line": {"abandon": 0.5, "next": ["done"]},
        "done": {"kind": "resolution"},
    }
    found = by_key(analyse(make_journey(spec)).sensitivity)
    assert found["share", "web", None].derivative == pytest.approx(0.5, abs=1e-12)
    assert found["share", "web", None].given is True
    assert found["share", "phone", None].derivative == pytest.approx(-0.5, abs=1e-12)
    assert found["share", "phone", None].given is False  # the remainder, 0.75
    assert found["share", "phone", None].value == pytest.approx(0.75, abs=1e-12)
    # giving up at line: 0.75 of customers pass it, each resolved surely after it
    assert found["abandon", "line", None].derivative == pytest.approx(-0.75, abs=1e-12)


def test_ties_keep_file_order() -> None:
    spec: Spec = {
        "web": {"kind": "entry", "share": 0.5, "next": ["done"]},
        "phone": {"kind": "entry", "share": 0.5, "next": ["lost"]},
        "done": {"kind": "resolution"},
        "lost": {"kind": "abandon"},
    }
    records = analyse(make_journey(spec)).sensitivity
    # dP/dweb = (1 - 0.5) / 0.5, dP/dphone = (0 - 0.5) / 0.5; giving up at web costs the
    # half that starts there, at phone nothing
    assert [(r.parameter, r.step, r.derivative) for r in records] == [
        ("share", "web", 1.0), ("share", "phone", -1.0),
        ("abandon", "web", -0.5), ("abandon", "phone", 0.0),
    ]


def test_zero_share_alternative_is_a_parameter_the_whole_share_is_not() -> None:
    spec: Spec = {
        "call": {"kind": "entry", "next": ["menu"]},
        "menu": {"abandon": 0.1, "next": [("agent", 1.0), ("faq", 0.0)]},
        "agent": {"next": [("done", 0.8), ("gone", 0.2)]},
        "faq": {"next": [("done", 0.3), ("gone", 0.7)]},
        "done": {"kind": "resolution"},
        "gone": {"kind": "abandon"},
    }
    found = by_key(analyse(make_journey(spec)).sensitivity)
    assert ("p", "menu", "agent") not in found
    # moving customers from agent (0.8) to faq (0.3), after the 10% who give up
    assert found["p", "menu", "faq"].derivative == pytest.approx(0.9 * (0.3 - 0.8), abs=1e-12)
    assert found["p", "menu", "faq"].given is True
    assert found["p", "menu", "faq"].value == 0.0


def test_trap_loop_and_stranded_steps() -> None:
    # half of s goes to done, half into t <-> w, which nobody leaves (t's exit has p: 0)
    spec: Spec = {
        "e": {"kind": "entry", "next": ["s"]},
        "s": {"next": [("done", 0.5), ("t", 0.5)]},
        "t": {"abandon": 0.0, "next": [("w", 1.0), ("done", 0.0)]},
        "w": {"next": ["t"]},
        "stuck": {"abandon": 0.4},
        "done": {"kind": "resolution"},
    }
    result = analyse(make_journey(spec))
    assert result.metrics.p_trapped == pytest.approx(0.5)
    found = by_key(result.sensitivity)
    assert not [key for key in found if key[1] in ("t", "w")]  # no derivative in the trap
    # P(θ) = θ for the share θ of s -> done, the rest going to the trap
    assert found["p", "s", "done"].derivative == pytest.approx(1.0, abs=1e-12)
    assert found["p", "s", "t"].derivative == pytest.approx(-1.0, abs=1e-12)
    assert found["abandon", "s", None].derivative == pytest.approx(-0.5, abs=1e-12)
    # a stranded step resolves nobody, whatever its abandon share; it has no way on
    assert found["abandon", "stuck", None].derivative == 0.0
    assert [key for key in found if key[1] == "stuck"] == [("abandon", "stuck", None)]


def test_nobody_starts() -> None:
    spec: Spec = {"a": {"next": ["done"]}, "done": {"kind": "resolution"}}
    records = analyse(make_journey(spec)).sensitivity
    assert [(r.parameter, r.step, r.derivative) for r in records] == [("abandon", "a", 0.0)]


def test_a_loop_inverted_in_full_gets_the_same_sensitivities(
        monkeypatch: pytest.MonkeyPatch) -> None:
    spec = menu_loop(0.2, 0.4, 0.5)
    sparse = analyse(make_journey(spec)).sensitivity
    monkeypatch.setattr(chain_module, "DENSE_MIN_WORK", 0)  # every loop counts as dense
    result = analyse(make_journey(spec))
    assert type(result.solution.chain.factor(result.solution.chain.comp_of[0])[0]).__name__ \
        == "DenseInverse"
    dense = {(r.parameter, r.step, r.to): r.derivative for r in result.sensitivity}
    assert dense == pytest.approx(
        {(r.parameter, r.step, r.to): r.derivative for r in sparse}, rel=1e-12, abs=1e-15)


# --------------------------------------------------------------------------
# worded for people


def test_measure_first_wording() -> None:
    result = analyse(make_journey(menu_loop(0.2, 0.4, 0.5)))
    assert result.measure_first() == [
        "the share of customers who give up at 'menu' (given as 0.20): "
        "+1 point of it changes resolution by -1.21 points",
        "the share of customers who go from 'faq' to 'done' (given as 0.50): "
        "+1 point of it changes resolution by +0.17 points",
        "the share of customers who go from 'menu' to 'agent' (given as 0.40): "
        "+1 point of it changes resolution by +0.14 points",
    ]  # unwritten abandon shares are left out, and each split is worded once
    assert result.measure_first(count=1) == result.measure_first()[:1]


def test_measure_first_even_split_and_scaled_shares() -> None:
    spec: Spec = {
        "web": {"kind": "entry", "share": 0.3, "next": [("done", None), ("lost", None)]},
        "phone": {"kind": "entry", "share": 0.3, "next": ["lost"]},
        "done": {"kind": "resolution"},
        "lost": {"kind": "abandon"},
    }
    result = analyse(make_journey(spec))  # shares 0.3 + 0.3, read as 0.5 each
    assert result.measure_first() == [
        "the share of customers who start at 'web' (given as 0.30, read as 0.50 once the "
        "shares add up to 1): +1 point of it changes resolution by +0.50 points",
        "the share of customers who go from 'web' to 'done' (not given: 0.50 by the even "
        "split): +1 point of it changes resolution by +0.50 points",
        "the share of customers who start at 'phone' (given as 0.30, read as 0.50 once the "
        "shares add up to 1): +1 point of it changes resolution by -0.50 points",
    ]  # all four of 0.5 in size: file order, web's figures first
    # without the journey, the figure is quoted as the chain reads it
    assert measure_first(result.sensitivity)[0].startswith(
        "the share of customers who start at 'web' (given as 0.50):")


def test_measure_first_small_given_figure() -> None:
    spec: Spec = {
        "e": {"kind": "entry", "abandon": 0.0001, "next": ["done"]},
        "done": {"kind": "resolution"},
    }
    assert analyse(make_journey(spec)).measure_first() == [
        "the share of customers who give up at 'e' (given as 0.0001): "
        "+1 point of it changes resolution by -1.00 points",
    ]


def test_measure_first_skips_negligible_figures() -> None:
    spec: Spec = {
        "e": {"kind": "entry", "abandon": 0.5, "next": ["lost"]},
        "lost": {"kind": "abandon"},
    }
    result = analyse(make_journey(spec))
    assert [r.derivative for r in result.sensitivity] == [0.0]
    assert result.measure_first() == []


# --------------------------------------------------------------------------
# laziness


def test_reading_metrics_or_steps_does_not_compute_it(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    def counting(*args: Any) -> tuple[Sensitivity, ...]:
        calls.append(1)
        return sensitivities(*args)

    monkeypatch.setattr(metrics_module, "sensitivities", counting)
    values_read: list[int] = []
    original_values = chain_module.ChainSolution.values

    def counting_values(self: chain_module.ChainSolution) -> Any:
        values_read.append(1)
        return original_values(self)

    monkeypatch.setattr(chain_module.ChainSolution, "values", counting_values)
    result = analyse(make_journey(menu_loop(0.2, 0.4, 0.5)))
    assert result.metrics.p_resolution > 0
    assert calls == [] and values_read == []  # no backward solve for the metrics
    result.to_dict()  # the JSON report's figures: per-step, not sensitivities
    assert calls == []
    first = result.sensitivity
    assert calls == [1]
    assert result.sensitivity is first and calls == [1]  # computed once, then kept


# --------------------------------------------------------------------------
# against finite differences on random journeys


def shares_of(spec: Spec, step: str) -> list[tuple[str, float, str | None]]:
    """The step's transitions with their shares divided by their sum, as the chain reads them."""
    moves = transitions(spec[step])
    total = math.fsum(max(0.0, p) for _, p, _ in moves)
    return [(to, max(0.0, p) / total, h) for to, p, h in moves]


def rescaled(values: list[float], k: int, new: float) -> list[float]:
    """``values`` (summing to 1) with the k-th set to ``new`` and the others scaled to fit."""
    old = values[k]
    scale = (1.0 - new) / (1.0 - old)
    return [new if i == k else v * scale for i, v in enumerate(values)]


def moved(spec: Spec, key: Key, base: float, delta: float) -> Spec:
    """A copy of ``spec`` with the parameter ``key`` moved from ``base`` by ``delta``."""
    parameter, step, to = key
    result = copy.deepcopy(spec)
    if parameter == "abandon":
        result[step]["abandon"] = base + delta
    elif parameter == "p":
        moves = shares_of(spec, step)
        k = [target for target, _, _ in moves].index(str(to))
        new = rescaled([s for _, s, _ in moves], k, base + delta)
        result[step]["next"] = [(target, s, h) for (target, _, h), s in zip(moves, new)]
    else:
        entries = [sid for sid, s in spec.items() if s.get("kind") == "entry"]
        shares = make_journey(spec).entry_shares
        total = math.fsum(shares[e] for e in entries)
        start = [shares[e] / total for e in entries]
        new = rescaled(start, entries.index(step), base + delta)
        for e, s in zip(entries, new):
            result[e]["share"] = s
    return result


def finite_difference(spec: Spec, key: Key, base: float) -> float:
    """d p_resolution / d θ by differences of re-analysed copies, Richardson-extrapolated.

    Central where θ can move both ways inside [0, 1], one-sided at the edges.
    """
    def p_at(delta: float) -> float:
        return analyse(make_journey(moved(spec, key, base, delta))).metrics.p_resolution

    h = 1e-3
    if base - h >= 0.0 and base + h <= 1.0:
        def estimate(step: float) -> float:
            return (p_at(step) - p_at(-step)) / (2 * step)
    else:
        sign = 1.0 if base - h < 0.0 else -1.0
        p0 = p_at(0.0)

        def estimate(step: float) -> float:
            s = sign * step
            return (-3 * p0 + 4 * p_at(s) - p_at(2 * s)) / (2 * s)
    return (4 * estimate(h / 2) - estimate(h)) / 3


@settings(max_examples=40, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(journey_specs(max_plain=5))
def test_against_finite_differences(spec: Spec) -> None:
    journey = make_journey(spec)
    result = analyse(journey)
    sol = result.solution
    found = by_key(result.sensitivity)
    visits = dict(zip(sol.net.ids, sol.visits))
    start = dict(zip(sol.net.ids, sol.start))
    candidates: list[tuple[Key, float, bool]] = []  # (key, value, left out for a reason)
    for step_id, step in spec.items():
        kind = step.get("kind", "step")
        if kind == "entry":
            candidates.append((("share", step_id, None), start[step_id],
                               start[step_id] >= 1.0 or not any(start.values())))
        if kind in ("resolution", "abandon"):
            continue
        trapped = math.isinf(visits[step_id])
        candidates.append((("abandon", step_id, None), step.get("abandon", 0.0), trapped))
        moves = shares_of(spec, step_id) if step.get("next") else []
        for to, s, _ in moves:
            candidates.append((("p", step_id, to), s, trapped or s >= 1.0))
    assert {key for key, _, out in candidates if not out} == set(found)
    for key, value, out in candidates:
        if out:
            continue
        record = found[key]
        assert record.value == pytest.approx(value, abs=1e-12), key
        expected = finite_difference(spec, key, value)
        assert abs(record.derivative - expected) <= 1e-6 * max(abs(expected), 1e-3), (
            key, record.derivative, expected)
