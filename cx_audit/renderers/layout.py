"""A layered (Sugiyama-style) layout of a journey graph, with the likeliest route kept on one row.

The drawing reads left to right: each node gets a *layer* (its column) and
a *row*. Row 0 belongs to the likeliest route alone, so that route is one
straight line; other nodes sit above (negative rows) or below it.

The steps, each linear or close to it in the size of the graph:

1. **Back edges.** A depth-first search from the route's first node, then
   from the other roots, follows the route first and then each node's
   transitions by decreasing weight; an edge into a node still on the
   search stack closes a loop and is reversed for the layering (it is still
   drawn the way it goes). The route's own edges are never reversed.
2. **Layers.** Longest-path layering of the resulting acyclic graph, then
   sources off the route are pulled right next to their first successor, so
   that a second entry does not start a long edge at the far left.
3. **Dummies.** An edge that spans more than one layer gets a dummy node in
   each layer it crosses, so that it is routed around the boxes there (the
   route's own edges run along row 0, which nothing else uses).
4. **Order.** Barycenter sweeps, left to right then right to left: each
   node moves to the mean row of its neighbours in the layer just swept,
   weighted by the edges' weights; nodes with a negative mean go above the
   route, the others below, packed outward from it. The ordering with the
   fewest crossings seen is kept.

Nothing is random and every tie is broken by node number, so the same graph
always gets the same layout. No route is ever enumerated.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Layout", "layered_layout"]

PASSES = 4
"""Barycenter sweeps in each direction."""

MAX_SPAN = 4
"""Layers an edge may span and still be routed through dummies; a longer edge
gets none (``Layout.long``) and is drawn as a connector. Without this bound a
step that many others lead to (one "gives up" step at the far right) would
need a dummy per layer per edge: quadratic in the journey's length."""


@dataclass(frozen=True, slots=True)
class Layout:
    """Where each node and edge of a graph goes, in layer and row units.

    Attributes
    ----------
    layer, row : tuple of int
        Per node: its column (0 at the left) and its row (0 is the
        likeliest route's row, negative above it, positive below).
    layers : int
        How many columns there are.
    top, bottom : int
        The smallest and largest row used (``top <= 0 <= bottom``).
    waypoints : tuple of tuple of (int, int)
        Per edge, in the order given: the (layer, row) of each dummy it
        passes, from its source to its target; empty for an edge between
        adjacent layers, along the route, or a self-loop.
    backward : tuple of bool
        Per edge: True when it was reversed to break a loop (it goes to the
        left, or stays in its column).
    long : tuple of bool
        Per edge: True when it spans more than :data:`MAX_SPAN` layers and so
        was given no dummies (draw it as a connector, not a line).
    crossings : int
        Edge crossings between adjacent layers in the kept ordering (dummies
        included), a measure of the layout's quality.
    """

    layer: tuple[int, ...]
    row: tuple[int, ...]
    layers: int
    top: int
    bottom: int
    waypoints: tuple[tuple[tuple[int, int], ...], ...]
    backward: tuple[bool, ...]
    long: tuple[bool, ...]
    crossings: int

    @property
    def rows(self) -> int:
        """How many rows the layout spans."""
        return self.bottom - self.top + 1


def _search_order(n: int, succ: list[list[tuple[int, float, int]]], spine: Sequence[int],
                  roots: Sequence[int]) -> tuple[set[int], list[int]]:
    """The edges that close a loop (by index) and the order nodes were first seen.

    Iterative depth-first search; children in the order of ``succ`` (already
    sorted: the route's next node first, then by decreasing weight).
    """
    state = [0] * n  # 0 unseen, 1 on the stack, 2 done
    back: set[int] = set()
    seen: list[int] = []
    starts = [*spine[:1], *roots, *range(n)]
    for root in starts:
        if state[root]:
            continue
        state[root] = 1
        seen.append(root)
        stack = [(root, 0)]
        while stack:
            node, at = stack[-1]
            children = succ[node]
            if at == len(children):
                stack.pop()
                state[node] = 2
                continue
            stack[-1] = (node, at + 1)
            child, _, edge = children[at]
            if state[child] == 1:
                back.add(edge)
            elif state[child] == 0:
                state[child] = 1
                seen.append(child)
                stack.append((child, 0))
    return back, seen


