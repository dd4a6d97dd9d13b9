"""The whole inverse ``N = (I - Q)^-1`` of one densely tangled block, with numpy.

A loop whose steps nearly all lead to one another (a journey discovered
from an event log, say) fills a sparse elimination until its work grows
with the cube of its size: millions of dictionary updates in Python, where
numpy does the same multiply-adds in vectorised loops. Such a block is
inverted here in full, by Gauss-Jordan elimination in the leak-carrying form
of :mod:`cx_audit.analysis.sparse`: every pivot is the row's leak plus its
off-diagonal probabilities, never ``1 - q_kk``, and no pivoting is done
(``I - Q`` is a row diagonally dominant M-matrix, so the natural order is
stable). Every update then adds numbers of one sign, and each entry of
``N`` keeps full relative precision, even for a loop that leaks 1e-12 a
turn (LAPACK's pivoted LU, ``numpy.linalg.inv``, is six times faster but
off by 3e-4 there, where this is off by 2e-16: README, Dependencies).

numpy is imported when the first such block is met, so a journey without
one never pays for the import.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["DenseInverse"]


class DenseInverse:
    """``N = (I - Q)^-1`` of one block in full, for solves and entries.

    Parameters are those of :class:`~cx_audit.analysis.sparse.LeakyLU`:
    ``rows[i][j] = q_ij`` off the diagonal and each row's ``leak``.

    Notes
    -----
    O(m^3) multiply-adds in m vectorised steps, and m^2 floats of memory:
    about 0.4 s and 2.9 MB for 600 steps on the README's machine. Each solve
    is then a matrix-vector product, O(m^2).
    """

    __slots__ = ("_n", "m", "size")

    def __init__(self, rows: Sequence[Mapping[int, float]], leak: Sequence[float]) -> None:
        import numpy as np

        m = len(rows)
        self.m = m
        a = np.zeros((m, m))
        for i, row in enumerate(rows):
            if row:
                a[i, list(row)] = list(row.values())
        self._n = _leaky_gauss_jordan(a, np.array(leak, dtype=float))
        self.size = m * m
        """Entries of the inverse: the cost of one solve."""

    def solve(self, b: Sequence[float]) -> list[float]:
        """Return ``x`` with ``(I - Q) x = b``: ``N b``."""
        result: list[float] = (self._n @ _vector(b)).tolist()
        return result

    def solve_transposed(self, b: Sequence[float]) -> list[float]:
        """Return ``x`` with ``(I - Q)^T x = b``: ``b N``."""
        result: list[float] = (_vector(b) @ self._n).tolist()
        return result

    def selected_inverse(self) -> list[list[float]]:
        """Every entry of ``N``: ``z[a][b] = N[a, b]`` (the sparse factors give a subset)."""
        result: list[list[float]] = self._n.tolist()
        return result


def _vector(b: Sequence[float]) -> npt.NDArray[np.float64]:
    import numpy as np

    return np.asarray(b, dtype=float)


def _leaky_gauss_jordan(q: npt.NDArray[np.float64],
                        leak: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """``(I - Q)^-1`` in place from ``Q`` (its diagonal ignored) and the rows' leaks.

    Step k divides row k by its pivot and takes it from every other row.
    The columns already eliminated hold the inverse so far (entries >= 0),
    the others ``-Q`` reduced (entries <= 0 off the diagonal), so each
    update adds a product of like signs. The reduced diagonal is never read:
    the pivot is the row's leak, carried through the elimination, plus the
    row's remaining off-diagonal probabilities.
    """
    import numpy as np

    a = np.negative(q)
    np.fill_diagonal(a, 0.0)
    leak = leak.copy()
    m = a.shape[0]
    for k in range(m):
        pivot = leak[k] - a[k, k + 1:].sum()
        col = a[:, k].copy()
        col[k] = 0.0
        row = a[k, :] / pivot
        row[k] = 1.0 / pivot
        leak[k + 1:] -= col[k + 1:] * (leak[k] / pivot)
        a -= np.outer(col, row)
        a[k, :] = row
        a[:, k] = col / -pivot
        a[k, k] = 1.0 / pivot
    return a
