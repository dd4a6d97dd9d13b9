"""## What it does
With an event log beside the map (`cx-audit conform`), flags a step that
cases come back to although the map has no loop through it: customers
were sent back, called again, or bounced between teams where the design
says they pass once. Reports how many cases came back, the shortest loop
the log shows, and the owners on it; a loop across two or more owners is
the ping-pong of CX303 happening in reality.

## Why it matters
Repeat contact and transfers are the strongest effort drivers: 62% of
customers report contacting a company repeatedly and 59% being
transferred (HBR, 2010), and satisfaction falls about 15% with each
additional call (SQM Group). A map without the loop reports a first-time
resolution that customers do not get.

## Example
```yaml
  # the log: 312 cases go 'first-line' -> 'second-line' -> 'first-line'
  first-line: {owner: L1, kind: entry, next: [{to: second-line, handoff: warm}, done]}
  second-line: {owner: L2, next: [done]}
```

## Use instead
```yaml
  first-line: {owner: L1, kind: entry, next: [{to: second-line, handoff: warm}, done]}
  second-line: {owner: L2, can_resolve: true, next: [done]}   # and keep the case there
```

## Options
- `min_loop_cases` (default `1`): the fewest cases coming back to a step
  that are reported.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cx_audit.analysis.view import JourneyView
from cx_audit.core.findings import Candidate, Severity
from cx_audit.eventlog.observations import observations_of, observed_loop
from cx_audit.rules.base import Option, RuleContext
from cx_audit.rules.helpers import quote_steps
from cx_audit.text.formatting import percent

CODE = "CX605"
NAME = "conform-unmodelled-loop"
SUMMARY = "Customers come back to a step the map has no loop through"
SEVERITY = Severity.WARNING
ADVICE = ("Find out why customers come back to the step, then fix the cause or draw the loop on "
          "the map.")
OPTIONS = {"min_loop_cases": Option("int", 1, "fewest cases coming back to a step reported",
                                    minimum=1)}


def _steps_on_loops(view: JourneyView) -> set[str]:
    """Steps that lie on some cycle of the map (a self-loop counts)."""
    _, components = view.components()
    found: set[str] = set()
    for component in components:
        if len(component) > 1 or component[0] in view.succ[component[0]]:
            found.update(view.names(component))
    return found


def check(context: RuleContext, options: Mapping[str, Any]) -> Iterator[Candidate]:
    """Yield steps that cases revisit where the journey has no loop.

    Reads the journey view's loops and the event log's observations.
    """
    observed = observations_of(context)
    if observed is None:
        return
    journey, least = context.journey, options["min_loop_cases"]
    looped = _steps_on_loops(context.view)
    for step_id, seen in observed.steps.items():
        if seen.revisit_cases < least or step_id in looped:
            continue
        loop = observed_loop(observed, step_id)
        share = seen.revisit_cases / max(seen.cases, 1)
        owners = sorted({owner for s in loop if (owner := journey.steps[s].owner)})
        who = ("1 case" if seen.revisit_cases == 1 else f"{seen.revisit_cases:,} cases")
        verb = "comes" if seen.revisit_cases == 1 else "come"
        message = (f"{who} ({percent(share)} of those that reach it) {verb} back to step "
                   f"'{step_id}', but the map has no loop through it")
        if loop:
            message += f" (observed: {quote_steps(loop)})"
        if len(owners) >= 2:
            message += f"; they are bounced between {', '.join(owners)}"
        yield Candidate(message, step=step_id, loop=loop,
                        metrics={"revisit_cases": seen.revisit_cases, "cases": seen.cases,
                                 "share": share, "owners": owners})
