"""The journey as an absorbing Markov chain: end probabilities and expectations.

Customers start at the entries (by share) and move by the transition
probabilities. A walk ends at a resolution step, an abandon step, the
implicit abandon of a step's ``abandon`` share, or a non-terminal step with
no ``next`` (stranded); customers who enter a closed loop never end.

The chain is never inverted as a whole. Its strongly connected components
are solved one at a time in topological order: a step on no cycle by one
multiply-add per transition, a cyclic component by factors of its own
``I - Q`` (:func:`factor_block`): a sparse LU (:mod:`cx_audit.analysis.sparse`)
while its elimination stays sparse, which is the case of loops that stay
local, however many; the whole inverse, with numpy, for a block so tangled
that its elimination fills in (:mod:`cx_audit.analysis.dense`). The chance
of reaching each step of a loop comes from the diagonal of that inverse,
which the sparse factors give by selected inversion at the cost of the
factorisation, not one solve per step.

Conventions where the format leaves room (also stated on each function):

- a step's transition probabilities are divided by their sum, so the small
  deficit the format tolerates (up to 1e-6) is spread in proportion instead
  of leaking out of the chain; a step whose transitions all have probability
  0 strands its customers;
- entry shares that sum below 1 are scaled up to sum to 1 (the metrics
  describe the customers who do start somewhere); with no entry, or only
  zero shares, nobody starts: every probability and expectation is 0;
- a stranded step with an ``abandon`` share loses that share to abandonment
  and strands the rest;
- resolution and abandon steps end the walk: their own ``abandon`` and any
  transition leaving them are ignored, while their wait and shield count
  once when reached.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from cx_audit.analysis.erlang import ErlangC, step_wait
from cx_audit.analysis.sparse import LeakyLU
from cx_audit.analysis.view import JourneyView, strongly_connected
from cx_audit.core.errors import LoopTooEntangled
from cx_audit.core.model import Journey

__all__ = [
    "DENSE_MAX_STEPS",
    "DENSE_MIN_WORK",
    "INF",
    "BlockFactors",
    "Chain",
    "ChainSolution",
    "block_factors",
    "dense_after",
    "entry_distribution",
    "factor_block",
    "safe_fsum",
    "weighted_sum",
]

INF = math.inf

DENSE_MIN_WORK = 250_000
"""Sparse elimination updates a block may always take before it counts as dense.

