"""Tangled loops: every per-step figure, exact, against a dense reference and by simulation.

The references share nothing with the engine's solves: numpy's LAPACK solve
of the whole chain (one per step for ``p_reach``, with the step made
absorbing), exact rational arithmetic for near-closed loops, and a Monte
Carlo walk of the journey.
"""

from __future__ import annotations

import dataclasses
import math
import random
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

import cx_audit.analysis.chain as chain_module
from cx_audit.analysis import analyse
from cx_audit.analysis.chain import ChainSolution, factor_block
from cx_audit.analysis.dense import DenseInverse
from cx_audit.analysis.sparse import LeakyLU
from cx_audit.analysis.view import journey_view
from cx_audit.analysis.whatif import StepChange, effect_of, removal, unchanged
from cx_audit.core.model import Journey

from .builder import make_journey
from .oracle import simulate

Spec = dict[str, dict[str, Any]]


def tangled(steps: int, seed: int, reach: int = 12) -> Spec:
    """Steps in a row, each going on and every third looping back up to ``reach`` steps."""
    rng = random.Random(seed)
    spec: Spec = {"in": {"kind": "entry", "next": ["s0"]}}
    for i in range(steps):
        targets = [f"s{i + 1}" if i + 1 < steps else "done"]
        if i + 2 < steps and rng.random() < 0.6:
            targets.append(f"s{i + 2}")
        if i % 3 == 2:
            targets.append(f"s{max(0, i - rng.randint(1, reach))}")
        if rng.random() < 0.3:
            targets.append(rng.choice(["done", "lost"]))
        targets = list(dict.fromkeys(targets))
        weights = [rng.randint(1, 9) for _ in targets]
        step: dict[str, Any] = {"next": [(t, w / sum(weights), rng.choice([None, "cold"]))
                                         for t, w in zip(targets, weights, strict=True)]}
        if rng.random() < 0.3:
            step["shield"] = "ivr"
        if rng.random() < 0.4:
            step["wait"] = float(rng.randint(1, 9))
        if rng.random() < 0.2:
            step["abandon"] = 0.05
        spec[f"s{i}"] = step
    spec["done"] = {"kind": "resolution"}
    spec["lost"] = {"kind": "abandon"}
    return spec


def dense_spec(activities: int, seed: int, end: float = 0.03) -> Spec:
    """Activities that all lead to one another (themselves included), as discovered."""
    rng = random.Random(seed)
    names = [f"a{i}" for i in range(activities)]
    spec: Spec = {"start": {"kind": "entry", "next": names[:3]}}
    for name in names:
        weights = [rng.randint(1, 9) for _ in names]
        total = sum(weights)
        moves = [(t, (1 - end) * w / total) for t, w in zip(names, weights, strict=True)]
        spec[name] = {"next": [*moves, ("done", end)], "wait": float(rng.randint(0, 3))}
    spec["done"] = {"kind": "resolution"}
    return spec


def reference(sol: ChainSolution) -> tuple[np.ndarray, np.ndarray]:
    """Visits by one dense LAPACK solve, and ``p_reach`` by one per step (made absorbing)."""
    chain = sol.chain
    n = chain.n
    q = np.zeros((n, n))
    for u, edges in enumerate(chain.out):
        for v, p in edges:
            q[u, v] += p
    start = np.array(sol.start)
    visits = np.linalg.solve((np.eye(n) - q).T, start)
    reach = np.empty(n)
    for j in range(n):
        absorbing = q.copy()
        absorbing[j, :] = 0.0
        reach[j] = np.linalg.solve((np.eye(n) - absorbing).T, start)[j]
    return visits, reach


def end_sum(journey: Journey) -> float:
    m = analyse(journey).metrics
    return math.fsum([m.p_resolution, m.p_abandon, m.p_stranded, m.p_trapped])


# --------------------------------------------------------------------------
# the two kinds of factors, entry by entry


def random_block(rng: random.Random, size: int, density: float) -> tuple[list[dict[int, float]],
                                                                        list[float]]:
    rows: list[dict[int, float]] = []
    leaks = []
    for i in range(size):
        targets = {(i + 1) % size} | {j for j in range(size) if j != i and rng.random() < density}
        weights = {j: rng.randint(1, 9) for j in targets}
        out = rng.choice([0, 0, 1, 3]) if i else 1
        total = sum(weights.values()) + out + rng.choice([0, 2])  # the rest: a self-loop
        rows.append({j: w / total for j, w in weights.items()})
        leaks.append(out / total)
    return rows, leaks


