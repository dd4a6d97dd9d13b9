"""## What it does
Flags a loop on a route that passes steps owned by two or more teams and
crosses a handoff: the customer is bounced between teams. A loop is a
closed walk a customer can take, so steps that can all be reached from one
another form one loop; it is reported once, at the step the loop returns
to, with a walk round it that crosses the handoff as evidence.

## Why it matters
Being passed back and forth is the transfer problem at its worst: 59% of
customers report being transferred (HBR, 2010), each transfer costs 12% of
satisfaction (SQM Group), and nobody owns the outcome — "not our fault,
but our problem" is exactly what such a loop lacks.

## Example
```yaml
  care: {owner: care, next: [{to: billing, handoff: cold}, done]}
  billing: {owner: billing, next: [{to: care, handoff: cold}, done]}
```

## Use instead
```yaml
  care: {owner: care, next: [{to: billing, handoff: warm}, done]}
  billing: {owner: billing, can_resolve: true, next: [done]}
```

## Options
None.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import networkx as nx

from cx_audit.analysis.structure import loops_on_routes
from cx_audit.core.findings import Candidate, Severity
from cx_audit.core.model import Journey
from cx_audit.rules.base import Option, RuleContext
from cx_audit.rules.helpers import loop_entry, quote_steps

CODE = "CX303"
NAME = "ping-pong"
SUMMARY = "A loop that bounces the customer between teams"
SEVERITY = Severity.ERROR
ADVICE = ("Give one team ownership of the case until it is resolved, so customers are not sent "
          "back and forth.")
OPTIONS: dict[str, Option] = {}


def is_ping_pong(journey: Journey, loop: tuple[str, ...]) -> bool:
    """True when the loop spans two or more owners and one of its transitions is a handoff."""
    members = set(loop)
    owners = {journey.steps[s].owner for s in loop if journey.steps[s].owner}
    handoff = any(t.handoff is not None and t.target in members
                  for s in loop for t in journey.steps[s].next)
    return len(owners) >= 2 and handoff


def check(context: RuleContext, options: Mapping[str, Any]) -> Iterator[Candidate]:
    """Yield one candidate per ping-pong loop, naming a closed walk that shows the bounce.

    Reads the journey view (through ``context.memo``) and the networkx graph.
    """
    journey, graph = context.journey, context.graph
    for loop in context.memo(loops_on_routes):
        if not is_ping_pong(journey, loop):
            continue
        owners = sorted({owner for s in loop if (owner := journey.steps[s].owner)})
        back_to = loop_entry(journey, loop, graph)
        walk = _bounce(journey, graph.subgraph(loop), loop)
        yield Candidate(
            f"Customers are bounced between {', '.join(owners)} in the loop {quote_steps(walk)}",
            step=back_to, metrics={"owners": owners, "loop_steps": list(loop)}, loop=walk)


def _bounce(journey: Journey, inside: nx.DiGraph[str], loop: tuple[str, ...]) -> tuple[str, ...]:
    """A closed walk in the loop that crosses a handoff and passes two owners."""
    owner = {s: journey.steps[s].owner for s in loop}
    for source in loop:
        for transition in journey.steps[source].next:
            target = transition.target
            if transition.handoff is None or target not in owner:
                continue
            other = next((s for s in loop if owner[s] and owner[s] != owner[source]), None)
            if owner[target] != owner[source] or other is None:
                back = nx.shortest_path(inside, target, source)
                return (source, *back)
            there = nx.shortest_path(inside, target, other)
            home = nx.shortest_path(inside, other, source)
            return (source, *there, *home[1:])
    return loop