About a tenth of a second in Python: what importing numpy costs, so that a
journey whose loops factor in less never imports it."""

DENSE_MAX_STEPS = 2_000
"""Largest block inverted in full (32 MB of floats, about 14 s on the README's machine).

A larger block is factored sparsely whatever its fill, within
:data:`~cx_audit.core.errors.FACTOR_WORK_LIMIT` updates."""


def dense_after(m: int) -> int:
    """Sparse elimination updates past which a block of ``m`` steps is inverted in full.

    ``m^3 / 1024``, at least :data:`DENSE_MIN_WORK`: with the per-step
    figures' selected inversion, one sparse update costs about 0.4 us in
    Python, and the full inverse about 1.7 ns per ``m^3`` in numpy (measured
    on the README's machine, benchmarks/bench_tangled.py). A block that gets
    there would cost more sparsely than in full; the updates spent finding
    out are at most a quarter of the full inverse's cost.
    """
    return max(DENSE_MIN_WORK, m * m * m // 1024)


class InverseRow(Protocol):
    """One row of a selected inverse: ``row[b]`` is ``N[a, b]``."""

    def __getitem__(self, index: int, /) -> float: ...


class BlockFactors(Protocol):
    """Factors of one block's ``I - Q``: solves, and the inverse's entries the figures need."""

    @property
    def m(self) -> int:
        """Steps of the block."""

    @property
    def size(self) -> int:
        """Entries of the factors: the cost of one solve."""

    def solve(self, b: Sequence[float]) -> list[float]:
        """``x`` with ``(I - Q) x = b``."""

    def solve_transposed(self, b: Sequence[float]) -> list[float]:
        """``x`` with ``(I - Q)^T x = b``."""

    def selected_inverse(self) -> Sequence[InverseRow]:
        """``z[a][b] = N[a, b]`` on the diagonal and for every transition ``b -> a``."""


def factor_block(rows: Sequence[dict[int, float]], leaks: Sequence[float]) -> BlockFactors:
    """Factors of one block's ``I - Q``: sparse while they stay sparse, else the full inverse.

    ``rows`` and ``leaks`` are as :class:`~cx_audit.analysis.sparse.LeakyLU`
    takes them. The sparse elimination runs until it has taken
    :func:`dense_after` updates; a block that needs more (its steps nearly
    all lead to one another) is inverted in full by
    :class:`~cx_audit.analysis.dense.DenseInverse`. A block of more than
    :data:`DENSE_MAX_STEPS` steps is always factored sparsely, and refused
    (:class:`~cx_audit.core.errors.LoopTooEntangled`) past
    :data:`~cx_audit.core.errors.FACTOR_WORK_LIMIT` updates.
    """
    m = len(rows)
    if m > DENSE_MAX_STEPS:
        return LeakyLU(rows, leaks)
    limit = dense_after(m)
    if _cheapest_pivot(rows) <= limit:  # else the first pivot alone passes the limit
        try:
            return LeakyLU(rows, leaks, work_limit=limit)
        except LoopTooEntangled:
            pass
    from cx_audit.analysis.dense import DenseInverse

    return DenseInverse(rows, leaks)


def _cheapest_pivot(rows: Sequence[dict[int, float]]) -> int:
    """The updates of the sparse elimination's first pivot, as it counts them (O(entries))."""
    column = [0] * len(rows)
    for row in rows:
        for j in row:
            column[j] += 1
    return min(column[i] * (len(row) + 1) for i, row in enumerate(rows))


class Chain:
    """A finite chain on states ``0..n-1`` with absorption outside the states.

    ``out[u]`` lists ``(v, p)`` with ``p > 0``; ``loss[u]`` is the mass that
    leaves the states at ``u`` (``loss[u] + sum p = 1``). Losses are given
    structurally, so a component is *closed* (traps its customers) exactly
    when none of its states loses mass and no transition leaves it.
    """

    __slots__ = ("_lu", "closed", "comp_of", "comps", "cyclic", "loss", "n", "out")

    def __init__(self, out: list[list[tuple[int, float]]], loss: list[float],
                 scc: tuple[list[int], list[list[int]]] | None = None) -> None:
        n = len(out)
        self.n = n
        self.out = out
        self.loss = loss
        if scc is None:
            scc = strongly_connected(n, [[v for v, _ in edges] for edges in out])
        comp_of, comps = scc
        self.comp_of = comp_of
        self.comps = comps
        cyclic: list[bool] = []
        closed: list[bool] = []
        for c, comp in enumerate(comps):
            if len(comp) == 1:
                u = comp[0]
                is_cyclic = any(v == u for v, _ in out[u])
            else:
                is_cyclic = True
            cyclic.append(is_cyclic)
            closed.append(is_cyclic and all(
                loss[u] == 0.0 and all(comp_of[v] == c for v, _ in out[u]) for u in comp
            ))
        self.cyclic = cyclic
        self.closed = closed
        self._lu: dict[int, tuple[BlockFactors, dict[int, int]]] = {}

    def factor(self, c: int) -> tuple[BlockFactors, dict[int, int]]:
        """Factors of ``I - Q`` on cyclic, open component ``c``, and its local indices."""
        cached = self._lu.get(c)
        if cached is None:
            cached = self._lu[c] = block_factors(self.comps[c], self.comp_of, self.out, self.loss)
        return cached

    def forward(self, start: Sequence[float]) -> tuple[list[float], dict[int, float]]:
        """Expected visits of every state from the starting distribution.

        Returns ``(visits, trapped)``: visits are ``inf`` in a closed component
        that customers reach, and ``trapped`` maps each reached closed
        component to the mass that enters it.
        """
        out = self.out
        comp_of = self.comp_of
        inflow = list(start)
        visits = [0.0] * self.n
        trapped: dict[int, float] = {}
        for c in range(len(self.comps) - 1, -1, -1):
            comp = self.comps[c]
            if not self.cyclic[c]:
                u = comp[0]
                x = inflow[u]
                visits[u] = x
                if x:
                    for v, p in out[u]:
                        inflow[v] += x * p
                continue
            if self.closed[c]:
                mass = math.fsum(inflow[u] for u in comp)
                if mass > 0.0:
                    trapped[c] = mass
                    for u in comp:
                        visits[u] = INF
                continue
            b = [inflow[u] for u in comp]
            if not any(b):
                continue
            lu, _ = self.factor(c)
            x_local = lu.solve_transposed(b)
            for u, x in zip(comp, x_local):
                visits[u] = x
                for v, p in out[u]:
                    if comp_of[v] != c:
                        inflow[v] += x * p
        return visits, trapped

    def backward(self, cost: Sequence[float]) -> list[float]:
        """Expected total ``cost`` collected from each state until the walk ends.

        ``cost[u]`` is collected on every visit of ``u``. The value is ``inf``
        where the walk can enter a closed component that holds a cost, and
        where the expected cost passes the largest float (costs are never
        negative, so an overflow only ever means "too large to hold").
        """
        out = self.out
        comp_of = self.comp_of
        value = [0.0] * self.n
        for c, comp in enumerate(self.comps):
            if not self.cyclic[c]:
                u = comp[0]
                acc = cost[u]
                for v, p in out[u]:
                    acc += p * value[v]
                value[u] = acc
                continue
            if self.closed[c]:
                fill = INF if any(cost[u] > 0.0 for u in comp) else 0.0
                for u in comp:
                    value[u] = fill
                continue
            rhs: list[float] = []
            for u in comp:
                acc = cost[u]
                for v, p in out[u]:
                    if comp_of[v] != c:
                        acc += p * value[v]
                rhs.append(acc)
            if any(r == INF for r in rhs):
                for u in comp:
                    value[u] = INF
                continue
            if not any(rhs):
                continue
            lu, _ = self.factor(c)
            for u, x in zip(comp, lu.solve(rhs)):
                value[u] = x if math.isfinite(x) else INF  # beyond the largest float
        return value

    def column(self, c: int, u: int) -> tuple[list[float], dict[int, int]]:
        """Expected visits of ``u`` from each state of its open cyclic component.

        Returns the local vector ``N[., u]`` and the local index map.
        """
        lu, local = self.factor(c)
        e = [0.0] * len(local)
        e[local[u]] = 1.0
        return lu.solve(e), local


Edges = list[tuple[int, float]]
"""A state's transitions inside a chain: ``(target, probability)``."""


def block_factors(comp: Sequence[int], comp_of: Sequence[int],
                  out: Sequence[Edges] | Mapping[int, Edges],
                  loss: Sequence[float] | Mapping[int, float],
                  ) -> tuple[BlockFactors, dict[int, int]]:
    """Factors of ``I - Q`` on one strongly connected block, and its local indices.

    ``comp`` lists the block's states; ``out[u]`` and ``loss[u]`` are state
    ``u``'s transitions and lost mass (indexed by state). Transitions leaving
    the block count as leak, a self-loop is implied by the leak (see
    :class:`~cx_audit.analysis.sparse.LeakyLU`); :func:`factor_block` chooses
    the factors.
    """
    c = comp_of[comp[0]]
    local = {u: i for i, u in enumerate(comp)}
    rows: list[dict[int, float]] = []
    leaks: list[float] = []
    for u in comp:
        row: dict[int, float] = {}
        leak = loss[u]
        for v, p in out[u]:
            if comp_of[v] != c:
                leak += p
            elif v != u:
                j = local[v]
                row[j] = row.get(j, 0.0) + p
        rows.append(row)
        leaks.append(leak)
    return factor_block(rows, leaks), local


def entry_distribution(journey: Journey, net: JourneyView) -> list[float]:
    """Starting probability of every step, from ``journey.entry_shares``.

    Shares are scaled to sum to 1 when they sum below (or above) it. When the
    journey gives no shares at all but has entries, they are split evenly.
    With no entry, everyone starts nowhere: the vector is all zeros.

    Notes
    -----
    O(steps).
    """
    start = [0.0] * net.n
    shares = {k: float(v) for k, v in journey.entry_shares.items() if k in net.index}
    if not shares and net.entries:
        shares = {net.ids[e]: 1.0 for e in net.entries}
    total = math.fsum(max(0.0, s) for s in shares.values())
    if total <= 0.0:
        return start
    for step_id, s in shares.items():
        if s > 0.0:
            start[net.index[step_id]] = s / total
    return start


def safe_fsum(terms: Iterable[float]) -> float:
    """``math.fsum(terms)``, except that a sum beyond the largest float is ``inf``.

    ``math.fsum`` raises ``OverflowError`` when a partial sum of finite terms
    overflows (two waits of 1e308 minutes on one route); the chain's figures
    call such a total infinite instead, as a plain float sum would, so that
    every report shows it the one way it shows an infinite figure
    (``"unbounded"`` in JSON). Terms of both signs that overflow give the
    plain sum (``inf``, ``-inf`` or ``nan``).

    >>> safe_fsum([1e308, 1e308]), safe_fsum([0.1] * 10)
    (inf, 1.0)
    """
    values = list(terms)
    try:
        return math.fsum(values)
    except OverflowError:
        return sum(values, 0.0)


def weighted_sum(values: Sequence[float], weights: Sequence[float]) -> float:
    """``sum(values * weights)`` over positive weights; ``inf`` if a term or the sum is."""
    terms = []
    for x, w in zip(values, weights):
        if w:
            if x == INF:
                return INF
            terms.append(x * w)
    return safe_fsum(terms)


class ChainSolution:
    """Everything the metrics and the what-if share about one journey's chain."""

    __slots__ = (
        "_passage",
        "_returns",
        "_totals",
        "_values",
        "chain",
        "net",
        "queues",
        "start",
        "trapped",
        "visits",
        "waits",
    )

    def __init__(self, journey: Journey, net: JourneyView) -> None:
        """Solve the chain forward: visits and trapped mass (per-step figures wait until asked)."""
        self.net = net
        self.start = entry_distribution(journey, net)
        waits: list[float] = []
        queues: list[ErlangC | None] = []
        for step_id in net.ids:
            wait, queue = step_wait(journey.steps[step_id])
            waits.append(wait)
            queues.append(queue)
        self.waits = waits
        self.queues = queues
        # with every transition carrying probability, the chain has the view's own components
        scc = net.components() if net.all_transitions_carry_probability else None
        self.chain = _journey_chain(net, scc=scc)
        self.visits, self.trapped = self.chain.forward(self.start)
        self._check_finite()
        self._values: tuple[list[float], list[float], list[float], list[float]] | None = None
        self._passage: tuple[list[float], list[dict[int, float]]] | None = None
        self._returns: list[float] = []
        self._totals: tuple[float, float, float, float] | None = None

    @property
    def p_reach(self) -> list[float]:
        """Chance of ever reaching each step (see ``first_passage``)."""
        passage = self._passage
        return (passage if passage is not None else self.first_passage())[0]

    @property
    def back(self) -> list[dict[int, float]]:
        """Per step S of an open loop, S's successors in the loop -> their chance to reach S.

        Only successors S goes to with positive probability are listed. Empty
        for a step on no cycle (nothing after it leads back) and in a loop
        nobody leaves. See :func:`~cx_audit.analysis.whatif.effect_of`.
        """
        passage = self._passage
        return (passage if passage is not None else self.first_passage())[1]

    @property
    def returns(self) -> list[float]:
        """``N[u, u]`` of each step: its expected visits starting there.

        1 for a step on no cycle, ``inf`` in a loop nobody leaves, and 1 where
        nobody comes (not needed there). See ``first_passage``.
        """
        if self._passage is None:
            self.first_passage()
        return self._returns

    def _check_finite(self) -> None:
        """Refuse a loop that customers leave so rarely that its visits overflow.

        Visits are infinite in a closed loop by definition; in an open one
        they are finite but can exceed the largest float (a way out taken
        with a chance like 0.9 ** 10000). Such a journey cannot be solved in
        floating point, and saying so beats reporting infinities.
        """
        chain = self.chain
        for c, comp in enumerate(chain.comps):
            if chain.closed[c]:
                continue
            for u in comp:
                if math.isinf(self.visits[u]):
                    raise LoopTooEntangled(len(comp), (
                        f"customers would pass step '{self.net.ids[u]}' more than 1e308 times "
                        "on average: the way out of its loop is so unlikely that the journey "
                        "cannot be solved in floating point; make leaving the loop more likely"))

    def first_passage(self) -> tuple[list[float], list[dict[int, float]]]:
        """Probability of ever reaching each step, by first-passage decomposition.

        For a step on no cycle it equals its visits. For a step ``u`` in an
        open cyclic component, ``visits(u) = p_reach(u) * N[u, u]``, where
        ``N[u, u]`` (visits of ``u`` starting at ``u``) is a diagonal entry of
        the component's inverse; the chance that each successor ``v`` of
        ``u`` in the loop leads back to ``u`` is ``N[v, u] / N[u, u]``, for
        the what-if. Both come from one selected inversion of the
        component's factors (:meth:`~cx_audit.analysis.sparse.LeakyLU.selected_inverse`),
        at about the cost of the factorisation, whatever the loop's size.
        In a closed component every step is reached by all who enter it.
        """
        if self._passage is not None:
            return self._passage
        chain = self.chain
        visits = self.visits
        p_reach = list(visits)
        back: list[dict[int, float]] = [{} for _ in range(self.net.n)]
        returns = [1.0] * self.net.n
        for c, comp in enumerate(chain.comps):
            if not chain.cyclic[c]:
                continue
            if chain.closed[c]:
                mass = self.trapped.get(c, 0.0)
                for u in comp:
                    p_reach[u] = mass
                    returns[u] = INF
                continue
            if not any(visits[u] for u in comp):
                continue
            lu, local = chain.factor(c)
            z = lu.selected_inverse()
            for u in comp:
                i = local[u]
                nuu = returns[u] = z[i][i]
                p_reach[u] = min(1.0, visits[u] / nuu)  # rounding may pass 1
                back[u] = {v: min(1.0, z[local[v]][i] / nuu) for v, _ in chain.out[u]
                           if v != u and v in local}
        self._returns = returns
        self._passage = (p_reach, back)
        return self._passage

    def retell_costs(self) -> list[float]:
        """Per visit of each step, the expected cold handoffs crossed on leaving it."""
        return [self.retell_cost(u) for u in range(self.net.n)]

    def retell_cost(self, u: int) -> float:
        """Per visit of step ``u``, the expected cold handoffs crossed on leaving it."""
        net = self.net
        return math.fsum(p for p, cold in zip(net.prob[u], net.cold[u]) if cold and p > 0.0)

    def values(self) -> tuple[list[float], list[float], list[float], list[float]]:
        """Values to go from each step: P(resolution), shields, wait, retellings."""
        if self._values is None:
            net = self.net
            res_cost = [1.0 if r else 0.0 for r in net.resolution]
            shields = [float(s) for s in net.shield]
            self._values = (
                self.chain.backward(res_cost),
                self.chain.backward(shields),
                self.chain.backward(self.waits),
                self.chain.backward(self.retell_costs()),
            )
        return self._values

    def totals(self) -> tuple[float, float, float, float]:
        """The journey's totals: P(resolution), expected shields, wait and retellings.

        A total is ``inf`` when it is infinite.
        """
        if self._totals is None:
            net = self.net
            self._totals = (
                self.end_probabilities()[0],
                weighted_sum(self.visits, net.shield),
                weighted_sum(self.visits, self.waits),
                self.edge_total(net.cold),
            )
        return self._totals

    def end_probabilities(self) -> tuple[float, float, float, float]:
        """``(p_resolution, p_abandon, p_stranded, p_trapped)``."""
        net = self.net
        visits = self.visits
        p_res = math.fsum(visits[u] for u in net.resolutions)
        abandon_terms = [visits[u] for u in range(net.n) if net.abandon_step[u]]
        stranded_terms = []
        for u in range(net.n):
            a = net.abandon[u]
            if net.stranded[u]:
                abandon_terms.append(visits[u] * a)
                stranded_terms.append(visits[u] * (1.0 - a))
            elif a > 0.0:
                abandon_terms.append(visits[u] * a)
        return (
            p_res,
            math.fsum(abandon_terms),
            math.fsum(stranded_terms),
            math.fsum(self.trapped.values()),
        )

    def first_time(self) -> float:
        """Probability of reaching a resolution without crossing a handoff."""
        if not any(h for row in self.net.handoff for h in row):
            return self.end_probabilities()[0]
        chain = _journey_chain(self.net, drop_handoffs=True)
        visits, _ = chain.forward(self.start)
        return math.fsum(visits[u] for u in self.net.resolutions)

    def edge_total(self, flags: Sequence[Sequence[bool]]) -> float:
        """Expected number of crossings of the flagged transitions."""
        net = self.net
        terms = []
        for u in range(net.n):
            x = self.visits[u]
            if not x:
                continue
            for p, flag in zip(net.prob[u], flags[u]):
                if flag and p > 0.0:
                    if x == INF:
                        return INF
                    terms.append(x * p)
        return safe_fsum(terms)


def _journey_chain(net: JourneyView, drop_handoffs: bool = False,
                   scc: tuple[list[int], list[list[int]]] | None = None) -> Chain:
    """The chain of a journey; with ``drop_handoffs``, handoffs leave the chain.

    ``scc`` may pass the components of ``net.succ`` when every transition
    carries probability (the chain then has exactly those transitions).
    """
    out: list[list[tuple[int, float]]] = []
    loss: list[float] = []
    for u in range(net.n):
        if net.terminal[u] or net.stranded[u]:
            out.append([])
            loss.append(1.0)
            continue
        edges: list[tuple[int, float]] = []
        lost = net.abandon[u]
        handoff = net.handoff[u]
        for k, (v, p) in enumerate(zip(net.succ[u], net.prob[u])):
            if p <= 0.0:
                continue
            if drop_handoffs and handoff[k]:
                lost += p
            else:
                edges.append((v, p))
        out.append(edges)
        loss.append(lost)
    return Chain(out, loss, scc)