def dense_inverse(rows: list[dict[int, float]], leaks: list[float]) -> np.ndarray:
    size = len(rows)
    a = np.eye(size)
    for i, row in enumerate(rows):
        a[i, i] = leaks[i] + sum(row.values())
        for j, q in row.items():
            a[i, j] = -q
    return np.linalg.inv(a)


@pytest.mark.parametrize("seed", range(20))
def test_selected_inversion_is_the_inverse_on_the_pattern(seed: int) -> None:
    rng = random.Random(seed)
    rows, leaks = random_block(rng, rng.randint(1, 40), rng.choice([0.02, 0.1, 0.3]))
    z = LeakyLU(rows, leaks).selected_inverse()
    n = dense_inverse(rows, leaks)
    for a in range(len(rows)):
        assert z[a][a] == pytest.approx(n[a, a], rel=1e-11)
        for b, row in enumerate(rows):
            if a in row:  # a transition b -> a: N[a, b] is on the pattern
                assert z[a][b] == pytest.approx(n[a, b], rel=1e-11)
    assert sum(map(len, z)) <= LeakyLU(rows, leaks).size  # no more than the factors hold


@pytest.mark.parametrize("seed", range(10))
def test_the_full_inverse_and_its_solves(seed: int) -> None:
    rng = random.Random(seed)
    rows, leaks = random_block(rng, rng.randint(1, 60), 0.5)
    inverse = DenseInverse(rows, leaks)
    n = dense_inverse(rows, leaks)
    assert np.allclose(inverse.selected_inverse(), n, rtol=1e-12, atol=0.0)
    b = [float(rng.randint(0, 3)) for _ in rows]
    assert inverse.solve(b) == pytest.approx(list(n @ b), rel=1e-12)
    assert inverse.solve_transposed(b) == pytest.approx(list(np.array(b) @ n), rel=1e-12)


def exact_inverse_row(q: list[list[Fraction]], leaks: list[Fraction], start: int) -> list[Fraction]:
    """Row ``start`` of ``(I - Q)^-1`` in rationals: expected visits from ``start``."""
    size = len(q)
    m = [[(Fraction(1) if i == j else Fraction(0)) - q[j][i] for j in range(size)]
         + [Fraction(int(i == start))] for i in range(size)]
    for k in range(size):
        for i in range(size):
            if i != k and m[i][k]:
                f = m[i][k] / m[k][k]
                m[i] = [x - f * y for x, y in zip(m[i], m[k], strict=True)]
    return [m[i][size] / m[i][i] for i in range(size)]


@pytest.mark.parametrize("factors", [LeakyLU, DenseInverse])
def test_a_loop_that_leaks_1e_12_keeps_every_digit(factors: type) -> None:
    # 30 steps that all lead to one another; one way out, taken 1e-12 of the time
    rng = random.Random(3)
    size, leak = 30, Fraction(1, 10**12)
    q = [[Fraction(rng.randint(1, 9)) for _ in range(size)] for _ in range(size)]
    q = [[x / sum(row) * (1 - (leak if i == 0 else 0)) for x in row] for i, row in enumerate(q)]
    leaks = [leak] + [Fraction(0)] * (size - 1)
    rows = [{j: float(x) for j, x in enumerate(row) if j != i} for i, row in enumerate(q)]
    block = factors(rows, [float(x) for x in leaks])
    exact = exact_inverse_row(q, leaks, 0)
    got = block.solve_transposed([1.0] + [0.0] * (size - 1))
    for x, want in zip(got, exact, strict=True):
        assert x == pytest.approx(float(want), rel=1e-12)
    z = block.selected_inverse()
    assert z[0][0] == pytest.approx(float(exact[0]), rel=1e-12)
    # numpy's pivoted LU, for comparison, loses most of those digits
    assert abs(dense_inverse(rows, [float(x) for x in leaks])[0, 0] / float(exact[0]) - 1) > 1e-9


