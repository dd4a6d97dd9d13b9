"""## What it does
Flags a journey in which some route makes the customer tell the story
again more than `max_retells` times (`retells_max > max_retells`), or
without limit because a loop on a route contains a cold handoff. A route
finding concerns the journey and is silenced on an entry step; a loop
finding sits on the loop, on the step where customers enter it (the first
in file order of its entry steps and of its steps reached from outside
it), like the other loop rules, with a shortest walk from that step
through a cold handoff as evidence. Only the first such loop in file order
is named. (The catalogue places CX302 on the journey; a finding that names a
loop sits on a step of it instead, as its revisions ask of every loop
finding, so that it joins the loop's combustion point and its owners.)

## Why it matters
A second transfer is where customers give up on the company: Portland
Research (2003) found purchase intent falls from 64% to 48% at a second
transfer, and SQM Group finds satisfaction falls about 15% with each
additional call.

## Example
```yaml
  agent: {next: [{to: billing, handoff: cold}]}
  billing: {next: [{to: disputes, handoff: cold}]}
```

## Use instead
```yaml
  agent: {next: [{to: billing, handoff: warm}]}
  billing: {next: [{to: disputes, handoff: warm}]}
```

## Options
- `max_retells` (default 1): the most times a customer may have to retell
  the story on any route.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cx_audit.analysis.structure import (
    UNBOUNDED,
    loops_on_routes,
    max_retell_route,
    reachable_steps,
    retells_max,
)
from cx_audit.core.findings import Candidate, Severity
from cx_audit.core.model import Handoff
from cx_audit.rules.base import Option, RuleContext
from cx_audit.rules.helpers import closed_walk, loop_entry, quote_steps

CODE = "CX302"
NAME = "retell-chain"
SUMMARY = "A route that makes the customer retell the story too often"
SEVERITY = Severity.ERROR
ADVICE = ("Break the chain of transfers: route to the right team first, brief every handoff, or "
          "give the first contact the authority to resolve.")
OPTIONS = {"max_retells": Option("int", 1, "most retellings acceptable on any route")}


def check(context: RuleContext, options: Mapping[str, Any]) -> Iterator[Candidate]:
    """Yield one candidate: on the journey with the worst route, or on the retelling loop.

    Reads the journey view (through ``context.memo``) and its steps' neighbours.
    """
    limit = options["max_retells"]
    worst = context.memo(retells_max)
    if worst is None:
        return
    metrics = {"retells_max": worst, "max_retells": limit}
    if worst == UNBOUNDED:
        site, loop = _cold_loop(context)
        yield Candidate(
            f"Customers can be made to retell their story without limit in the loop "
            f"{quote_steps(loop)}, which holds a cold handoff",
            step=site, metrics=metrics, loop=loop)
    elif worst > limit:
        route = context.memo(max_retell_route) or ()
        yield Candidate(
            f"A route makes the customer retell the story {worst} times (more than {limit})",
            metrics=metrics, route=tuple(route))


def _cold_loop(context: RuleContext) -> tuple[str | None, tuple[str, ...]]:
    """The first loop on a route (in file order) holding a cold handoff: its site and a walk.

    The walk is a shortest closed walk from the loop's site
    (:func:`~cx_audit.rules.helpers.loop_entry`) through a cold transition
    inside the loop.
    """
    journey, view = context.journey, context.view
    for loop in context.memo(loops_on_routes):
        members = set(loop)
        cold = [(source, t.target) for source in loop for t in journey.steps[source].next
                if t.handoff is Handoff.COLD and t.target in members]
        if cold:
            site = loop_entry(journey, loop, view, context.memo(reachable_steps))
            return site, closed_walk(view, loop, site, cold) or ()
    return None, ()
