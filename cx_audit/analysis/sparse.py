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
from collections.abc import Mapping, Sequence

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
    elimination would take more than ``work_limit`` updates (by default
    :data:`FACTOR_WORK_LIMIT`). No pivot is chosen for size: ``I - Q`` is
    an M-matrix, and every pivot formed from the leaks is positive. Factoring costs
    O(f) dictionary operations and
    each solve O(f), where f is the number of entries of the factors: O(m) for
    a ring or a chain of m steps, at most O(m^2) for a dense block.
    """

    __slots__ = ("diag", "lower", "m", "order", "size", "upper")

    def __init__(self, rows: Sequence[Mapping[int, float]], leak: Sequence[float],
                 work_limit: int = FACTOR_WORK_LIMIT) -> None:
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
            if work_done > work_limit:
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

    def selected_inverse(self) -> list[dict[int, float]]:
        """Entries of ``N = (I - Q)^-1`` on the pattern of the factors, transposed.

        Returns ``z`` with ``z[a][b] = N[a, b]`` for every ``a`` on the
        diagonal and wherever ``b -> a`` is an entry of the factors (every
        transition ``b -> a`` of the block among them): what the chance of
        reaching each step, and of coming back to it from each successor,
        need. Computed by the recurrences of Takahashi et al. (1973) and
        Erisman and Tinney (CACM 18(3), 1975) from ``N = U^-1 D^-1 L^-1``,
        pivots in reverse order; the fill-in of the elimination makes the
        pattern closed, so every entry a recurrence reads is on it. With
        ``A = I - Q`` an M-matrix every term is a product of non-negative
        numbers, so no digit is lost to cancellation. Costs about twice the
        elimination's updates.
        """
        z: list[dict[int, float]] = [{} for _ in range(self.m)]
        for k in reversed(self.order):
            d = self.diag[k]
            upper = self.upper[k]
            lower = self.lower[k]
            row_k = z[k]
            for i, _ in lower:  # N[k, i] = sum over m of (q_km / d) N[m, i]
                row_k[i] = sum([q * z[j][i] for j, q in upper.items()]) / d if upper else 0.0
            for j in upper:  # N[j, k] = sum over lower of N[j, i] * f_i
                row_j = z[j]
                row_j[k] = sum([row_j[i] * f for i, f in lower]) if lower else 0.0
            row_k[k] = (1.0 + sum([q * z[j][k] for j, q in upper.items()])) / d
        return z

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
