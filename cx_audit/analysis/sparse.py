"""Sparse LU factors of ``I - Q`` for one strongly connected block of a chain.

``Q`` holds the transition probabilities among the steps of one strongly
connected component; every row of ``Q`` sums to at most one, and what a row
misses (its *leak*: abandon, stranding, or transitions out of the component)
is given separately. ``I - Q`` is then a non-singular M-matrix as soon as one
row leaks, and Gaussian elimination needs no pivoting for stability.

The factorisation follows the Grassmann-Taksar-Heyman idea: a pivot is never
computed as ``1 - q_kk`` (which cancels badly when a loop almost never
leaks) but as the row's leak plus its off-diagonal probabilities, and the
leaks are carried through the elimination. Every operation then adds
non-negative numbers, so the factors keep full relative precision.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

from cx_audit.core.errors import FACTOR_WORK_LIMIT, LoopTooEntangled

__all__ = ["LeakyLU"]


class LeakyLU:
    """LU factors of ``A = I - Q`` for one block, for repeated solves.

    Parameters
    ----------
    rows : sequence of dict
        ``rows[i][j] = q_ij`` for ``j != i`` (local indices, positive values).
        A self-loop ``q_ii`` is not given: it is implied by the leak.
    leak : sequence of float
        ``1 - sum_j q_ij`` of each row, computed from what leaves the block
        (so it is exact even when the sum is close to one).

    Notes
    -----
    Pivots are chosen by a Markowitz count (fewest row entries times column
    entries) to limit fill-in. Raises :class:`LoopTooEntangled` when the
    elimination would take more than :data:`FACTOR_WORK_LIMIT` updates. Factoring costs
    O(f) dictionary operations and
    each solve O(f), where f is the number of entries of the factors: O(m) for
    a ring or a chain of m steps, at most O(m^2) for a dense block.
    """

    __slots__ = ("diag", "lower", "m", "order", "size", "upper")

    def __init__(self, rows: Sequence[dict[int, float]], leak: Sequence[float]) -> None:
        m = len(rows)
        self.m = m
        work = [dict(r) for r in rows]
        leaks = list(leak)
        cols: list[set[int]] = [set() for _ in range(m)]
        for i, r in enumerate(work):
            for j in r:
                cols[j].add(i)
        done = [False] * m
        heap = [(len(work[i]) * len(cols[i]), i) for i in range(m)]
        heapq.heapify(heap)
        order: list[int] = []
        work_done = 0
        diag = [0.0] * m
        upper: list[dict[int, float]] = [{} for _ in range(m)]
        lower: list[list[tuple[int, float]]] = [[] for _ in range(m)]
        while heap:
            score, k = heapq.heappop(heap)
            if done[k] or score != len(work[k]) * len(cols[k]):
                continue
            done[k] = True
            order.append(k)
            row_k = work[k]
            leak_k = leaks[k]
            pivot = leak_k + sum(row_k.values())
            diag[k] = pivot
            upper[k] = row_k
            multipliers = lower[k]
            touched: set[int] = set()
            work_done += len(cols[k]) * (len(row_k) + 1)
            if work_done > FACTOR_WORK_LIMIT:
                raise LoopTooEntangled(m)
            for i in cols[k]:
                row_i = work[i]
                factor = row_i.pop(k) / pivot
                multipliers.append((i, factor))
                for j, q in row_k.items():
                    if j == i:
                        continue
                    if j in row_i:
                        row_i[j] += factor * q
                    else:
                        row_i[j] = factor * q
                        cols[j].add(i)
                        touched.add(j)
                leaks[i] += factor * leak_k
                touched.add(i)
            cols[k] = set()
            for j in row_k:
                cols[j].discard(k)
                touched.add(j)
            for t in touched:
                if not done[t]:
                    heapq.heappush(heap, (len(work[t]) * len(cols[t]), t))
        self.order = order
        self.diag = diag
        self.upper = upper
        self.lower = lower
        self.size = m + sum(len(u) for u in upper) + sum(len(f) for f in lower)
        """Entries of the factors: the cost of one solve."""

    def solve(self, b: Sequence[float]) -> list[float]:
        """Return ``x`` with ``(I - Q) x = b`` (values to go, columns of N)."""
        y = list(b)
        for k in self.order:
            yk = y[k]
            if yk:
                for i, factor in self.lower[k]:
                    y[i] += factor * yk
        x = y
        diag = self.diag
        upper = self.upper
        for k in reversed(self.order):
            acc = y[k]
            for j, q in upper[k].items():
                acc += q * x[j]
            x[k] = acc / diag[k]
        return x

    def solve_transposed(self, b: Sequence[float]) -> list[float]:
        """Return ``x`` with ``(I - Q)^T x = b`` (expected visits from inflows)."""
        z = list(b)
        diag = self.diag
        upper = self.upper
        for k in self.order:
            zk = z[k] / diag[k]
            z[k] = zk
            if zk:
                for j, q in upper[k].items():
                    z[j] += q * zk
        x = z
        lower = self.lower
        for k in reversed(self.order):
            acc = z[k]
            for i, factor in lower[k]:
                acc += factor * x[i]
            x[k] = acc
        return x
