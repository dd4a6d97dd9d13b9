"""## What it does
Flags a step that is not a resolution or abandon step and has no owner:
neither the step nor the journey names a team. Silent steps, routing
points such as gateways that nobody works at, are left out.

## Why it matters
Every step a customer passes is shaped by some department, and a breakdown
at a step nobody owns is nobody's to fix. Naming an owner for each step
makes the report readable per team and gives each finding someone to act
on it.

## Example
```yaml
journey: refund
steps:
  form: {kind: entry, next: [done]}
  done: {kind: resolution}
```

## Use instead
```yaml
journey: refund
owner: customer-care
steps:
  form: {kind: entry, owner: digital, next: [done]}
  done: {kind: resolution}
```

## Options
None.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cx_audit.core.findings import Candidate, Severity
from cx_audit.rules.base import Option, RuleContext

CODE = "CX402"
NAME = "unowned-step"
SUMMARY = "A step that no team owns"
SEVERITY = Severity.INFO
ADVICE = "Name the team that owns this step."
OPTIONS: dict[str, Option] = {}


def check(context: RuleContext, options: Mapping[str, Any]) -> Iterator[Candidate]:
    """Yield every non-terminal step with no owner after defaults.

    Silent steps (routing points such as gateways) have no work to own.
    Reads the journey model only.
    """
    for step in context.journey.steps.values():
        if not step.is_terminal and not step.silent and not step.owner:
            yield Candidate(f"No team owns step '{step.id}'", step=step.id)