def test_a_block_whose_elimination_fills_in_is_inverted_in_full() -> None:
    rng = random.Random(5)
    sparse_rows, sparse_leaks = random_block(rng, 400, 0.0)  # a ring: no fill-in
    assert isinstance(factor_block(sparse_rows, sparse_leaks), LeakyLU)
    rows, leaks = random_block(rng, 150, 0.5)
    assert LeakyLU(rows, leaks).size > 0  # it factors sparsely too, at a high cost
    chosen = factor_block(rows, leaks)
    assert isinstance(chosen, DenseInverse)
    b = [1.0] * 150
    assert chosen.solve(b) == pytest.approx(LeakyLU(rows, leaks).solve(b), rel=1e-12)


# --------------------------------------------------------------------------
# journeys


@pytest.mark.parametrize("seed", range(3))
def test_every_figure_of_a_tangled_journey_matches_the_dense_solve(seed: int) -> None:
    journey = make_journey(tangled(150, seed))
    result = analyse(journey)
    sol = result.solution
    assert max(len(c) for c in sol.chain.comps) > 50  # the loops overlap into large ones
    visits, reach = reference(sol)
    steps = result.steps
    for u, step_id in enumerate(sol.net.ids):
        assert steps[step_id].visits == pytest.approx(visits[u], rel=1e-9, abs=1e-12)
        assert steps[step_id].p_reach == pytest.approx(reach[u], rel=1e-9, abs=1e-12)
    assert end_sum(journey) == pytest.approx(1.0, abs=1e-9)


def test_impacts_on_a_tangled_journey_equal_a_full_re_solve() -> None:
    journey = make_journey(tangled(120, 11))
    sol = analyse(journey).solution
    net = sol.net
    rng = random.Random(2)
    checked = 0
    for s in range(net.n):
        if net.terminal[s] or net.kind[s] == "entry":
            continue
        loop = sol.chain.comps[sol.chain.comp_of[s]]
        others = [v for v in loop if v != s and v not in net.succ[s]]
        changes = [removal(sol, s)]
        if others:  # a new way on, inside the loop, that S did not take before
            base = unchanged(sol, s)
            v = rng.choice(others)
            halved = [(w, 0.5 * p, cold) for w, p, cold in base.moves]
            moves = (*halved, (v, 0.5 * (1.0 - base.loss), False))
            changes.append(dataclasses.replace(base, moves=moves, wait=3.0))
        for change in changes:
            effect = effect_of(sol, change)
            assert effect is not None
            literal = _literal(journey, sol, change)
            for name in ("delta_p_resolution", "delta_wait_expected", "delta_shields_expected",
                         "delta_retells_expected"):
                assert getattr(effect, name) == pytest.approx(literal[name], rel=1e-9,
                                                              abs=1e-12), (s, name)
            checked += 1
    assert checked > 150


def _literal(journey: Journey, sol: ChainSolution, change: StepChange) -> dict[str, float]:
    """The change written into the journey and analysed again, as deltas of the metrics."""
    net = sol.net
    step = journey.steps[net.ids[change.step]]
    moves = [(net.ids[v], p / (1.0 - change.loss), "cold" if cold else None)
             for v, p, cold in change.moves]
    spec_step: dict[str, Any] = {"next": moves, "abandon": change.loss, "wait": change.wait,
                                 "shield": "x" if change.shield else None}
    rebuilt = make_journey({
        sid: spec_step if sid == step.id else _spec_of(journey, sid) for sid in journey.steps})
    before, after = analyse(journey).metrics, analyse(rebuilt).metrics
    return {"delta_p_resolution": after.p_resolution - before.p_resolution,
            "delta_wait_expected": after.wait_expected - before.wait_expected,
            "delta_shields_expected": after.shields_expected - before.shields_expected,
            "delta_retells_expected": after.retells_expected - before.retells_expected}


def _spec_of(journey: Journey, step_id: str) -> dict[str, Any]:
    step = journey.steps[step_id]
    return {"kind": step.kind.value, "wait": step.wait, "abandon": step.abandon,
            "shield": step.shield,
            "next": [(t.target, t.probability, t.handoff.value if t.handoff else None)
                     for t in step.next]}


