"""## What it does
Flags every `cold` handoff: a transition where the customer is passed to
another person or team without the context, and must tell the story again.
Reported on the transition's source step, at its `next` entry.

## Why it matters
Repeating information is one of the effort drivers that make customers
disloyal: 56% of customers report having to re-explain their issue (HBR,
"Stop Trying to Delight Your Customers", 2010), and SQM Group finds a
transfer lowers customer satisfaction by 12% and first-contact resolution
by 14%.

## Example
```yaml
  agent:
    next:
      - to: billing
        handoff: cold
```

## Use instead
```yaml
  agent:
    next:
      - to: billing
        handoff: warm      # the agent briefs billing; or let the agent resolve
```

## Options
None.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cx_audit.core.findings import Candidate, Severity
from cx_audit.core.model import Handoff
from cx_audit.rules.base import Option, RuleContext

CODE = "CX301"
NAME = "cold-handoff"
SUMMARY = "A cold handoff: the customer must tell the story again"
SEVERITY = Severity.WARNING
ADVICE = ("Make the handoff warm: pass the case on with its context so the customer does not "
          "repeat it, or let the first person resolve it.")
OPTIONS: dict[str, Option] = {}


def check(context: RuleContext, options: Mapping[str, Any]) -> Iterator[Candidate]:
    """Yield every cold transition, at its ``next`` entry.

    Reads the journey model only.
    """
    for step in context.journey.steps.values():
        for transition in step.next:
            if transition.handoff is Handoff.COLD:
                yield Candidate(
                    f"Cold handoff from '{step.id}' to '{transition.target}': the customer tells "
                    "the story again",
                    step=step.id, location=transition.location,
                    metrics={"p": transition.probability})
