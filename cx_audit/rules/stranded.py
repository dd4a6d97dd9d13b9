"""## What it does
Flags a step that is neither a resolution nor an abandon step and has no
`next`: customers who reach it are left there.

## Why it matters
A stranded customer is the purest combustion point: nobody tells them what
happens next and nobody owns the silence. In the metrics their share shows
as `p_stranded`.

## Example
```yaml
steps:
  claim: {kind: entry, next: [assessor]}
  assessor: {}                      # and then?
```

## Use instead
```yaml
steps:
  claim: {kind: entry, next: [assessor]}
  assessor: {next: [paid]}
  paid: {kind: resolution}
```

## Options
None.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cx_audit.core.findings import Candidate, Severity
from cx_audit.rules.base import Option, RuleContext

CODE = "CX105"
NAME = "stranded"
SUMMARY = "A non-terminal step with no next step"
SEVERITY = Severity.ERROR
ADVICE = ("Say where customers go after this step; if it ends the journey, mark it as a "
          "resolution or as giving up.")
OPTIONS: dict[str, Option] = {}


def check(context: RuleContext, options: Mapping[str, Any]) -> Iterator[Candidate]:
    """Yield every non-terminal step without transitions.

    Reads the journey model only.
    """
    for step in context.journey.steps.values():
        if not step.is_terminal and not step.next:
            yield Candidate(f"Step '{step.id}' has no next step: customers are left there",
                            step=step.id)