def test_a_dense_journey_has_every_figure_and_matches_the_sparse_solve(
        monkeypatch: pytest.MonkeyPatch) -> None:
    journey = make_journey(dense_spec(140, 4))
    dense = analyse(journey)
    sol = dense.solution
    assert isinstance(sol.chain.factor(sol.chain.comp_of[1])[0], DenseInverse)
    monkeypatch.setattr(chain_module, "DENSE_MAX_STEPS", 0)  # every block factored sparsely
    sparse = analyse(journey)
    assert isinstance(sparse.solution.chain.factor(sol.chain.comp_of[1])[0], LeakyLU)
    for step_id, stats in dense.steps.items():
        other = sparse.steps[step_id]
        assert stats.p_reach == pytest.approx(other.p_reach, rel=1e-9)
        assert stats.visits == pytest.approx(other.visits, rel=1e-9)
        if other.impact is None:
            assert stats.impact is None
            continue
        assert stats.impact is not None
        for name, value in other.impact.to_dict().items():
            assert stats.impact.to_dict()[name] == pytest.approx(value, rel=1e-9, abs=1e-12)
    assert end_sum(journey) == pytest.approx(1.0, abs=1e-9)


def test_a_ring_of_10000_steps() -> None:
    # each step resolves with chance e and goes on round the ring otherwise
    steps, e = 10_000, 1e-4
    spec: Spec = {"in": {"kind": "entry", "next": ["s0"]}}
    for i in range(steps):
        spec[f"s{i}"] = {"next": [(f"s{(i + 1) % steps}", 1 - e), ("done", e)]}
    spec["done"] = {"kind": "resolution"}
    result = analyse(make_journey(spec))
    m = result.metrics
    assert math.fsum([m.p_resolution, m.p_abandon, m.p_stranded, m.p_trapped]) == \
        pytest.approx(1.0, abs=1e-9)
    lap = (1 - e) ** steps  # the chance of going once round without resolving
    for k in (0, 1, 4_999, 9_999):
        stats = result.steps[f"s{k}"]
        assert stats.visits == pytest.approx((1 - e) ** k / (1 - lap), rel=1e-9)
        assert stats.p_reach == pytest.approx((1 - e) ** k, rel=1e-9)
        assert stats.impact is not None


def test_near_closed_and_near_certain() -> None:
    # a loop that lets go 1e-12 of the time, and a way taken all but 1e-12 of the time
    spec: Spec = {
        "in": {"kind": "entry", "next": ["a"]},
        "a": {"next": [("b", 1 - 1e-12), ("done", 1e-12)], "wait": 1.0},
        "b": {"next": [("a", 1.0)]},
        "done": {"kind": "resolution"},
    }
    result = analyse(make_journey(spec))
    m = result.metrics
    assert m.p_resolution == pytest.approx(1.0, abs=1e-9)
    assert m.wait_expected == pytest.approx(1e12, rel=1e-9)
    assert result.steps["b"].p_reach == pytest.approx(1.0, abs=1e-9)
    assert result.steps["b"].visits == pytest.approx(1e12 - 1, rel=1e-9)
    impact = result.steps["b"].impact  # b removed: a leads to itself, the same chances
    assert impact is not None
    assert impact.delta_p_resolution == pytest.approx(0.0, abs=1e-9)
    assert impact.delta_wait_expected == pytest.approx(0.0, abs=1e-3)


def test_p_reach_of_a_tangled_journey_agrees_with_simulation() -> None:
    journey = make_journey(tangled(40, 7, reach=8))
    result = analyse(journey)
    assert max(len(c) for c in result.solution.chain.comps) > 10
    sim = simulate(journey, 4000)
    for step_id, stats in result.steps.items():
        observed = sim.reached[step_id] / sim.n
        se = math.sqrt(stats.p_reach * (1 - stats.p_reach) / sim.n)
        assert abs(stats.p_reach - observed) <= 5 * se + 3 / sim.n, step_id


def test_the_view_is_the_chain() -> None:
    # the reference solves the chain the engine builds: check that chain against the view
    journey = make_journey(tangled(30, 1))
    sol = analyse(journey).solution
    net = journey_view(journey)
    for u in range(net.n):
        if net.terminal[u]:
            assert sol.chain.out[u] == []
            continue
        assert math.fsum([sol.chain.loss[u], *(p for _, p in sol.chain.out[u])]) == \
            pytest.approx(1.0, abs=1e-12)
