"""What-if: the impact of removing (fixing) one step.

Removing a non-entry, non-terminal step S means that every transition into S
is replaced by transitions to S's successors, with S's outgoing
probabilities renormalised without S's ``abandon`` share; S's wait, shield
and abandon disappear. Choices where the definition leaves room:

- a self-loop on S is dropped and the other transitions renormalised;
- when S has no other successor carrying probability (a stranded step, or
  one whose only way on is to itself) there is nowhere to send its customers:
  they end stranded where S was. Only S's wait, shield and abandon go away;
  no route is invented;
- handoffs play no part: the impact covers only ``p_resolution``,
  ``shields_expected`` and ``wait_expected``;
- an overloaded queue's wait counts as 0 (see
  :func:`~cx_audit.analysis.erlang.step_wait`), so its own wait adds nothing
  to the change when it is removed.

Each delta is *after minus before*: a positive ``delta_p_resolution`` is a
gain, a negative ``delta_shields_expected`` a drop. A delta is ``None`` when
the expectation is infinite before or after the change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from cx_audit.analysis.chain import (
    INF,
    PER_STEP_WORK_LIMIT,
    Chain,
    ChainSolution,
    block_factors,
    weighted_sum,
)
from cx_audit.analysis.view import JourneyView

__all__ = ["NEAR_TRAP", "Impact", "removal_impacts"]

NEAR_TRAP = 1e-5
"""Below this chance of never coming back, the closed-form update would lose
precision (``1 - r`` is formed by a subtraction, good to about 1e-15): the
component is re-solved instead, keeping impacts to about 1e-10 relative."""


@dataclass(frozen=True, slots=True)
class Impact:
    """Change in the journey's figures when one step is removed.

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


def _delta(before_infinite: bool, value: float) -> float | None:
    if before_infinite or math.isinf(value) or math.isnan(value):
        return None
    return value


def _removed_row(sol: ChainSolution, s: int) -> list[tuple[int, float]]:
    """S's successors and their renormalised shares, self-loop and abandon dropped."""
    net = sol.net
    others = [(v, x) for v, x in zip(net.succ[s], net.share[s]) if v != s and x > 0.0]
    total = math.fsum(x for _, x in others)
    return [(v, x / total) for v, x in others] if total > 0.0 else []


def _impact_by_full_solve(sol: ChainSolution, s: int, before: tuple[float, float, float]) -> Impact:
    """Re-solve the whole chain with S made a transparent step (rare cases)."""
    net = sol.net
    out = list(sol.chain.out)
    loss = list(sol.chain.loss)
    row = _removed_row(sol, s)
    out[s] = row
    loss[s] = 0.0 if row else 1.0
    visits, _ = Chain(out, loss).forward(sol.start)
    shields = [float(x) for x in net.shield]
    waits = list(sol.waits)
    shields[s] = 0.0
    waits[s] = 0.0
    p_res = math.fsum(visits[u] for u in net.resolutions)
    return Impact(
        delta_p_resolution=p_res - before[0],
        delta_shields_expected=_delta(before[1] == INF, weighted_sum(visits, shields) - before[1]),
        delta_wait_expected=_delta(before[2] == INF, weighted_sum(visits, waits) - before[2]),
    )


def _impact_within_component(sol: ChainSolution, s: int,
                             values: tuple[list[float], list[float], list[float]],
                             before: tuple[float, float, float]) -> Impact | None:
    """Re-solve only S's cyclic component with S's new row.

    Customers enter the component at the same places as before and the
    values beyond it do not change, so the total moves by
    ``sum over entry points x of inflow(x) * (V'(x) - V(x))``. The block is
    factored afresh (the leak-carrying LU keeps full precision when the loop
    almost never lets go). Returns ``None`` when the new row closes a loop
    inside the component: the caller then re-solves the whole chain.
    """
    net = sol.net
    chain = sol.chain
    c = chain.comp_of[s]
    comp = chain.comps[c]
    comp_of = chain.comp_of
    row = _removed_row(sol, s)
    out = {u: chain.out[u] for u in comp}
    out[s] = row
    loss = {u: chain.loss[u] for u in comp}
    loss[s] = 0.0 if row else 1.0
    # every step of the block must still be able to leave it
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
    if len(free) < len(comp):
        return None
    lu, _ = block_factors(comp, comp_of, out, loss)
    inflow = [sol.start[u] for u in comp]
    for i, x in enumerate(comp):
        for u in net.pred[x]:
            if comp_of[u] != c and sol.visits[u]:
                k = net.succ[u].index(x)
                inflow[i] += sol.visits[u] * net.prob[u][k]
    costs = ([0.0] * net.n, [float(x) for x in net.shield], sol.waits)
    deltas: list[float | None] = []
    for value, cost, total in zip(values, costs, before):
        if total == INF:
            deltas.append(None)
            continue
        rhs = []
        for u in comp:
            acc = 0.0 if u == s else cost[u]
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
    p_delta = deltas[0]
    return Impact(0.0 if p_delta is None else p_delta, deltas[1], deltas[2])