def _layers(n: int, dag: list[list[int]], on_spine: list[bool]) -> list[int]:
    """Longest-path layers of an acyclic graph; sources off the route pulled right."""
    indegree = [0] * n
    for targets in dag:
        for v in targets:
            indegree[v] += 1
    order = [v for v in range(n) if indegree[v] == 0]
    sources = list(order)
    layer = [0] * n
    head = 0
    while head < len(order):
        u = order[head]
        head += 1
        for v in dag[u]:
            if layer[u] + 1 > layer[v]:
                layer[v] = layer[u] + 1
            indegree[v] -= 1
            if indegree[v] == 0:
                order.append(v)
    for u in sources:
        if not on_spine[u] and dag[u]:
            layer[u] = max(layer[u], min(layer[v] for v in dag[u]) - 1)
    return layer


def _count_crossings(upper: list[float], edges: list[tuple[int, int]]) -> int:
    """Crossings between two layers: inversions of the edges' lower ends, sorted by upper ends."""
    ends = sorted(edges, key=lambda e: (upper[e[0]], upper[e[1]]))
    seen: list[float] = []
    crossings = 0
    for _, v in ends:
        key = upper[v]
        crossings += len(seen) - bisect.bisect_right(seen, key)
        bisect.insort(seen, key)
    return crossings


def layered_layout(n: int, edges: Sequence[tuple[int, int, float]], spine: Sequence[int] = (),
                   roots: Sequence[int] = ()) -> Layout:
    """Lay out a directed graph in layers, left to right, ``spine`` straight along row 0.

    Parameters
    ----------
    n : int
        Nodes are ``0 .. n-1``.
    edges : sequence of (source, target, weight)
        Weights (the share of customers who take the edge, say) decide which
        edge the search follows first and pull heavy neighbours together.
    spine : sequence of int, optional
        A simple path through the graph (consecutive nodes joined by an
        edge): the likeliest route. It is laid on row 0, one layer after
        another, and nothing else is put on that row.
    roots : sequence of int, optional
        Where else the search starts (the other entries, most used first);
        nodes it does not reach are started from in node order.

    Returns
    -------
    Layout
    """
    spine = _simple_prefix(spine, edges)
    on_spine = [False] * n
    for v in spine:
        on_spine[v] = True
    next_on_spine = dict(itertools.pairwise(spine))
    succ: list[list[tuple[int, float, int]]] = [[] for _ in range(n)]
    for index, (u, v, weight) in enumerate(edges):
        if u != v:
            succ[u].append((v, weight, index))
    for u in range(n):
        first = next_on_spine.get(u, -1)
        succ[u].sort(key=lambda c: (c[0] != first, -c[1], c[0]))
    back, seen = _search_order(n, succ, spine, roots)
    dag: list[list[int]] = [[] for _ in range(n)]
    for index, (u, v, _) in enumerate(edges):
        if u == v:
            continue
        if index in back:
            dag[v].append(u)
        else:
            dag[u].append(v)
    layer = _layers(n, dag, on_spine)
    low = min(layer, default=0)
    layer = [x - low for x in layer]
    spine_edges = {(u, v) for u, v in itertools.pairwise(spine)}

    # Items: the nodes, then one dummy per layer crossed by each long edge.
    item_layer = list(layer)
    item_weight_edges: list[tuple[int, int, float]] = []  # (left item, right item, weight)
    chains: list[list[int]] = []
    long: list[bool] = []
    for index, (u, v, weight) in enumerate(edges):
        left, right = (v, u) if index in back else (u, v)
        chain: list[int] = []
        too_long = layer[right] - layer[left] > MAX_SPAN and (u, v) not in spine_edges
        long.append(too_long)
        if too_long:
            chains.append(chain)
            continue
        if u != v and (u, v) not in spine_edges:
            for at in range(layer[left] + 1, layer[right]):
                chain.append(len(item_layer))
                item_layer.append(at)
        steps = [left, *chain, right]
        if u != v and layer[left] != layer[right]:
            for a, b in itertools.pairwise(steps):
                item_weight_edges.append((a, b, weight))
        chains.append(chain if index not in back else chain[::-1])
    count = len(item_layer)
    fixed = [i < n and on_spine[i] for i in range(count)]
    first_seen = {v: k for k, v in enumerate(seen)}
    layers = max(item_layer, default=-1) + 1
    members: list[list[int]] = [[] for _ in range(layers)]
    for item in sorted(range(count), key=lambda i: (first_seen.get(i, n + i), i)):
        members[item_layer[item]].append(item)
    left_of: list[list[tuple[int, float]]] = [[] for _ in range(count)]
    right_of: list[list[tuple[int, float]]] = [[] for _ in range(count)]
    for a, b, weight in item_weight_edges:
        if item_layer[a] < item_layer[b]:
            right_of[a].append((b, weight))
            left_of[b].append((a, weight))
    row = [0.0] * count
    for items in members:
        _pack(items, row, fixed, {i: float(k) for k, i in enumerate(items)})

    pairs: list[list[tuple[int, int]]] = [[] for _ in range(layers)]
    for a, b, _ in item_weight_edges:
        if item_layer[a] < item_layer[b]:
            pairs[item_layer[a]].append((a, b))

    def crossings() -> int:
        return sum(_count_crossings(row, pair) for pair in pairs if pair)

    best = list(row)
    best_crossings = crossings()
    for _ in range(PASSES):
        for at in range(1, layers):
            _sweep(members[at], row, fixed, left_of)
        for at in range(layers - 2, -1, -1):
            _sweep(members[at], row, fixed, right_of)
        now = crossings()
        if now < best_crossings:
            best, best_crossings = list(row), now
    rows = [round(r) for r in best]
    waypoints = tuple(tuple((item_layer[i], rows[i]) for i in chain) for chain in chains)
    used = rows[:count] or [0]
    return Layout(
        layer=tuple(layer),
        row=tuple(rows[:n]),
        layers=max(layers, 1 if n else 0),
        top=min(0, *used),
        bottom=max(0, *used),
        waypoints=waypoints,
        backward=tuple(index in back for index in range(len(edges))),
        long=tuple(long),
        crossings=best_crossings,
    )


