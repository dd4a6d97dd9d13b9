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
- the merged transitions keep no handoff of their own: the impact covers
  only ``p_resolution``, ``shields_expected`` and ``wait_expected``;
- an overloaded queue's wait counts as 0 (see :func:`~cx_audit.analysis.erlang.step_wait`),
  so removing it changes ``wait_expected`` by nothing.

Each delta is *after minus before*: a positive ``delta_p_resolution`` is a
gain, a negative ``delta_shields_expected`` a drop. A delta is ``None`` when
the expectation is infinite before or after the change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import networkx as nx

from cx_audit.analysis.chain import INF, _Chain, _Solution, _solve, _weighted
from cx_audit.model import Journey

__all__ = ["Impact", "step_impacts"]

NEAR_TRAP = 1e-9
"""Below this escape probability the closed-form update defers to a full solve."""


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


def _removed_row(sol: _Solution, s: int) -> list[tuple[int, float]]:
    """S's successors and their renormalised shares, self-loop and abandon dropped."""
    net = sol.net
    others = [(v, x) for v, x in zip(net.succ[s], net.share[s]) if v != s and x > 0.0]
    total = math.fsum(x for _, x in others)
    return [(v, x / total) for v, x in others] if total > 0.0 else []


def _impact_by_full_solve(sol: _Solution, s: int, before: tuple[float, float, float]) -> Impact:
    """Re-solve the whole chain with S made a transparent step (rare cases)."""
    net = sol.net
    out = list(sol.chain.out)
    loss = list(sol.chain.loss)
    row = _removed_row(sol, s)
    out[s] = row
    loss[s] = 0.0 if row else 1.0
    visits, _ = _Chain(out, loss).forward(sol.start)
    shields = [float(x) for x in net.shield]
    waits = list(sol.waits)
    shields[s] = 0.0
    waits[s] = 0.0
    p_res = math.fsum(visits[u] for u in net.resolutions)
    return Impact(
        delta_p_resolution=p_res - before[0],
        delta_shields_expected=_delta(before[1] == INF, _weighted(visits, shields) - before[1]),
        delta_wait_expected=_delta(before[2] == INF, _weighted(visits, waits) - before[2]),
    )


def _impacts(sol: _Solution) -> list[Impact | None]:
    """Impact of every removable step (``None`` for entries and terminal steps).

    With ``V`` the value to go (chance of resolution, shields or wait still
    to come) and ``h(y)`` the chance to reach S from ``y``, removing S changes
    every ``V(y)`` by ``h(y) * dV(S)``, because the walk before first reaching
    S is untouched. At S, ``dV(S) = (V1 - V(S)) / (1 - r)`` where ``V1`` is
    one step of the new row over the old values and ``r`` the chance that the
    new row comes back to S. The total changes by ``p_reach(S) * dV(S)``.
    For a step on no cycle ``r = 0``; inside a cyclic component ``r`` comes
    from the same solve that gave ``p_reach``. Steps in a trap loop, steps
    that everyone abandons (whose successors only the removal makes
    reachable) and near-closed cases are re-solved in full instead.
    """
    net = sol.net
    chain = sol.chain
    p_before = sol.end_probabilities()[0]
    shields_before = _weighted(sol.visits, net.shield)
    wait_before = _weighted(sol.visits, sol.waits)
    before = (p_before, shields_before, wait_before)
    result: list[Impact | None] = [None] * net.n
    values: tuple[list[float], list[float], list[float]] | None = None
    for s in range(net.n):
        if net.terminal[s] or net.kind[s] == "entry":
            continue
        reach = sol.p_reach[s]
        if reach == 0.0:
            result[s] = Impact(0.0, None if shields_before == INF else 0.0,
                               None if wait_before == INF else 0.0)
            continue
        denominator = 1.0 - sol.returns_without[s]
        if (chain.closed[chain.comp_of[s]] or net.abandon[s] >= 1.0
                or denominator < NEAR_TRAP):
            result[s] = _impact_by_full_solve(sol, s, before)
            continue
        if values is None:
            values = sol.values()
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


def step_impacts(journey: Journey, graph: nx.DiGraph | None = None) -> dict[str, Impact | None]:
    """Return the impact of removing each step (``None`` for entries and terminals).

    Parameters
    ----------
    journey : Journey
    graph : networkx.DiGraph, optional (default=None)
        ``journey_graph(journey)``, when the caller already has it.

    Returns
    -------
    dict
        Step id -> :class:`Impact` or ``None``, in file order.

    Notes
    -----
    Semantics: see the module docstring. One backward pass per figure
    (O(n + e) plus the cyclic components' solves) gives every step's values
    to go; each step then costs O(its out-degree). The return probabilities
    inside cyclic components come with ``p_reach``, so the total time is that
    of :func:`~cx_audit.analysis.chain.solve_chain`. A step in a trap loop,
    a step with ``abandon: 1``, or one whose removal would close a loop costs
    a full re-solve, O(n + e) more for each such step.
    """
    sol = _solve(journey, graph)
    return dict(zip(sol.net.ids, _impacts(sol)))
