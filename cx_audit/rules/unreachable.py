"""## What it does
Flags a step that no entry reaches. In a journey with no entry at all,
every step is unreachable and each is reported (beside CX101).

## Why it matters
A step nobody can reach is either left over from an older version of the
process or missing the transition that leads to it. Either way the map no
longer matches what customers experience, and figures about that step mean
nothing.

## Example
```yaml
steps:
  call: {kind: entry, next: [done]}
  survey: {next: [done]}            # nothing leads here
  done: {kind: resolution}
```

## Use instead
```yaml
steps:
  call: {kind: entry, next: [survey]}
  survey: {next: [done]}
  done: {kind: resolution}
```

## Options
None.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cx_audit.analysis.structure import reachable_steps
from cx_audit.core.findings import Candidate, Severity
from cx_audit.rules.base import Option, RuleContext

CODE = "CX104"
NAME = "unreachable"
SUMMARY = "A step that no entry reaches"
SEVERITY = Severity.WARNING
ADVICE = "Connect the step to the journey, or remove it if no customer ever reaches it."
OPTIONS: dict[str, Option] = {}


def check(context: RuleContext, options: Mapping[str, Any]) -> Iterator[Candidate]:
    """Yield every step outside the set reachable from the entries.

    Reads the journey view (through ``context.memo``).
    """
    reached = context.memo(reachable_steps)
    for step_id in context.journey.steps:
        if step_id not in reached:
            yield Candidate(f"No entry reaches step '{step_id}'", step=step_id)
