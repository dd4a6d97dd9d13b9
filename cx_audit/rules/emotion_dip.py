"""## What it does
Flags the low points of the customer's emotional curve, never on a
resolution or abandon step, and at most once per step (a step that is both
of these gives one finding that says both):
- the LOWEST POINT: the step with the lowest `emotion` among the steps on a
  route (an entry reaches them and they reach a resolution), when it is -1
  or below. When several steps share it, one finding names them all, on the
  first of them along the likeliest route that passes any of them (a
  route's chance is its entry's share times the chance of each transition).
  A tie left between routes of equal chance goes to the step reached with
  the higher chance, then in fewer transitions, then first in the file;
- a DROP: a step whose emotion is 2 or more below that of a step that leads
  to it, on a transition that an entry reaches; the finding names the
  highest step it falls from (the first in the file among equals).

## Why it matters
The low points of the emotional curve are where a good experience turns
bad — the combustion points Disney looks for through its listening posts
(Disney Institute, *Be Our Guest*, 2011). Customers remember the worst
moment of a journey, and effort-heavy moments make 96% of them more
disloyal (CEB/Gartner, 2013). Reporting the one lowest point and the sharp
falls, rather than every unhappy step, keeps the few moments to fix in view.

Resolution and abandon steps are outcomes: how the customer feels there is
their verdict on the journey, not a moment of it that a team can change.
Only steps on a route compete for the lowest point, so that a dead branch
(reported by the structural rules) cannot hide the low point of the routes
customers travel; a drop into such a branch is still one customers feel.

## Example
```yaml
  agent: {emotion: 1, next: [fee]}
  fee: {shield: fee, emotion: -2, next: [done]}
```

## Use instead
```yaml
  agent: {emotion: 1, next: [fee]}
  fee: {shield: fee, emotion: 0, next: [done]}    # fee waived for first disputes
```

## Options
None.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from cx_audit.analysis.chain import entry_distribution
from cx_audit.analysis.structure import on_route_steps, reachable_steps
from cx_audit.core.findings import Candidate, Severity
from cx_audit.rules.base import Option, RuleContext

CODE = "CX505"
NAME = "emotion-dip"
SUMMARY = "A low point of the customer's emotional curve"
SEVERITY = Severity.WARNING
ADVICE = ("Find what makes customers feel worst here and remove or soften it; prepare staff for "
          "this moment.")
OPTIONS: dict[str, Option] = {}

_LOW = -1.0
"""The lowest point is reported only at this emotion or below."""
_DROP = 2.0
"""A fall of at least this much between two steps is a drop."""
_NAMED = 5
"""How many other steps at the lowest point a message names before counting the rest."""
_SAME = 1e-9
"""Chances of routes closer than this (relative) are equal."""
"""How many other steps at the lowest point a message names before counting the rest."""


def check(context: RuleContext, options: Mapping[str, Any]) -> Iterator[Candidate]:
    """Yield the lowest point of the emotional curve and the steps that end a drop of 2 or more.

    Reads the journey view and its structural helpers (on-route and reachable
    steps); the transition chances only when several steps share the lowest
    point. Never the Markov chain.
    """
    journey, view = context.journey, context.view
    feel = [journey.steps[i].emotion for i in view.ids]
    outcome = view.terminal
    on_route = context.memo(on_route_steps)
    reached = context.memo(reachable_steps)

    moments: dict[int, float] = {
        i: e for i, e in enumerate(feel)
        if e is not None and not outcome[i] and view.ids[i] in on_route
    }
    lowest = min(moments.values(), default=0.0)
    tied = [i for i, e in moments.items() if e == lowest] if lowest <= _LOW else []
    carrier = _first_on_likeliest_route(context, tied) if tied else None

    for v in range(view.n):
        here = feel[v]
        if here is None or outcome[v]:
            continue
        source: int | None = None
        highest = here
        for u in view.pred[v]:  # sources in file order: the first of equals is kept
            before = feel[u]
            if (before is not None and before - here >= _DROP and before > highest
                    and view.ids[u] in reached):
                source, highest = u, before
        if v != carrier and source is None:
            continue
        step = view.ids[v]
        metrics: dict[str, Any] = {"emotion": here}
        fall = ""
        if source is not None:
            fall = f"emotion drops from {highest:+g} at '{view.ids[source]}' to {here:+g}"
            metrics.update({"from": view.ids[source], "emotion_before": highest})
        if v != carrier:
            yield Candidate(f"{fall[0].upper()}{fall[1:]} at step '{step}'", step=step,
                            metrics=metrics)
            continue
        others = [view.ids[i] for i in tied if i != v]
        message = f"The lowest point of the emotional curve ({here:+g}) is at step '{step}'"
        if fall:
            message += f", where {fall}"
        if others:
            message += f"; also at {_listing(others)}"
            metrics["steps_at_lowest"] = len(tied)
        yield Candidate(message, step=step, metrics=metrics)


def _listing(steps: Sequence[str]) -> str:
    """``'a', 'b' and 'c'``, with at most :data:`_NAMED` names and a count of the rest."""
    names = [f"'{s}'" for s in steps[:_NAMED]]
    rest = len(steps) - len(names)
    if rest:
        names.append(f"{rest} more step{'s' if rest > 1 else ''}")
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _first_on_likeliest_route(context: RuleContext, tied: list[int]) -> int:
    """The step of ``tied`` (indices in file order) that carries the lowest-point finding.

    For each step, the chance of the likeliest route through it is the best
    chance of reaching it (from the entry shares) times the best chance of
    going on from it to a resolution: two searches in the manner of
    Dijkstra's algorithm, with products of chances (all at most 1) in place
    of sums of lengths. The step with the highest product lies on the
    likeliest route that passes a tied step. Of several on that route, the
    earliest is reached with the higher chance or, where every chance
    between them is 1, in fewer transitions. Remaining ties go to file
    order. O(e log n), and only when steps tie.
    """
    if len(tied) == 1:
        return tied[0]
    view = context.view
    forward, hops = _best_products(view.succ, view.prob,
                                   entry_distribution(context.journey, view))
    into: list[list[int]] = [[] for _ in range(view.n)]
    into_chances: list[list[float]] = [[] for _ in range(view.n)]
    for u in range(view.n):
        for v, p in zip(view.succ[u], view.prob[u]):
            into[v].append(u)
            into_chances[v].append(p)
    backward, _ = _best_products(into, into_chances,
                                 [1.0 if r else 0.0 for r in view.resolution])
    through = {i: forward[i] * backward[i] for i in tied}
    best = max(through.values())
    # steps of one route may differ in the last bits: products are rounded in another order
    likeliest = [i for i in tied if through[i] >= best * (1.0 - _SAME)]
    return max(likeliest, key=lambda i: (forward[i], -hops[i], -i))


def _best_products(moves: list[list[int]], chances: list[list[float]],
                   start: list[float]) -> tuple[list[float], list[int]]:
    """For every step, the highest ``start[s]`` times the chances along a walk from ``s`` to it.

    Also the fewest transitions of such a walk (``n`` where there is none).
    """
    n = len(start)
    best = list(start)
    hops = [0 if value > 0.0 else n for value in start]
    heap = [(-value, 0, s) for s, value in enumerate(start) if value > 0.0]
    heapq.heapify(heap)
    while heap:
        negative, steps, u = heapq.heappop(heap)
        if -negative != best[u] or steps != hops[u]:
            continue
        for v, p in zip(moves[u], chances[u]):
            value = best[u] * p
            if value > best[v] or (value == best[v] > 0.0 and steps + 1 < hops[v]):
                best[v], hops[v] = value, steps + 1
                heapq.heappush(heap, (-value, steps + 1, v))
    return best, hops
