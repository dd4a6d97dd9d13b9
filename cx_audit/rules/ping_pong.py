"""## What it does
Flags a loop on a route that passes steps owned by two or more teams and
crosses a handoff: the customer is bounced between teams. A loop is a
closed walk a customer can take, so steps that can all be reached from one
another form one loop; it is reported once, on the step where customers
enter it (the first in file order of its entry steps and of its steps
reached from outside it). The evidence is a walk from that step round the
loop that crosses a handoff and passes two teams: the shortest through a
handoff between two teams, when the loop has one.

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

from cx_audit.analysis.structure import loops_on_routes, reachable_steps
from cx_audit.analysis.view import JourneyView
from cx_audit.core.findings import Candidate, Severity
from cx_audit.core.model import Journey
from cx_audit.rules.base import Option, RuleContext
from cx_audit.rules.helpers import closed_walk, cycle_through, loop_entry, quote_steps

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

    Reads the journey view (through ``context.memo``) and its steps' neighbours.
    """
    journey, view = context.journey, context.view
    for loop in context.memo(loops_on_routes):
        if not is_ping_pong(journey, loop):
            continue
        owners = sorted({owner for s in loop if (owner := journey.steps[s].owner)})
        site = loop_entry(journey, loop, view, context.memo(reachable_steps))
        walk = _bounce(journey, view, loop, site)
        yield Candidate(
            f"Customers are bounced between {', '.join(owners)} in the loop {quote_steps(walk)}",
            step=site, metrics={"owners": owners, "loop_steps": list(loop)}, loop=walk)


def _bounce(journey: Journey, view: JourneyView, loop: tuple[str, ...],
            site: str) -> tuple[str, ...]:
    """A closed walk from ``site`` round a ping-pong loop that crosses a handoff and two owners.

    The walk takes the handoff that makes it shortest, preferring one between
    two owners; while the owners it passes are fewer than two, it goes round
    again through the nearest step of another owner. Linear in the size of
    the loop.
    """
    members = set(loop)
    owner = {s: journey.steps[s].owner for s in loop}
    handoffs = [(s, t.target) for s in loop for t in journey.steps[s].next
                if t.handoff is not None and t.target in members]
    across = [(s, t) for s, t in handoffs if owner[s] and owner[t] and owner[s] != owner[t]]
    walk = closed_walk(view, loop, site, across) or closed_walk(view, loop, site, handoffs)
    if walk is None:  # not a ping-pong loop
        return cycle_through(view.successors, loop, site)
    passed = {owner[s] for s in walk if owner[s]}
    while len(passed) < 2:  # at most twice: the loop has two owners
        others = [(p, s) for s in loop if owner[s] and owner[s] not in passed
                  for p in view.predecessors(s) if p in members]
        detour = closed_walk(view, loop, site, others)
        if detour is None:
            break
        walk = (*walk, *detour[1:])
        passed |= {owner[s] for s in detour if owner[s]}
    return walk
