"""## What it does
Flags a stretch of a route where a customer passes more than `max_stack`
shield layers in a row without meeting a person (a frontline or back-office
step that is not itself a shield). Reported at the first shield of the
stack, with the stack as evidence; a loop of shields with no person in it
makes the stack unbounded.

## Why it matters
Layers met one after another compound: each menu, check and queue before a
person adds effort and another chance to hang up. The Vonage consumer
survey found 27% of calls are abandoned in the phone menu alone. A person
part-way through can take the context and cut the rest short.

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

import networkx as nx

from cx_audit.analysis.structure import on_route_steps
from cx_audit.analysis.view import strongly_connected
from cx_audit.core.findings import Candidate, Severity
from cx_audit.rules.base import Option, RuleContext
from cx_audit.rules.helpers import cycle_through, is_person, quote_steps

CODE = "CX202"
NAME = "shield-stack"
SUMMARY = "Several shield layers in a row with no person between them"
SEVERITY = Severity.WARNING
ADVICE = "Put a person, or a way to reach one, between these shield layers, or merge them."
OPTIONS = {"max_stack": Option("int", 2, "most shield layers in a row before a person")}

_UNBOUNDED = float("inf")

Stretch = dict[str, list[str]]
"""On-route steps that do not end a run -> their successors among them."""


def check(context: RuleContext, options: Mapping[str, Any]) -> Iterator[Candidate]:
    """Yield each shield that starts a run of more than ``max_stack`` layers.

    The run continues through steps that are not a person; a person who is
    not a shield ends it. ``run[s]`` is the most layers a walk from ``s``
    meets before a person, computed over the strongly connected components,
    sinks first: O(n + e).

    Reads the journey view (through ``context.memo``) and the networkx graph.
    """
    limit = options["max_stack"]
    journey, graph = context.journey, context.graph
    on_route = context.memo(on_route_steps)
    steps = journey.steps

    def breaks(step_id: str) -> bool:
        step = steps[step_id]
        return is_person(step) and not step.is_shield

    # the graph of stretches: on-route steps that do not end a run, as adjacency lists
    members_of = [s for s in journey.steps if s in on_route and not breaks(s)
                  and not steps[s].is_terminal]
    members = set(members_of)
    stretch = {u: [v for v in graph.successors(u) if v in members] for u in members_of}
    run: dict[str, float] = {}
    endless: dict[str, tuple[str, ...]] = {}  # step -> its loop of shields with no person
    index = {step_id: i for i, step_id in enumerate(members_of)}
    succ = [[index[v] for v in stretch[u]] for u in members_of]
    comp_of, comps = strongly_connected(len(members_of), succ)
    for c, comp in enumerate(comps):  # sinks first, so every exit is already known
        nodes = [members_of[i] for i in comp]
        cyclic = len(comp) > 1 or comp[0] in succ[comp[0]]
        shields = sum(1 for n in nodes if steps[n].is_shield)
        tail = max((run[members_of[j]] for i in comp for j in succ[i] if comp_of[j] != c),
                   default=0.0)
        if cyclic and shields:
            value = _UNBOUNDED
            loop = tuple(nodes)
            endless.update(dict.fromkeys(loop, loop))
        else:
            value = tail + shields  # a cycle without shields adds nothing
        for node in nodes:
            run[node] = value
    starts = _stack_starts(stretch, graph, steps, on_route)
    reported_loops: set[frozenset[str]] = set()
    for step_id in journey.steps:
        if step_id not in starts or run.get(step_id, 0) <= limit:
            continue
        length = run[step_id]
        if length == _UNBOUNDED:
            loop = _into_loop(stretch, step_id, endless)
            key = frozenset(loop[-1:]) | frozenset(s for s in loop if s in endless)
            if key in reported_loops:
                continue  # a loop is reported once, from its first way in
            reported_loops.add(key)
            yield Candidate(
                f"From step '{step_id}' customers can go round shield layers without ever "
                f"meeting a person: {quote_steps(loop)}",
                step=step_id, metrics={"stack": "unbounded", "max_stack": limit}, loop=loop)
            continue
        yield Candidate(
            f"Customers pass {int(length)} shield layers in a row from step '{step_id}' before "
            f"meeting a person (more than {limit})",
            step=step_id, metrics={"stack": int(length), "max_stack": limit},
            route=_walk(stretch, step_id, run, steps))


def _stack_starts(stretch: Stretch, graph: nx.DiGraph[str], steps: Mapping[str, Any],
                  on_route: set[str]) -> set[str]:
    """Shields that can be the first layer of a run: reached with no layer since a person."""
    fresh: set[str] = set()  # steps reachable with no shield passed since the last person
    frontier = []
    for node in stretch:
        step = steps[node]
        if step.kind.value == "entry" or any(
            p in on_route and p not in stretch for p in graph.predecessors(node)
        ):
            fresh.add(node)
            frontier.append(node)
    while frontier:
        node = frontier.pop()
        if steps[node].is_shield:
            continue  # the run has started: what follows is not fresh through here
        for succ in stretch[node]:
            if succ not in fresh:
                fresh.add(succ)
                frontier.append(succ)
    return {n for n in fresh if steps[n].is_shield}


def _walk(stretch: Stretch, start: str, run: Mapping[str, float],
          steps: Mapping[str, Any]) -> tuple[str, ...]:
    """A longest run from ``start`` (following the best successor), to its last shield."""
    walk = [start]
    node = start
    while True:
        options = [s for s in stretch[node] if s not in walk]
        if not options:
            break
        node = max(options, key=lambda s: run[s])
        walk.append(node)
    while walk and not steps[walk[-1]].is_shield:
        walk.pop()
    return tuple(walk)


def _into_loop(stretch: Stretch, start: str,
               endless: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """A shortest walk from ``start`` into a loop of shields, then once round it.

    One breadth-first search that stops at the first step of an endless
    loop, then a search round that loop only.
    """
    parent: dict[str, str | None] = {start: None}
    frontier = [start]
    target = start if start in endless else None
    while frontier and target is None:
        following = []
        for node in frontier:
            for succ in stretch[node]:
                if succ not in parent:
                    parent[succ] = node
                    if succ in endless:
                        target = succ
                        break
                    following.append(succ)
            if target is not None:
                break
        frontier = following
    assert target is not None, "a start with an unbounded run reaches an endless loop"
    path = [target]
    while parent[path[-1]] is not None:
        path.append(parent[path[-1]])  # type: ignore[arg-type]
    path.reverse()
    cycle = cycle_through(stretch.__getitem__, endless[target], target)
    return (*path[:-1], *cycle)
