"""The most likely routes of a journey, best first."""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass
from typing import Any

import networkx as nx

from cx_audit.analysis._net import Net, journey_net
from cx_audit.analysis.chain import entry_distribution
from cx_audit.analysis.erlang import step_wait
from cx_audit.model import Journey

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


def _can_resolve(net: Net) -> list[bool]:
    """Steps from which a resolution is reached with positive probability."""
    pred: list[list[int]] = [[] for _ in range(net.n)]
    for u in range(net.n):
        for v, p in zip(net.succ[u], net.prob[u]):
            if p > 0.0:
                pred[v].append(u)
    seen = [False] * net.n
    stack = list(net.resolutions)
    for r in stack:
        seen[r] = True
    while stack:
        u = stack.pop()
        for p in pred[u]:
            if not seen[p]:
                seen[p] = True
                stack.append(p)
    return seen


def most_likely_routes(journey: Journey, k: int,
                       graph: nx.DiGraph | None = None) -> list[Route]:
    """Return the ``k`` most likely routes, best first.

    Parameters
    ----------
    journey : Journey
    k : int
        How many routes to return at most.
    graph : networkx.DiGraph, optional (default=None)
        ``journey_graph(journey)``, when the caller already has it.

    Returns
    -------
    list of Route
        Fewer than ``k`` when fewer routes have positive probability. Ties are
        broken by discovery order, which follows the file order.

    Examples
    --------
    >>> from cx_audit.loader import load_journey_text
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
    A best-first search for the k shortest walks under the weight
    ``-log p``: partial walks leave a priority queue in decreasing
    probability, and each step is expanded at most ``k`` times, since a walk
    whose prefix is not among the ``k`` most likely ways to that step cannot
    be among the ``k`` most likely routes. Routes are never enumerated.
    Probabilities are multiplied (not added as logarithms) so equal routes
    compare equal. Steps from which no resolution has positive probability
    are never entered. O(k (n + e) log(k e)) time, O(k e) space.
    """
    if k <= 0:
        return []
    net = journey_net(journey, graph)
    start = entry_distribution(journey, net)
    useful = _can_resolve(net)
    waits = [step_wait(journey.steps[i])[0] for i in net.ids]
    counter = itertools.count()
    heap: list[tuple[float, int, int, Trail | None]] = []
    for e in net.entries:
        if start[e] > 0.0 and useful[e]:
            heap.append((-start[e], next(counter), e, None))
    heapq.heapify(heap)
    expanded = [0] * net.n
    routes: list[Route] = []
    while heap and len(routes) < k:
        neg, _, u, trail = heapq.heappop(heap)
        if expanded[u] >= k:
            continue
        expanded[u] += 1
        here: Trail = (u, trail)
        if net.resolution[u]:
            routes.append(_route(net, here, -neg, waits))
            continue
        for v, p in zip(net.succ[u], net.prob[u]):
            if p > 0.0 and useful[v] and expanded[v] < k:
                heapq.heappush(heap, (neg * p, next(counter), v, here))
    return routes


def _route(net: Net, trail: Trail, probability: float, waits: list[float]) -> Route:
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
