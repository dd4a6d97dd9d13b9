"""The most likely routes of a journey, best first."""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass
from typing import Any

from cx_audit.analysis.chain import entry_distribution
from cx_audit.analysis.erlang import step_wait
from cx_audit.analysis.view import JourneyView, journey_view
from cx_audit.core.model import Journey

__all__ = ["Route", "most_likely_routes"]

Trail = tuple[int, "Trail | None"]
"""A walk as a linked list, last step first: walks share their prefixes."""


@dataclass(frozen=True, slots=True)
class Route:
    """One walk from an entry to a resolution, with what it costs the customer.

    Attributes
    ----------
    steps : tuple of str
        The steps in order (a step appears again each time a loop is taken).
    probability : float
        The chance that a customer takes exactly this walk: the entry's share
        (scaled as in the metrics) times every transition's probability,
        abandon shares included.
    shields : int
        Shield layers passed (one per visit of a shield step).
    wait : float
        Total wait in minutes (file waits, else Erlang C).
    retells : int
        Cold handoffs crossed.
    handoffs : int
        Handoffs crossed, warm or cold.
    """

    steps: tuple[str, ...]
    probability: float
    shields: int
    wait: float
    retells: int
    handoffs: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values."""
        return {
            "steps": list(self.steps),
            "probability": self.probability,
            "shields": self.shields,
            "wait": self.wait,
            "retells": self.retells,
            "handoffs": self.handoffs,
        }


def _best_completion(net: JourneyView) -> list[float]:
    """Probability of the most likely walk from each step to a resolution.

    Dijkstra's algorithm backwards from the resolutions, with products of
    probabilities (all at most 1) in place of sums of lengths. 0 where no
    resolution has a chance.
    """
    pred: list[list[tuple[int, float]]] = [[] for _ in range(net.n)]
    for u in range(net.n):
        for v, p in zip(net.succ[u], net.prob[u]):
            if p > 0.0:
                pred[v].append((u, p))
    best = [0.0] * net.n
    heap: list[tuple[float, int]] = []
    for r in net.resolutions:
        best[r] = 1.0
        heap.append((-1.0, r))
    heapq.heapify(heap)
    while heap:
        neg, v = heapq.heappop(heap)
        if -neg != best[v]:
            continue
        for u, p in pred[v]:
            value = p * best[v]
            if value > best[u]:
                best[u] = value
                heapq.heappush(heap, (-value, u))
    return best


def most_likely_routes(journey: Journey, k: int,
                       view: JourneyView | None = None) -> list[Route]:
    """Return the ``k`` most likely routes, best first.

    Parameters
    ----------
    journey : Journey
    k : int
        How many routes to return at most.
    view : JourneyView, optional (default=None)
        ``journey_view(journey)``, when the caller already has it.

    Returns
    -------
    list of Route
        Fewer than ``k`` when fewer routes have positive probability. Ties are
        broken by discovery order, which follows the file order.

    Examples
    --------
    >>> from cx_audit.io.loader import load_journey_text
    >>> journey = load_journey_text('''
    ... journey: refund
    ... steps:
    ...   call: {kind: entry, next: [agent]}
    ...   agent: {next: [{to: done, p: 0.6}, {to: hold, p: 0.4, handoff: cold}]}
    ...   hold: {shield: hold, next: [agent]}
    ...   done: {kind: resolution}
    ... ''')
    >>> for route in most_likely_routes(journey, 2):
    ...     print(round(route.probability, 6), " > ".join(route.steps), route.retells)
    0.6 call > agent > done 0
    0.24 call > agent > hold > agent > done 1

    Notes
    -----
    A best-first (A*) search for the k shortest walks under the weight
    ``-log p``. A backward Dijkstra first gives, for every step, the
    probability of its most likely way to a resolution; partial walks then
    leave a priority queue in decreasing order of their probability times
    that best completion, which is exact, so routes come out best first and
    the search heads straight for them. Each step is expanded at most ``k``
    times, since a walk whose prefix is not among the ``k`` most likely ways
    to that step cannot be among the ``k`` most likely routes. Routes are
    never enumerated. Probabilities are multiplied (not added as logarithms)
    so equal routes compare equal. Steps from which no resolution has a
    chance are never entered. O(e log n + k (n + e) log(k e)) time in the
    worst case, O(n + k e) space; in practice the search expands little more
    than the steps of the routes it returns.
    """
    if k <= 0:
        return []
    net = view if view is not None else journey_view(journey)
    start = entry_distribution(journey, net)
    ahead = _best_completion(net)
    waits = [step_wait(journey.steps[i])[0] for i in net.ids]
    counter = itertools.count()
    # (-(probability so far * best completion), tie-break, step, so far, walk)
    heap: list[tuple[float, int, int, float, Trail | None]] = []
    for e in net.entries:
        if start[e] > 0.0 and ahead[e] > 0.0:
            heap.append((-start[e] * ahead[e], next(counter), e, start[e], None))
    heapq.heapify(heap)
    expanded = [0] * net.n
    routes: list[Route] = []
    while heap and len(routes) < k:
        _, _, u, so_far, trail = heapq.heappop(heap)
        if expanded[u] >= k:
            continue
        expanded[u] += 1
        here: Trail = (u, trail)
        if net.resolution[u]:
            routes.append(_route(net, here, so_far, waits))
            continue
        for v, p in zip(net.succ[u], net.prob[u]):
            if p > 0.0 and ahead[v] > 0.0 and expanded[v] < k:
                g = so_far * p
                heapq.heappush(heap, (-g * ahead[v], next(counter), v, g, here))
    return routes


def _route(net: JourneyView, trail: Trail, probability: float, waits: list[float]) -> Route:
    walk: list[int] = []
    node: Trail | None = trail
    while node is not None:
        walk.append(node[0])
        node = node[1]
    walk.reverse()
    retells = handoffs = 0
    for u, v in itertools.pairwise(walk):
        k = net.succ[u].index(v)
        retells += net.cold[u][k]
        handoffs += net.handoff[u][k]
    return Route(
        steps=net.names(walk),
        probability=probability,
        shields=sum(net.shield[u] for u in walk),
        wait=sum(waits[u] for u in walk),
        retells=retells,
        handoffs=handoffs,
    )
