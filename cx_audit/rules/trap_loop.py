"""## What it does
Flags a loop that customers never leave: every transition out of its steps
leads back into it, no step in it has an `abandon` share, and no
transition out carries any probability. Reported once per loop, on the
step where customers enter it (the first in file order of its entry steps
and of its steps reached from outside it), with a shortest walk from that
step back to it. A loop no entry reaches is reported too, on its first
step in file order: it is a defect of the map either way.

## Why it matters
Customers caught in such a loop are passed around forever: in the metrics
they are `p_trapped`, and every expectation counted inside the loop
(waits, shields, retellings) becomes infinite. In reality they leave
angry, which is exactly the kind of breakdown a journey map should show
explicitly.

## Example
```yaml
steps:
  call: {kind: entry, next: [ivr]}
  ivr: {shield: ivr, next: [faq]}
  faq: {shield: deflection, next: [ivr]}   # round and round
```

## Use instead
```yaml
steps:
  call: {kind: entry, next: [ivr]}
  ivr: {shield: ivr, next: [faq, agent]}
  faq: {shield: deflection, abandon: 0.3, next: [ivr]}
  agent: {actor: frontline, next: [done]}
  done: {kind: resolution}
```

## Options
None.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cx_audit.analysis.structure import reachable_steps, trap_loops
from cx_audit.core.findings import Candidate, Severity
from cx_audit.rules.base import Option, RuleContext
from cx_audit.rules.helpers import cycle_through, loop_entry, quote_steps

CODE = "CX106"
NAME = "trap-loop"
SUMMARY = "A loop that customers never leave"
SEVERITY = Severity.ERROR
ADVICE = "Give the loop a way out: a person to talk to, a resolution, or a clear end."
OPTIONS: dict[str, Option] = {}


def check(context: RuleContext, options: Mapping[str, Any]) -> Iterator[Candidate]:
    """Yield one candidate per closed loop, on the step where customers enter it.

    Reads the journey view (through ``context.memo``) and its steps' neighbours.
    """
    journey, view = context.journey, context.view
    for loop in context.memo(trap_loops):
        site = loop_entry(journey, loop, view, context.memo(reachable_steps))
        cycle = cycle_through(view.successors, loop, site)
        yield Candidate(f"Customers never leave the loop {quote_steps(cycle)}", step=site,
                        metrics={"loop_steps": list(loop)}, loop=cycle)
