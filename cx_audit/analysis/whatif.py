"""What-if: the exact effect of changing one step of the journey.

A change rewrites one step S: where its customers go next (and with which
chance, the rest leaving the chain there: abandoning or stranded), its wait,
whether it is a shield layer, and which of its ways on are cold handoffs.
Every fix this package weighs is such a change, solved exactly on the chain
(:func:`effect_of`); removing a step is one of them (:func:`removal_impacts`).

Each delta is *after minus before*: a positive ``delta_p_resolution`` is a
gain, a negative ``delta_wait_expected`` a drop. A delta is ``None`` when
the expectation is infinite before or after the change.

How it is solved. Changing one step's row is a rank-one change of the
chain's ``I - Q``, and the Sherman-Morrison formula gives its effect from
the factors already computed. With ``V`` a value to go (the chance of a
resolution, or the shields, wait or retellings still to come) and ``h(y)``
the chance to reach S from ``y`` (column S of the inverse, divided by its
diagonal entry), the change moves every ``V(y)`` by ``h(y) * dV(S)``: the
walk before it first reaches S is untouched. At S,
``dV(S) = (c' - c + sum (p'(v) - p(v)) V(v)) / g``, the change of S's cost
and of its row over the old values, divided by ``g``, the chance that the
new row never brings customers back to S. The journey's total moves by
``p_reach(S) * dV(S)``.

``g`` is formed without cancelling the digits that matter: the old row's
chance of never coming back is ``1 / N[S, S]``, a diagonal entry computed
to full relative precision, and ``g = 1 / N[S, S] + sum (p(v) - p'(v)) h(v)``
(``h(S) = 1``) adds to it what the change moves. A change that only sends
customers back less (removing a step, breaking a loop) adds terms of one
sign; only when the terms sent back more nearly cancel the rest (less than
:data:`NEAR_TRAP` of their sum is left) is S's loop solved again with the
new row, in the leak-carrying factors that keep full precision.

``h`` on S's successors comes from the selected inversion that gives
``p_reach`` (:meth:`~cx_audit.analysis.chain.ChainSolution.first_passage`);
a target that cannot reach S (downstream, or a terminal step) has
``h = 0``; for a target in S's loop that S does not go to today, one solve
of the loop's factors gives the whole column. The whole chain is solved
again only where the chain's structure changes: when S is in a loop nobody
leaves, when the new row sends customers upstream of S (joining two
components into one loop), or when it closes a loop.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cx_audit.analysis.chain import (
    INF,
    Chain,
    ChainSolution,
    block_factors,
    weighted_sum,
)

__all__ = ["FULL_SOLVE_WORK", "NEAR_TRAP", "Effect", "Impact", "SolveBudget", "StepChange",
           "effect_of", "removal", "removal_impacts", "unchanged"]

NEAR_TRAP = 1e-5
"""When less than this share of the terms of ``g`` is left once they are added
(the change sends customers back to S about as often as the rest lets them
go), the closed form would lose precision: S's loop is solved again instead,
keeping effects to about 1e-10 relative."""

FULL_SOLVE_WORK = 20_000_000
"""Operations' worth of whole-chain solves a caller weighing many changes allows.

