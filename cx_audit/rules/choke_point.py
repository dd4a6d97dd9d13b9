"""## What it does
Flags a step other than an entry that every route to a resolution passes,
when it is a shield layer or loses customers (`abandon` > 0): one
breakdown there stops everyone.

## Why it matters
A single point that every customer must pass concentrates risk: when the
identity check fails or the queue overflows, no customer is resolved. It is
also where an improvement pays off for every customer at once.

## Example
```yaml
  web: {kind: entry, next: [login]}
  app: {kind: entry, next: [login]}
  login: {shield: auth, abandon: 0.08, next: [done]}
```

## Use instead
```yaml
  web: {kind: entry, next: [login, guest]}
  app: {kind: entry, next: [login]}
  guest: {next: [done]}            # a second way in
  login: {shield: auth, abandon: 0.08, next: [done]}
```

## Options
None.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cx_audit.analysis.structure import steps_on_every_route
from cx_audit.core.findings import Candidate, Severity
from cx_audit.core.model import StepKind
from cx_audit.rules.base import Option, RuleContext
from cx_audit.text.formatting import percent

CODE = "CX503"
NAME = "choke-point"
SUMMARY = "A shield or abandon point that every route passes"
SEVERITY = Severity.WARNING
ADVICE = "Give customers a second way past this point, or make it lighter: everyone has to pass it."
OPTIONS: dict[str, Option] = {}


def check(context: RuleContext, options: Mapping[str, Any]) -> Iterator[Candidate]:
    """Yield every non-entry dominator that is a shield or loses customers.

    Reads the journey view (through ``context.memo``).
    """
    steps = context.journey.steps
    for step_id in context.memo(steps_on_every_route):
        step = steps[step_id]
        if step.kind is StepKind.ENTRY:
            continue
        if not (step.is_shield or step.abandon > 0):
            continue
        what = []
        if step.is_shield:
            what.append(f"a shield layer ({step.shield})")
        if step.abandon > 0:
            what.append(f"loses {percent(step.abandon)} of customers")
        yield Candidate(f"Every route passes step '{step_id}', which is {' and '.join(what)}",
                        step=step_id, metrics={"shield": step.shield, "abandon": step.abandon})
