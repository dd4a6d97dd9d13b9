"""The most likely routes of a journey, best first."""

from __future__ import annotations

import heapq
import itertools
import math
from dataclasses import dataclass
from typing import Any

from cx_audit.analysis.chain import entry_distribution
from cx_audit.analysis.erlang import step_wait
from cx_audit.analysis.view import JourneyView, journey_view
from cx_audit.core.model import Journey
from cx_audit.text.jsonsafe import json_safe

__all__ = ["Route", "most_likely_routes"]

Trail = tuple[int, int, "Trail | None"]
"""A walk as a linked list, last step first: walks share their prefixes.

Each link is ``(step, way, rest)``: ``way`` indexes the transition into
``step`` among the previous step's ``succ`` (-1 for the entry)."""


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
        abandon shares included. 0.0 when it is smaller than the smallest
        float (a walk of thousands of even choices); the search still ranks
        such walks exactly.
    shields : int
        Shield layers passed (one per visit of a shield step).
    wait : float
        Total wait in minutes (file waits, else Erlang C); ``math.inf`` when
        the sum passes the largest float (about 1.8e308).
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
        """JSON-ready values: a wait too long for a float is ``"unbounded"``, never ``Infinity``."""
        return {
            "steps": list(self.steps),
            "probability": self.probability,
            "shields": self.shields,
            "wait": json_safe(self.wait),
            "retells": self.retells,
            "handoffs": self.handoffs,
        }


Scaled = tuple[int, float]
"""A probability as ``(exponent, mantissa)``, its value ``mantissa * 2**exponent``.

The mantissa lies in [0.5, 1) (0.0 for zero), so the product of two
scaled numbers rounds exactly as the product of the floats would, but
never underflows: a walk of 14,500 even choices (2**-14500) keeps its
place among the others. Tuples compare as the values do."""

ZERO: Scaled = (-(1 << 62), 0.0)
ONE: Scaled = (1, 0.5)


def scaled(value: float) -> Scaled:
    """``value`` (at least 0) as a scaled number."""
    mantissa, exponent = math.frexp(value)
    return (exponent, mantissa) if mantissa else ZERO


def times(a: Scaled, b: Scaled) -> Scaled:
    """The product of two scaled numbers, rounded as a float product is."""
    mantissa = a[1] * b[1]
    if not mantissa:
        return ZERO
    if mantissa < 0.5:  # the product of two mantissas lies in [0.25, 1): doubling is exact
        return (a[0] + b[0] - 1, mantissa * 2.0)
    return (a[0] + b[0], mantissa)