Only a change of the chain's structure needs one (a step of a loop nobody
leaves, or a new transition upstream); no lever or removal in an open loop
ever does."""


class SolveBudget:
    """How many more whole-chain solves the caller allows (each O(n + e) plus factorisations)."""

    __slots__ = ("left",)

    def __init__(self, sol: ChainSolution) -> None:
        """A budget of :data:`FULL_SOLVE_WORK` operations' worth of solves, at least one."""
        net = sol.net
        self.left = max(1, FULL_SOLVE_WORK // max(1, net.n + sum(map(len, net.succ))))

    def take(self) -> bool:
        """Spend one solve; False when none is left."""
        if self.left <= 0:
            return False
        self.left -= 1
        return True


@dataclass(frozen=True, slots=True, kw_only=True)
class StepChange:
    """One step rewritten: its ways on, what leaves the chain there, its wait and shield.

    ``moves`` lists ``(target, probability, cold)`` as step indices of the
    journey's view, each probability the chance to go there from the step;
    ``loss`` is the chance to leave the chain there (abandon or stranding),
    so that ``loss + sum of probabilities = 1``. ``shield`` is 1 for a
    shield layer, 0 otherwise.
    """

    step: int
    moves: tuple[tuple[int, float, bool], ...]
    loss: float
    wait: float
    shield: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Effect:
    """Change in the journey's figures (after minus before) that a step change makes."""

    delta_p_resolution: float
    delta_wait_expected: float | None
    delta_shields_expected: float | None
    delta_retells_expected: float | None

    @classmethod
    def of(cls, deltas: Sequence[float | None]) -> Effect:
        """From deltas in the order of the figures: resolution, shields, wait, retells."""
        return cls(delta_p_resolution=deltas[0] or 0.0, delta_shields_expected=deltas[1],
                   delta_wait_expected=deltas[2], delta_retells_expected=deltas[3])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values."""
        return {
            "delta_p_resolution": self.delta_p_resolution,
            "delta_wait_expected": self.delta_wait_expected,
            "delta_shields_expected": self.delta_shields_expected,
            "delta_retells_expected": self.delta_retells_expected,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Impact:
    """Change in the journey's figures when one step is removed (see :func:`removal_impacts`).

    Attributes
    ----------
    delta_p_resolution : float
        Change in ``p_resolution`` (positive: more customers resolved).
    delta_shields_expected : float or None
        Change in ``shields_expected``; ``None`` if infinite before or after.
    delta_wait_expected : float or None
        Change in ``wait_expected`` in minutes; ``None`` if infinite before or
        after.
    """

    delta_p_resolution: float
    delta_shields_expected: float | None
    delta_wait_expected: float | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values."""
        return {
            "delta_p_resolution": self.delta_p_resolution,
            "delta_shields_expected": self.delta_shields_expected,
            "delta_wait_expected": self.delta_wait_expected,
        }


def unchanged(sol: ChainSolution, s: int) -> StepChange:
    """Step ``s`` as it is: the starting point of a change (``dataclasses.replace`` it)."""
    net = sol.net
    moves = tuple((v, p, cold) for v, p, cold in zip(net.succ[s], net.prob[s], net.cold[s])
                  if p > 0.0)
    return StepChange(step=s, moves=moves, loss=sol.chain.loss[s], wait=sol.waits[s],
                      shield=float(net.shield[s]))


def _delta(before: float, after: float) -> float | None:
    if before == INF or math.isinf(after) or math.isnan(after):
        return None
    return after - before


def _costs(sol: ChainSolution) -> tuple[list[float], list[float], list[float], list[float]]:
    """Per-visit costs of the four figures: resolution (1 at one), shield, wait, retells."""
    net = sol.net
    return ([1.0 if r else 0.0 for r in net.resolution], [float(s) for s in net.shield],
            list(sol.waits), sol.retell_costs())


def _step_costs(sol: ChainSolution, s: int) -> tuple[float, float, float, float]:
    """Step ``s``'s own costs today, as :func:`_costs` gives them (O(degree))."""
    net = sol.net
    return (1.0 if net.resolution[s] else 0.0, float(net.shield[s]), sol.waits[s],
            sol.retell_cost(s))


def _new_costs(change: StepChange) -> tuple[float, float, float, float]:
    """The changed step's own costs: resolution, shield, wait, retells per visit."""
    return (0.0, change.shield, change.wait,
            math.fsum(p for _, p, cold in change.moves if cold))


def effect_of(sol: ChainSolution, change: StepChange,
              budget: SolveBudget | None = None) -> Effect | None:
    """The exact effect of ``change`` on the journey's figures (see the module docstring).

    ``None`` when it is not computed: the change needs the whole chain
    solved again (it changes the chain's structure) and ``budget`` (callers
    that weigh many changes ration those; ``None``: no limit) has none
    left. The step must not be a resolution or abandon step.
    """
    chain = sol.chain
    s = change.step
    if chain.closed[chain.comp_of[s]]:
        return _full(sol, change, budget)
    reach = sol.p_reach[s]
    if reach == 0.0:  # nobody gets there: nothing changes
        totals = sol.totals()
        unchanged_by = [None if total == INF else 0.0 for total in totals]
        return Effect.of([0.0, *unchanged_by[1:]])
    moved = _row_change(chain.out[s], change.moves)
    h = _chance_back(sol, s, moved)
    if h is None:
        return _full(sol, change, budget)
    # g: the old row's chance of never coming back, and what the change moves
    positive = 1.0 / sol.returns[s]
    negative = 0.0
    for v, dp in moved:
        term = -dp * h[v]
        if term > 0.0:
            positive += term
        else:
            negative += term
    gap = positive + negative
    if gap < NEAR_TRAP * positive:
        return _within_loop(sol, change) or _full(sol, change, budget)
    deltas: list[float | None] = []
    for value, was, cost, total in zip(sol.values(), _step_costs(sol, s), _new_costs(change),
                                       sol.totals()):
        if total == INF or value[s] == INF:
            deltas.append(None)
            continue
        ahead = math.fsum([cost, -was, *[dp * value[v] for v, dp in moved]])
        # a self-loop counts V(S) too
        deltas.append(None if math.isinf(ahead) or math.isnan(ahead) else reach * ahead / gap)
    return Effect.of(deltas)


def _full(sol: ChainSolution, change: StepChange, budget: SolveBudget | None) -> Effect | None:
    """The whole chain solved again, if ``budget`` allows one more solve."""
    return _by_full_solve(sol, change) if budget is None or budget.take() else None


def _row_change(old: Sequence[tuple[int, float]],
                moves: Sequence[tuple[int, float, bool]]) -> list[tuple[int, float]]:
    """``(v, p'(v) - p(v))`` for every target whose probability the change moves."""
    if len(moves) == len(old) and all(v == w for (v, _), (w, _, _) in zip(old, moves)):
        # the same targets in the same order (most changes): compare in place
        return [(v, q - p) for (v, p), (_, q, _) in zip(old, moves) if q != p]
    row = dict(old)
    new: dict[int, float] = {}
    for v, p, _ in moves:
        if p > 0.0:
            new[v] = new.get(v, 0.0) + p
    moved = [(v, p - row.get(v, 0.0)) for v, p in new.items() if p != row.get(v, 0.0)]
    moved.extend((v, -p) for v, p in row.items() if v not in new)
    return moved


def _chance_back(sol: ChainSolution, s: int,
                 moved: Sequence[tuple[int, float]]) -> dict[int, float] | None:
    """``h`` on the targets in ``moved``: the chance to reach S from there (``h(S) = 1``).

    From the selected inversion for S's successors; a target in S's loop
    that S does not go to today takes one solve of the loop's factors (the
    column ``N[., S]``). ``None`` when a new target lies upstream of S's
    loop: the change would join loops, and only a whole solve tells.
    """
    chain = sol.chain
    c = chain.comp_of[s]
    back = sol.back[s]
    h: dict[int, float] = {}
    column: tuple[list[float], dict[int, int]] | None = None
    for v, _ in moved:
        if v == s:
            h[v] = 1.0
        elif v in back:
            h[v] = back[v]
        elif chain.comp_of[v] < c or sol.net.terminal[v]:
            h[v] = 0.0  # v cannot lead back to S
        elif chain.comp_of[v] == c:
            if column is None:
                column = chain.column(c, s)
            col, local = column
            h[v] = min(1.0, col[local[v]] / col[local[s]])
        else:
            return None
    return h


def _by_full_solve(sol: ChainSolution, change: StepChange) -> Effect:
    """Solve the whole chain again with the step changed."""
    s = change.step
    out = list(sol.chain.out)
    loss = list(sol.chain.loss)
    out[s] = [(v, p) for v, p, _ in change.moves if p > 0.0]
    loss[s] = change.loss
    visits, _ = Chain(out, loss).forward(sol.start)
    costs = list(_costs(sol))
    for figure, value in zip(costs, _new_costs(change), strict=True):
        figure[s] = value
    before = sol.totals()
    after = [weighted_sum(visits, cost) for cost in costs]
    return Effect.of([_delta(b, a) for b, a in zip(before, after, strict=True)])


def _within_loop(sol: ChainSolution, change: StepChange) -> Effect | None:
    """Solve only the step's loop again with its new row.

    Customers enter the loop at the same places as before and the values
    beyond it do not change, so the total moves by ``sum over the loop's
    steps x of inflow(x) * (V'(x) - V(x))``. The loop is factored afresh
    (the leak-carrying LU keeps full precision when the loop almost never
    lets go). ``None`` when the new row closes a loop nobody leaves.
    """
    chain = sol.chain
    s = change.step
    c = chain.comp_of[s]
    comp = chain.comps[c]
    comp_of = chain.comp_of
    out = {u: chain.out[u] for u in comp}
    out[s] = [(v, p) for v, p, _ in change.moves if p > 0.0]
    loss = {u: chain.loss[u] for u in comp}
    loss[s] = change.loss
    if not _every_step_leaves(comp, c, comp_of, out, loss):
        return None
    lu, _ = block_factors(comp, comp_of, out, loss)
    inflow = _inflow(sol, comp, c)
    costs = _costs(sol)
    new_cost = _new_costs(change)
    deltas: list[float | None] = []
    for value, cost, own, total in zip(sol.values(), costs, new_cost, sol.totals(), strict=True):
        if total == INF:
            deltas.append(None)
            continue
        rhs = []
        for u in comp:
            acc = own if u == s else cost[u]
            for v, p in out[u]:
                if comp_of[v] != c:
                    acc += p * value[v]
            rhs.append(acc)
        if any(x == INF for x in rhs):
            deltas.append(None)
            continue
        new = lu.solve(rhs)
        deltas.append(math.fsum(b * (new[i] - value[u])
                                for i, (b, u) in enumerate(zip(inflow, comp)) if b))
    return Effect.of(deltas)


def _every_step_leaves(comp: Sequence[int], c: int, comp_of: Sequence[int],
                       out: dict[int, list[tuple[int, float]]], loss: dict[int, float]) -> bool:
    """True when every step of the loop can still leave it (no closed loop forms)."""
    pred: dict[int, list[int]] = {u: [] for u in comp}
    frontier = []
    for u in comp:
        leaks = loss[u] > 0.0
        for v, _ in out[u]:
            if comp_of[v] == c:
                pred[v].append(u)
            else:
                leaks = True
        if leaks:
            frontier.append(u)
    free = set(frontier)
    while frontier:
        v = frontier.pop()
        for u in pred[v]:
            if u not in free:
                free.add(u)
                frontier.append(u)
    return len(free) == len(comp)


def _inflow(sol: ChainSolution, comp: Sequence[int], c: int) -> list[float]:
    """Expected entries into each step of loop ``c`` from outside it (starts included)."""
    net = sol.net
    comp_of = sol.chain.comp_of
    inflow = [sol.start[u] for u in comp]
    for i, x in enumerate(comp):
        for u in net.pred[x]:
            if comp_of[u] != c and sol.visits[u]:
                for v, p in zip(net.succ[u], net.prob[u]):
                    if v == x:
                        inflow[i] += sol.visits[u] * p
    return inflow


def removal(sol: ChainSolution, s: int) -> StepChange:
    """Step ``s`` removed: its customers go straight on, with its wait, shield and abandon gone.

    Every transition into S leads on to S's successors, with S's own shares
    renormalised without its ``abandon``; a self-loop on S is dropped. When
    S has no other way on carrying probability (a stranded step, or one whose
    only way on is to itself) there is nowhere to send its customers: they
    end stranded where S was, and only S's wait, shield and abandon go away.
    The handoff flags of S's ways on are kept.
    """
    net = sol.net
    others = [(v, x, cold) for v, x, cold in zip(net.succ[s], net.share[s], net.cold[s])
              if v != s and x > 0.0]
    total = math.fsum(x for _, x, _ in others)
    moves = tuple((v, x / total, cold) for v, x, cold in others) if total > 0.0 else ()
    return StepChange(step=s, moves=moves, loss=0.0 if moves else 1.0, wait=0.0, shield=0.0)


def removal_impacts(sol: ChainSolution) -> list[Impact | None]:
    """The impact of removing each step (``None`` for entries and terminal steps).

    ``None`` also where it is not computed: a step of a loop nobody leaves,
    past the budget of whole-chain solves (each costs O(n + e) plus the
    loops' factorisations; together they may spend
    :data:`FULL_SOLVE_WORK` operations). An
    overloaded queue's wait counts as 0 (see
    :func:`~cx_audit.analysis.erlang.step_wait`), so removing it changes the
    wait by nothing of its own.
    """
    net = sol.net
    result: list[Impact | None] = [None] * net.n
    budget = SolveBudget(sol)
    for s in range(net.n):
        if net.terminal[s] or net.kind[s] == "entry":
            continue
        effect = effect_of(sol, removal(sol, s), budget)
        if effect is None:
            continue
        result[s] = Impact(delta_p_resolution=effect.delta_p_resolution,
                           delta_shields_expected=effect.delta_shields_expected,
                           delta_wait_expected=effect.delta_wait_expected)
    return result
