"""Integer-indexed view of a journey graph, shared by the analysis modules.

The analyses run many passes over the same graph. Walking networkx's nested
dictionaries each time would dominate their cost, so the graph is read once
into flat lists indexed by the position of each step in file order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import networkx as nx

__all__ = ["Net", "net_of", "strongly_connected"]

ENTRY = "entry"
RESOLUTION = "resolution"
ABANDON = "abandon"


class Net:
    """Flat, read-only arrays describing one journey graph.

    Attributes
    ----------
    ids : list of str
        Step ids in node (file) order; a step's index is its position here.
    index : dict
        Step id -> index.
    kind : list of str
        ``"entry"``, ``"step"``, ``"resolution"`` or ``"abandon"``.
    terminal, resolution, abandon_step, stranded : list of bool
        Per step: terminal kind; resolution; abandon kind; non-terminal with
        no transition that carries probability (its customers are stranded).
    succ : list of list of int
        Transition targets. Transitions leaving a terminal step are dropped:
        the walk ends there.
    share : list of list of float
        Parallel to ``succ``: each transition's probability among the step's
        transitions, divided by their sum so that it adds up to exactly one
        (a rounding deficit is spread in proportion, never lost).
    prob : list of list of float
        Parallel to ``succ``: the chance to take the transition from the step,
        ``(1 - abandon) * share``.
    cold, handoff : list of list of bool
        Parallel to ``succ``: cold handoff, any handoff.
    shield : list of int
        1 for a shield layer, else 0.
    abandon : list of float
        The abandon share of each non-terminal step, clipped to [0, 1]; 0 for
        terminal steps (reaching one ends the walk).
    entries, resolutions : list of int
        Entry and resolution steps, in file order.
    """

    __slots__ = (
        "ids", "index", "kind", "terminal", "resolution", "abandon_step", "stranded",
        "succ", "share", "prob", "cold", "handoff", "shield", "abandon",
        "entries", "resolutions", "_pred",
    )

    def __init__(self, G: nx.DiGraph) -> None:
        ids = list(G)
        self.ids = ids
        self.index = index = {v: i for i, v in enumerate(ids)}
        n = len(ids)
        kind: list[str] = []
        shield: list[int] = []
        abandon: list[float] = []
        for _, data in G.nodes(data=True):
            k = str(data.get("kind", "step"))
            kind.append(k)
            shield.append(1 if data.get("shield") else 0)
            if k in (RESOLUTION, ABANDON):
                abandon.append(0.0)
            else:
                a = float(data.get("abandon") or 0.0)
                abandon.append(min(1.0, max(0.0, a)))
        self.kind = kind
        self.shield = shield
        self.abandon = abandon
        self.terminal = [k in (RESOLUTION, ABANDON) for k in kind]
        self.resolution = [k == RESOLUTION for k in kind]
        self.abandon_step = [k == ABANDON for k in kind]
        self.entries = [i for i, k in enumerate(kind) if k == ENTRY]
        self.resolutions = [i for i, k in enumerate(kind) if k == RESOLUTION]

        succ: list[list[int]] = [[] for _ in range(n)]
        share: list[list[float]] = [[] for _ in range(n)]
        prob: list[list[float]] = [[] for _ in range(n)]
        cold: list[list[bool]] = [[] for _ in range(n)]
        handoff: list[list[bool]] = [[] for _ in range(n)]
        stranded = [False] * n
        adjacency = G.succ
        for i, u in enumerate(ids):
            if self.terminal[i]:
                continue
            targets = succ[i]
            weights: list[float] = []
            colds = cold[i]
            handoffs = handoff[i]
            for v, data in adjacency[u].items():
                transition = data.get("transition")
                if transition is not None:
                    w = float(transition.probability)
                else:
                    w = float(data.get("p", 1.0))
                targets.append(index[v])
                weights.append(w if w > 0.0 else 0.0)
                colds.append(bool(data.get("cold")))
                handoffs.append(bool(data.get("handoff")))
            total = math.fsum(weights)
            if total > 0.0:
                shares = [w / total for w in weights]
            else:
                shares = [0.0] * len(weights)
                stranded[i] = True
            share[i] = shares
            keep = 1.0 - abandon[i]
            prob[i] = [keep * s for s in shares]
        self.succ = succ
        self.share = share
        self.prob = prob
        self.cold = cold
        self.handoff = handoff
        self.stranded = stranded
        self._pred: list[list[int]] | None = None

    @property
    def n(self) -> int:
        """Number of steps."""
        return len(self.ids)

    @property
    def pred(self) -> list[list[int]]:
        """Transition sources of each step (built on first use)."""
        if self._pred is None:
            pred: list[list[int]] = [[] for _ in self.ids]
            for u, targets in enumerate(self.succ):
                for v in targets:
                    pred[v].append(u)
            self._pred = pred
        return self._pred

    def names(self, indices: Sequence[int]) -> tuple[str, ...]:
        """Step ids of ``indices``, in the order given."""
        ids = self.ids
        return tuple(ids[i] for i in indices)


def net_of(G: nx.DiGraph) -> Net:
    """Return the :class:`Net` of a journey graph built by ``journey_graph``.

    Only the documented attributes are read: node ``kind``, ``shield``,
    ``abandon``; edge ``transition`` (its ``probability``, else the edge's
    ``p``), ``cold`` and ``handoff``. Missing ones take neutral defaults, so
    hand-made graphs work too.
    """
    return Net(G)


def strongly_connected(
    n: int, succ: Sequence[Sequence[int]]
) -> tuple[list[int], list[list[int]]]:
    """Strongly connected components by Tarjan's algorithm, without recursion.

    Returns ``(comp_of, comps)``: the component number of every node, and the
    components as ascending node lists in reverse topological order (a
    component comes before every component that can reach it, so sinks come
    first). Runs in O(n + e).
    """
    index = [-1] * n
    low = [0] * n
    on_stack = [False] * n
    stack: list[int] = []
    comp_of = [-1] * n
    comps: list[list[int]] = []
    counter = 0
    for root in range(n):
        if index[root] != -1:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        work = [(root, 0)]
        while work:
            v, i = work[-1]
            nbrs = succ[v]
            if i < len(nbrs):
                work[-1] = (v, i + 1)
                w = nbrs[i]
                if index[w] == -1:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack[w] = True
                    work.append((w, 0))
                elif on_stack[w] and index[w] < low[v]:
                    low[v] = index[w]
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                if low[v] < low[parent]:
                    low[parent] = low[v]
            if low[v] == index[v]:
                number = len(comps)
                comp: list[int] = []
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    comp_of[w] = number
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    comp.sort()
                comps.append(comp)
    return comp_of, comps