def _best_completion(net: JourneyView) -> list[Scaled]:
    """Probability of the most likely walk from each step to a resolution.

    Dijkstra's algorithm backwards from the resolutions, with products of
    probabilities (all at most 1) in place of sums of lengths. :data:`ZERO`
    where no resolution has a chance.
    """
    pred: list[list[tuple[int, Scaled]]] = [[] for _ in range(net.n)]
    for u in range(net.n):
        for v, p in zip(net.succ[u], net.prob[u]):
            if p > 0.0:
                pred[v].append((u, scaled(p)))
    best = [ZERO] * net.n
    heap: list[tuple[int, float, int]] = []
    for r in net.resolutions:
        best[r] = ONE
        heap.append((-ONE[0], -ONE[1], r))
    heapq.heapify(heap)
    while heap:
        exponent, mantissa, v = heapq.heappop(heap)
        if (-exponent, -mantissa) != best[v]:
            continue
        for u, chance in pred[v]:
            value = times(chance, best[v])
            if value > best[u]:
                best[u] = value
                heapq.heappush(heap, (-value[0], -value[1], u))
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
        broken by discovery order, which follows the file order: of two
        equally likely routes, the one whose walk was extended first comes
        first, and the ways on from a step are tried in the order of its
        ``next``.

    Examples
    --------
    >>> from cx_audit.io.loader import load_journey_text
    >>> journey = load_journey_text(\'\'\'
    ... journey: refund
    ... steps:
    ...   call: {kind: entry, next: [agent]}
    ...   agent: {next: [{to: done, p: 0.6}, {to: hold, p: 0.4, handoff: cold}]}
    ...   hold: {shield: hold, next: [agent]}
    ...   done: {kind: resolution}
    ... \'\'\')
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
    the search heads straight for them. Each step is extended at most ``k``
    times, since a walk whose prefix is not among the ``k`` most likely ways
    to that step cannot be among the ``k`` most likely routes; a step
    extended ``k`` times is struck from the ways on of every step before it.

    The ways on from a step are queued lazily, as in Eppstein's k shortest
    paths: sorted once by what they promise (the transition's probability
    times the best completion after it), a walk queues only its most
    promising way on, and taking a way out of the queue queues the next
    one. Each step taken out of the queue thus adds at most two to it,
    where queuing every way on would add one per transition (the walks of
    400 steps that all lead to one another held a billion entries at
    ``k = 1000``). The order in which walks leave the queue is the one of
    queuing every way on. Routes are never enumerated. Probabilities are
    multiplied (not added as logarithms) so equal routes compare equal,
    as scaled numbers (:data:`Scaled`) so that they never underflow.
    Steps from which no resolution has a chance are never entered.

    O(e log e + k n log(k n) + e) time and O(e + k n) space for n steps and
    e transitions, whatever the number of routes; in practice the search
    takes out little more than the steps of the routes it returns.
    """
    if k <= 0:
        return []
    net = view if view is not None else journey_view(journey)
    start = entry_distribution(journey, net)
    ahead = _best_completion(net)
    waits = [step_wait(journey.steps[i])[0] for i in net.ids]
    ways = _WaysOn(net, start, ahead)
    root = net.n  # the walk before any step: its ways on are the entries
    # (-exponent, -mantissa of probability so far * promise, extension number, way, step,
    #  rank, so far, walk)
    heap: list[tuple[int, float, int, int, int, int, Scaled, Trail | None]] = []
    extensions = itertools.count()
    ways.queue(heap, root, 0, -1, ONE, None)
    expanded = [0] * net.n
    found: list[tuple[Scaled, Route]] = []
    while heap and len(found) < k:
        _, _, number, way, u, rank, so_far, trail = heapq.heappop(heap)
        ways.queue(heap, u, rank + 1, number, so_far, trail)  # the next way on from u
        v, p = ways.taken(u, rank)
        if expanded[v] >= k:
            continue
        expanded[v] += 1
        if expanded[v] == k:
            ways.strike(v)
        g = scaled(start[v]) if u == root else times(so_far, p)
        here: Trail = (v, -1 if u == root else way, trail)
        if net.resolution[v]:
            found.append((g, _route(net, here, math.ldexp(g[1], g[0]), waits)))
            continue
        ways.queue(heap, v, 0, next(extensions), g, here)
    # promises and probabilities are rounded products: keep the order exact to the last bit
    found.sort(key=lambda pair: (-pair[0][0], -pair[0][1]))
    return [route for _, route in found]


class _WaysOn:
    """The ways on from each step (and from the walk's start), best promise first.

    ``order[u]`` lists the indices into ``net.succ[u]`` of the transitions
    worth taking (a chance, and a chance of resolution after), sorted by
    ``promise`` (the transition's probability times the best completion
    after it), ties in file order. The pseudo-step ``n`` is the start: its
    ways on are the entries, promising their share times their completion.
    A struck step is skipped in every list that holds it, through a
    union-find of "next way not struck" per list (near O(1) a look-up).
    """

    __slots__ = ("net", "order", "promise", "skip", "start", "where")

    def __init__(self, net: JourneyView, start: list[float], ahead: list[Scaled]) -> None:
        self.net = net
        self.start = start
        order: list[list[int]] = []
        promise: list[list[Scaled]] = []
        where: list[list[tuple[int, int]]] = [[] for _ in range(net.n)]
        for u in range(net.n + 1):
            if u == net.n:
                worth = [(times(scaled(start[e]), ahead[e]), j) for j, e in enumerate(net.entries)
                         if start[e] > 0.0 and ahead[e][1]]
            else:
                worth = [(times(scaled(p), ahead[v]), j)
                         for j, (v, p) in enumerate(zip(net.succ[u], net.prob[u]))
                         if p > 0.0 and ahead[v][1]]
            worth.sort(key=lambda wj: (-wj[0][0], -wj[0][1]))  # stable: ties stay in file order
            order.append([j for _, j in worth])
            promise.append([w for w, _ in worth])
            for rank, j in enumerate(order[-1]):
                where[self._target(u, j)].append((u, rank))
        self.order = order
        self.promise = promise
        self.where = where
        self.skip = [list(range(len(o) + 1)) for o in order]

    def _target(self, u: int, j: int) -> int:
        return self.net.entries[j] if u == self.net.n else self.net.succ[u][j]

    def taken(self, u: int, rank: int) -> tuple[int, Scaled]:
        """The step the ``rank``-th way on from ``u`` leads to, and its probability."""
        j = self.order[u][rank]
        if u == self.net.n:
            return self.net.entries[j], ONE
        return self.net.succ[u][j], scaled(self.net.prob[u][j])

    def _next(self, u: int, rank: int) -> int:
        """The first rank from ``rank`` on whose step is not struck (path halving)."""
        skip = self.skip[u]
        while skip[rank] != rank:
            skip[rank] = skip[skip[rank]]
            rank = skip[rank]
        return rank

    def strike(self, v: int) -> None:
        """No walk may enter ``v`` any more: skip it in every list of ways on."""
        for u, rank in self.where[v]:
            self.skip[u][rank] = rank + 1

    def queue(self, heap: list[tuple[int, float, int, int, int, int, Scaled, Trail | None]],
              u: int, rank: int, number: int, so_far: Scaled, trail: Trail | None) -> None:
        """Queue the best way on from ``u`` at ``rank`` or after (none once all are taken)."""
        rank = self._next(u, rank)
        if rank < len(self.order[u]):
            key = times(so_far, self.promise[u][rank])
            heapq.heappush(heap, (-key[0], -key[1], number, self.order[u][rank], u, rank,
                                  so_far, trail))


def _route(net: JourneyView, trail: Trail, probability: float, waits: list[float]) -> Route:
    """The route a walk found by the search describes: O(length)."""
    walk: list[int] = []
    retells = handoffs = 0
    node: Trail | None = trail
    while node is not None:
        v, way, rest = node
        walk.append(v)
        if rest is not None:
            u = rest[0]
            retells += net.cold[u][way]
            handoffs += net.handoff[u][way]
        node = rest
    walk.reverse()
    return Route(
        steps=net.names(walk),
        probability=probability,
        shields=sum(net.shield[u] for u in walk),
        wait=sum(waits[u] for u in walk),
        retells=retells,
        handoffs=handoffs,
    )
