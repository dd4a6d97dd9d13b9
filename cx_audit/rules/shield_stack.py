"""## What it does
Flags a stretch of the journey where customers pass more than `max_stack`
shield layers in a row without meeting a person (a frontline or back-office
step that is not itself a shield). Two layers belong to one stretch when a
route passes one and then the other with no person between, and stretches
that share a layer are one, so a stack that branches and merges again is
reported once: at its first shield (in file order) where customers come in,
with the longest run of layers through it as evidence. Steps that are
neither a shield nor a person (a web page) neither count nor end a run, but
they only join layers that a route passes in turn: two stacks that merely
start from the same page are two stretches. A loop of shields with no
person in it makes the run unbounded. Exactly `max_stack` layers in a row
is not reported.

## Why it matters
Layers met one after another compound: each menu, check and queue before a
person adds effort and another chance to hang up. The Vonage consumer
survey found 27% of calls are abandoned in the phone menu alone. A person
part-way through can take the context and cut the rest short. One finding
per stretch keeps the report on the places to fix: branches of one stack of
menus are one place, not one finding per menu.

## Example
```yaml
steps:
  call: {kind: entry, next: [menu]}
  menu: {shield: ivr, next: [pin]}
  pin: {shield: auth, next: [hold]}
  hold: {shield: queue, next: [agent]}
  agent: {actor: frontline, next: [done]}
  done: {kind: resolution}
```

## Use instead
```yaml
steps:
  call: {kind: entry, next: [menu]}
  menu: {shield: ivr, next: [hold]}        # identity checked by the agent
  hold: {shield: queue, next: [agent]}
  agent: {actor: frontline, next: [done]}
  done: {kind: resolution}
```

## Options
- `max_stack` (default 2, a judgement call): the most shield layers in a
  row acceptable before a person.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cx_audit.analysis.structure import forward_closure, on_route_steps
from cx_audit.analysis.view import JourneyView, strongly_connected
from cx_audit.core.findings import Candidate, Severity
from cx_audit.rules.base import Option, RuleContext
from cx_audit.rules.helpers import cycle_through, is_person, quote_steps

CODE = "CX202"
NAME = "shield-stack"
SUMMARY = "Several shield layers in a row with no person between them"
SEVERITY = Severity.WARNING
ADVICE = ("Put a person, or a way to reach one, part-way through this stretch of shield layers, "
          "or merge layers so that fewer stand in a row.")
OPTIONS = {"max_stack": Option("int", 2, "most shield layers in a row before a person")}

_UNBOUNDED = float("inf")

Adjacency = list[list[int]]


def check(context: RuleContext, options: Mapping[str, Any]) -> Iterator[Candidate]:
    """Yield one finding per stretch of shields that holds a run of more than ``max_stack``.

    The STRETCH GRAPH has the non-terminal steps on a route that are not a
    person (shields, and steps that are neither); its edges are the
    transitions among them. A step that is not a shield belongs to a
    stretch only when a shield comes before it and one after it in that
    graph, so that it joins layers a customer meets in turn. The stretches
    are the weakly connected pieces of what remains: weakly, because a
    stack that branches (menu to PIN or SMS code) and merges again (one
    queue) is one place to fix, and a strongly connected piece would split
    every straight run into single steps. ``run[s]`` (the most layers a walk
    from ``s`` meets before leaving the stretch) is a dynamic programme over
    its strongly connected components, sinks first; a component with a
    cycle and a shield makes it unbounded. A finding sits at the stretch's
    first shield in file order that can be the first layer of a run (one
    reached with no layer since a person or the entry); its evidence is a
    walk meeting the most layers, or, when that is unbounded, a shortest
    walk from a way in into a loop of shields and once round it. Every pass
    is O(n + e).

    Reads the journey view (through ``context.memo``) and the journey model
    (who is a person).
    """
    limit = options["max_stack"]
    view = context.view
    steps = context.journey.steps
    on_route = context.memo(on_route_steps)
    ids, n = view.ids, view.n
    shield = [bool(x) for x in view.shield]
    routed = [step_id in on_route for step_id in ids]
    in_stretch = [
        routed[u] and not view.terminal[u]
        and not (is_person(steps[ids[u]]) and not shield[u])
        for u in range(n)
    ]
    succ = [[v for v in view.succ[u] if in_stretch[v]] if in_stretch[u] else [] for u in range(n)]
    pred = _reverse(succ)
    after_shield = forward_closure(succ, [v for u in range(n) if shield[u] for v in succ[u]])
    before_shield = forward_closure(pred, [v for u in range(n) if shield[u] for v in pred[u]])
    member = [in_stretch[u] and (shield[u] or (after_shield[u] and before_shield[u]))
              for u in range(n)]
    inner = [[v for v in succ[u] if member[v]] if member[u] else [] for u in range(n)]
    piece_of = _weak_pieces(inner, member)
    comp_of, comps = strongly_connected(n, inner)
    run = _longest_runs(inner, comps, comp_of, shield, member)
    starts = _run_starts(view, routed, in_stretch, succ, shield)

    pieces: dict[int, list[int]] = {}  # piece -> its shields, in file order
    for u in range(n):
        if member[u] and shield[u]:
            pieces.setdefault(piece_of[u], []).append(u)
    for layers in pieces.values():
        longest = max(run[u] for u in layers)
        if longest <= limit:
            continue
        site = next((u for u in layers if starts[u]), layers[0])
        names = view.names(layers)
        where = (f"the stretch of {len(layers)} shield steps that starts at step '{ids[site]}'"
                 if len(layers) > 1 else f"step '{ids[site]}'")
        metrics: dict[str, Any] = {"max_stack": limit, "steps": list(names)}
        if longest == _UNBOUNDED:
            loop = _into_loop(view, inner, comps, comp_of, shield,
                              [u for u in layers if starts[u]] or layers)
            yield Candidate(
                f"Customers can go round shield layers without ever meeting a person "
                f"{'in' if len(layers) > 1 else 'at'} {where}: "
                f"{quote_steps(loop)}",
                step=ids[site], metrics={"stack": "unbounded", **metrics}, loop=loop)
            continue
        top = next(u for u in layers if run[u] == longest)
        route = _longest_walk(view, inner, comps, comp_of, shield, run, top)
        longest_from = f", the most from step '{ids[top]}'" if top != site else ""
        yield Candidate(
            f"Customers pass up to {int(longest)} shield layers in a row before meeting a person "
            f"(more than {limit}) in {where}{longest_from}",
            step=ids[site], metrics={"stack": int(longest), **metrics}, route=route)


def _reverse(succ: Adjacency) -> Adjacency:
    pred: Adjacency = [[] for _ in succ]
    for u, targets in enumerate(succ):
        for v in targets:
            pred[v].append(u)
    return pred


def _weak_pieces(inner: Adjacency, member: list[bool]) -> list[int]:
    """The weakly connected piece of every member (numbered by first member), else -1."""
    undirected: Adjacency = [list(targets) for targets in inner]
    for u, targets in enumerate(inner):
        for v in targets:
            undirected[v].append(u)
    piece_of = [-1] * len(inner)
    count = 0
    for root in range(len(inner)):
        if not member[root] or piece_of[root] != -1:
            continue
        piece_of[root] = count
        stack = [root]
        while stack:
            u = stack.pop()
            for v in undirected[u]:
                if piece_of[v] == -1:
                    piece_of[v] = count
                    stack.append(v)
        count += 1
    return piece_of


def _longest_runs(inner: Adjacency, comps: list[list[int]], comp_of: list[int],
                  shield: list[bool], member: list[bool]) -> list[float]:
    """Per member, the most shields a walk from it meets inside its stretch."""
    run = [0.0] * len(inner)
    for c, comp in enumerate(comps):  # sinks first, so every exit is already known
        if not member[comp[0]]:
            continue
        cyclic = len(comp) > 1 or comp[0] in inner[comp[0]]
        layers = sum(1 for u in comp if shield[u])
        if cyclic and layers:
            value = _UNBOUNDED
        else:  # a cycle of steps that are no shield adds nothing
            value = layers + max((run[v] for u in comp for v in inner[u] if comp_of[v] != c),
                                 default=0.0)
        for u in comp:
            run[u] = value
    return run


def _run_starts(view: JourneyView, routed: list[bool], in_stretch: list[bool],
                succ: Adjacency, shield: list[bool]) -> list[bool]:
    """Shields that can be the first layer of a run: reached with no layer since a person.

    A walk comes into the stretch graph at an entry or from a step on a
    route outside it (a person); it stays fresh until its first shield.
    """
    fresh = [False] * view.n
    frontier = []
    for u in range(view.n):
        if in_stretch[u] and (view.kind[u] == "entry"
                              or any(routed[p] and not in_stretch[p] for p in view.pred[u])):
            fresh[u] = True
            frontier.append(u)
    while frontier:
        u = frontier.pop()
        if shield[u]:
            continue  # the run has started: what follows is not fresh through here
        for v in succ[u]:
            if not fresh[v]:
                fresh[v] = True
                frontier.append(v)
    return [f and s for f, s in zip(fresh, shield)]


def _path_inside(inner: Adjacency, comp_of: list[int], start: int, goal: int) -> list[int]:
    """A shortest walk from ``start`` to ``goal`` within their component, ``start`` excluded."""
    if start == goal:
        return []
    c = comp_of[start]
    parent = {start: start}
    frontier = [start]
    while goal not in parent:
        following = []
        for u in frontier:
            for v in inner[u]:
                if comp_of[v] == c and v not in parent:
                    parent[v] = u
                    following.append(v)
        frontier = following
    walk = [goal]
    while parent[walk[-1]] != start:
        walk.append(parent[walk[-1]])
    return walk[::-1]


def _longest_walk(view: JourneyView, inner: Adjacency, comps: list[list[int]],
                  comp_of: list[int], shield: list[bool], run: list[float],
                  start: int) -> tuple[str, ...]:
    """A walk from ``start`` that meets ``run[start]`` layers, ending at its last shield.

    Used when the run is bounded, so a component with a cycle holds no
    shield and is crossed by a shortest walk to its best exit; each
    component is visited once.
    """
    walk = [start]
    node = start
    while True:
        c = comp_of[node]
        comp = comps[c]
        layers = sum(1 for u in comp if shield[u])
        tail = run[node] - layers
        if tail <= 0:
            break
        exit_from, exit_to = next((u, v) for u in comp for v in inner[u]
                                  if comp_of[v] != c and run[v] == tail)
        walk.extend(_path_inside(inner, comp_of, node, exit_from))
        walk.append(exit_to)
        node = exit_to
    while not shield[walk[-1]]:
        walk.pop()
    return view.names(walk)


def _into_loop(view: JourneyView, inner: Adjacency, comps: list[list[int]],
               comp_of: list[int], shield: list[bool], sources: list[int]) -> tuple[str, ...]:
    """A shortest walk from one of ``sources`` into a loop of shields, then once round it.

    One breadth-first search from all the sources (in file order, so the
    first wins a tie) that stops at the first step of a cycle holding a
    shield, then a search round that cycle only.
    """

    endless_comps: dict[int, bool] = {}

    def endless(u: int) -> bool:
        c = comp_of[u]
        if c not in endless_comps:
            comp = comps[c]
            endless_comps[c] = ((len(comp) > 1 or u in inner[u])
                                and any(shield[w] for w in comp))
        return endless_comps[c]

    parent: dict[int, int | None] = {}
    target = next((s for s in sources if endless(s)), None)
    frontier = list(sources)
    for s in sources:
        parent[s] = None
    while frontier and target is None:
        following = []
        for u in frontier:
            for v in inner[u]:
                if v not in parent:
                    parent[v] = u
                    if endless(v):
                        target = v
                        break
                    following.append(v)
            if target is not None:
                break
        frontier = following
    assert target is not None, "an unbounded run starts at a layer that reaches its loop"
    path = [target]
    while (before := parent[path[-1]]) is not None:
        path.append(before)
    path.reverse()
    ids, index = view.ids, view.index
    cycle = cycle_through(lambda s: (ids[v] for v in inner[index[s]]),
                          view.names(comps[comp_of[target]]), ids[target])
    return (*view.names(path[:-1]), *cycle)
