"""## What it does
Flags a step where more than `max_abandon` of the customers who reach it
give up (its `abandon` share).

## Why it matters
Customers who give up are not resolved and rarely come back: 27% of calls
are abandoned in the phone menu (Vonage consumer survey), and abandonment
on hold peaks near the first minute (Brown et al., JASA, 2005). A step that
loses many customers is where the journey breaks first.

## Example
```yaml
  hold: {shield: queue, abandon: 0.25, next: [agent]}
```

## Use instead
```yaml
  hold: {shield: queue, abandon: 0.05, next: [agent]}   # callback offered
```

## Options
- `max_abandon` (default 0.10, a judgement call): the largest acceptable
  share of customers giving up at one step.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cx_audit.core.findings import Candidate, Severity
from cx_audit.rules.base import Option, RuleContext
from cx_audit.text.formatting import percent

CODE = "CX501"
NAME = "high-abandon"
SUMMARY = "A step where many customers give up"
SEVERITY = Severity.WARNING
ADVICE = ("Find out why customers give up here: shorten the wait, offer a callback, or remove "
          "the step.")
OPTIONS = {"max_abandon": Option("float", 0.10, "largest acceptable abandon share at a step",
                                 maximum=1.0)}


def check(context: RuleContext, options: Mapping[str, Any]) -> Iterator[Candidate]:
    """Yield every step whose abandon share exceeds the threshold.

    Reads the journey model only.
    """
    limit = options["max_abandon"]
    for step in context.journey.steps.values():
        if step.abandon > limit:
            yield Candidate(f"{percent(step.abandon)} of customers give up at step '{step.id}' "
                            f"(more than {percent(limit)})", step=step.id,
                            metrics={"abandon": step.abandon, "max_abandon": limit})
