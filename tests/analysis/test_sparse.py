"""The sparse LU of leaky blocks against exact rational elimination."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from cx_audit.analysis.sparse import LeakyLU


def exact_solve(a: list[list[Fraction]], b: list[Fraction]) -> list[Fraction]:
    n = len(a)
    m = [[*row, rhs] for row, rhs in zip(a, b)]
    for k in range(n):
        pivot = next(i for i in range(k, n) if m[i][k] != 0)
        m[k], m[pivot] = m[pivot], m[k]
        for i in range(n):
            if i != k and m[i][k] != 0:
                f = m[i][k] / m[k][k]
                m[i] = [x - f * y for x, y in zip(m[i], m[k])]
    return [m[i][n] / m[i][i] for i in range(n)]


def random_block(rng: random.Random, size: int):
    """A strongly connected substochastic block with at least one leak."""
    q = [[Fraction(0)] * size for _ in range(size)]
    leak = []
    for i in range(size):
        targets = {(i + 1) % size} | {rng.randrange(size) for _ in range(rng.randrange(3))}
        weights = {j: Fraction(rng.randint(1, 5)) for j in targets}
        out = Fraction(rng.choice([0, 0, 1, 2]))
        if i == 0 and out == 0:
            out = Fraction(1)
        total = sum(weights.values()) + out
        for j, w in weights.items():
            q[i][j] = w / total
        leak.append(out / total)
    return q, leak


@pytest.mark.parametrize("seed", range(25))
def test_solves_match_exact(seed: int) -> None:
    rng = random.Random(seed)
    size = rng.randint(1, 12)
    q, leak = random_block(rng, size)
    a = [[(1 if i == j else 0) - q[i][j] for j in range(size)] for i in range(size)]
    at = [list(col) for col in zip(*a)]
    b = [Fraction(rng.randint(0, 4)) for _ in range(size)]
    rows = [{j: float(q[i][j]) for j in range(size) if j != i and q[i][j]} for i in range(size)]
    lu = LeakyLU(rows, [float(x) for x in leak])
    for got, want in zip(lu.solve([float(x) for x in b]), exact_solve(a, b)):
        assert got == pytest.approx(float(want), rel=1e-12, abs=1e-12)
    for got, want in zip(lu.solve_transposed([float(x) for x in b]), exact_solve(at, b)):
        assert got == pytest.approx(float(want), rel=1e-12, abs=1e-12)


def test_almost_closed_loop_keeps_precision() -> None:
    # a 2-step loop that leaks 1e-13 per turn: 1 - q would lose 3 digits of
    # 16; carrying the leak keeps the visits exact to rounding
    eps = 1e-13
    lu = LeakyLU([{1: 1.0}, {0: 1.0 - eps}], [0.0, eps])
    visits = lu.solve_transposed([1.0, 0.0])
    assert visits[0] == pytest.approx(1 / eps, rel=1e-12)
    assert visits[1] == pytest.approx(1 / eps, rel=1e-12)
