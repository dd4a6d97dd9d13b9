"""## What it does
Flags a loop on a route: the customer comes back to a step already passed
— calls again, fills the form again, returns to the menu. Steps that can
all be reached from one another form one loop, reported once, on the step
the loop brings customers back to: where they enter it (the first in file
order of its entry steps and of its steps reached from outside it), with
a shortest walk from that step back to it as evidence. A loop that is a
ping-pong between teams is reported by CX303 instead, whether or not
CX303 is selected.

## Why it matters
Repeat contact is the first effort driver: 62% of customers report having
to contact a company repeatedly (HBR, 2010), and SQM Group finds
satisfaction drops about 15% with each additional call. First-time
resolution is what customers want.

## Example
```yaml
  call: {kind: entry, next: [agent]}
  agent: {next: [done, {to: call, label: not fixed, call again}]}
```

## Use instead
```yaml
  call: {kind: entry, next: [agent]}
  agent: {can_resolve: true, next: [done, follow-up]}
  follow-up: {next: [done]}     # the company calls back, once
```

## Options
None.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cx_audit.analysis.structure import loops_on_routes, reachable_steps
from cx_audit.core.findings import Candidate, Severity
from cx_audit.rules.base import Option, RuleContext
from cx_audit.rules.helpers import cycle_through, loop_entry, quote_steps
from cx_audit.rules.ping_pong import is_ping_pong

CODE = "CX305"
NAME = "repeat-contact"
SUMMARY = "A loop that brings the customer back to a step already passed"
SEVERITY = Severity.WARNING
ADVICE = ("Resolve on the first pass; where a second contact cannot be avoided, let the company "
          "make it (a callback) rather than the customer.")
OPTIONS: dict[str, Option] = {}


def check(context: RuleContext, options: Mapping[str, Any]) -> Iterator[Candidate]:
    """Yield one candidate per loop on a route that is not a ping-pong.

    Reads the journey view (through ``context.memo``) and its steps' neighbours.
    """
    journey, view = context.journey, context.view
    for loop in context.memo(loops_on_routes):
        if is_ping_pong(journey, loop):
            continue
        back_to = loop_entry(journey, loop, view, context.memo(reachable_steps))
        cycle = cycle_through(view.successors, loop, back_to)
        yield Candidate(
            f"Customers come back to step '{back_to}' in the loop {quote_steps(cycle)}",
            step=back_to, metrics={"loop_steps": list(loop)}, loop=cycle)