def _simple_prefix(spine: Sequence[int], edges: Sequence[tuple[int, int, float]]) -> list[int]:
    """The longest prefix of ``spine`` that is a simple path along ``edges``."""
    known = {(u, v) for u, v, _ in edges}
    kept: list[int] = []
    seen: set[int] = set()
    for v in spine:
        if v in seen or (kept and (kept[-1], v) not in known):
            break
        kept.append(v)
        seen.add(v)
    return kept


def _sweep(items: list[int], row: list[float], fixed: list[bool],
           neighbours: list[list[tuple[int, float]]]) -> None:
    """Move the free items of one layer to the weighted mean row of their neighbours."""
    wanted: dict[int, float] = {}
    for item in items:
        if fixed[item]:
            continue
        links = neighbours[item]
        total = sum(w for _, w in links) if links else 0.0
        if links and total > 0.0:
            wanted[item] = sum(row[j] * w for j, w in links) / total
        elif links:
            wanted[item] = sum(row[j] for j, _ in links) / len(links)
        else:
            wanted[item] = row[item]
    _pack(items, row, fixed, wanted)


def _pack(items: list[int], row: list[float], fixed: list[bool], wanted: dict[int, float]) -> None:
    """Give the free items of a layer distinct rows off row 0, in the order of ``wanted``.

    An item that wants row 0 exactly keeps the side it is on (below when it
    has none yet).
    """
    free = [i for i in items if not fixed[i]]
    above = [i for i in free if wanted[i] < 0 or (wanted[i] == 0 and row[i] < 0)]
    taken = set(above)
    below = [i for i in free if i not in taken]
    above.sort(key=lambda i: (-wanted[i], i))
    below.sort(key=lambda i: (wanted[i], i))
    for k, item in enumerate(above, start=1):
        row[item] = -float(k)
    for k, item in enumerate(below, start=1):
        row[item] = float(k)