def removal_impacts(sol: ChainSolution) -> list[Impact | None]:
    """Impact of every removable step (``None`` for entries and terminal steps).

    With ``V`` the value to go (chance of resolution, shields or wait still
    to come) and ``h(y)`` the chance to reach S from ``y``, removing S changes
    every ``V(y)`` by ``h(y) * dV(S)``, because the walk before first reaching
    S is untouched. At S, ``dV(S) = (V1 - V(S)) / (1 - r)`` where ``V1`` is
    one step of the new row over the old values and ``r`` the chance that the
    new row comes back to S. The total changes by ``p_reach(S) * dV(S)``.
    For a step on no cycle ``r = 0``; inside a cyclic component ``r`` comes
    from the same solve that gave ``p_reach``.

    When ``1 - r`` is tiny (the loop almost never lets go) the quotient
    loses precision, and S's component alone is re-solved instead. Steps in
    a trap loop, removals that close a loop, and steps that everyone
    abandons but that lie on a cycle of transitions (their successors, only
    reachable after the removal, may lead back to them) are re-solved in
    full.
    """
    net = sol.net
    chain = sol.chain
    p_before = sol.end_probabilities()[0]
    shields_before = weighted_sum(sol.visits, net.shield)
    wait_before = weighted_sum(sol.visits, sol.waits)
    before = (p_before, shields_before, wait_before)
    result: list[Impact | None] = [None] * net.n
    values: tuple[list[float], list[float], list[float]] | None = None
    structural: list[bool] | None = None
    # re-solves cost O(n + e) (whole chain) or O(factors) (one loop) each: together they
    # may spend PER_STEP_WORK_LIMIT operations; past that, impacts are not computed
    full_cost = max(1, net.n + sum(map(len, net.succ)))
    full_solves_left = max(1, PER_STEP_WORK_LIMIT // full_cost)
    loop_budget = PER_STEP_WORK_LIMIT
    for s in range(net.n):
        if net.terminal[s] or net.kind[s] == "entry":
            continue
        reach = sol.p_reach[s]
        if math.isnan(reach):
            continue  # in a loop too large for per-step figures: not computed
        if reach == 0.0:
            result[s] = Impact(0.0, None if shields_before == INF else 0.0,
                               None if wait_before == INF else 0.0)
            continue
        if chain.closed[chain.comp_of[s]]:
            if full_solves_left > 0:
                full_solves_left -= 1
                result[s] = _impact_by_full_solve(sol, s, before)
            continue
        if net.abandon[s] >= 1.0 and net.succ[s]:
            if structural is None:
                structural = _on_structural_cycle(net)
            if structural[s]:
                if full_solves_left > 0:
                    full_solves_left -= 1
                    result[s] = _impact_by_full_solve(sol, s, before)
                continue
        if values is None:
            values = sol.values()
        denominator = 1.0 - sol.returns_without[s]
        if denominator < NEAR_TRAP:
            loop_budget -= 40 * chain.factor(chain.comp_of[s])[0].size  # a fresh factorisation
            if loop_budget < 0:
                continue  # not computed: the budget for per-step figures is spent
            impact = _impact_within_component(sol, s, values, before)
            if impact is None and full_solves_left > 0:
                full_solves_left -= 1
                impact = _impact_by_full_solve(sol, s, before)
            result[s] = impact
            continue
        row = _removed_row(sol, s)
        deltas: list[float | None] = []
        for value, was_infinite in zip(values, (False, shields_before == INF,
                                                 wait_before == INF)):
            old = value[s]
            new = math.fsum(x * value[v] for v, x in row) if row else 0.0
            if was_infinite or old == INF or new == INF:
                deltas.append(None)
            else:
                deltas.append(reach * (new - old) / denominator)
        p_delta = deltas[0]
        result[s] = Impact(0.0 if p_delta is None else p_delta, deltas[1], deltas[2])
    return result


def _on_structural_cycle(net: JourneyView) -> list[bool]:
    """Steps on a cycle of transitions, whatever their probabilities."""
    succ = net.succ
    comp_of, comps = net.components()
    return [len(comps[comp_of[u]]) > 1 or u in succ[u] for u in range(len(succ))]

