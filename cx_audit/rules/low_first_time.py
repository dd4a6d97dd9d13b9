"""## What it does
Flags a journey whose chance of a first-time resolution (`p_first_time`:
resolved without crossing any handoff) is below `min_first_time`.

## Why it matters
Customers want one contact, told once, solved. SQM Group puts average
first-contact resolution at 70–72%; below that a journey is worse than
typical, and 25% of unresolved customers defect against 5% of those
resolved first time.

## Example
```yaml
  agent: {next: [{to: done, p: 0.5}, {to: specialist, handoff: cold}]}
```

## Use instead
```yaml
  agent: {can_resolve: true, next: [{to: done, p: 0.85}, {to: specialist, handoff: warm}]}
```

## Options
- `min_first_time` (default 0.70): the lowest acceptable chance of a
  resolution without any handoff.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cx_audit.core.findings import Candidate, Severity
from cx_audit.rules.base import Option, RuleContext
from cx_audit.text.formatting import percent

CODE = "CX506"
NAME = "low-first-time"
SUMMARY = "Too few customers are resolved without a handoff"
SEVERITY = Severity.WARNING
ADVICE = "Let the first person the customer meets resolve more cases without passing them on."
OPTIONS = {"min_first_time": Option("float", 0.70, "lowest acceptable chance of a first-time "
                                                   "resolution", maximum=1.0)}


def check(context: RuleContext, options: Mapping[str, Any]) -> Iterator[Candidate]:
    """Yield one journey-level candidate when ``p_first_time`` is below the threshold.

    Reads the analysis (``context.analysis``).
    """
    if not context.journey.entries:
        return
    limit = options["min_first_time"]
    metrics = context.analysis.metrics
    if metrics.p_first_time < limit:
        yield Candidate(
            f"Only {percent(metrics.p_first_time)} of customers are resolved without a handoff "
            f"(less than {percent(limit)})",
            metrics={"p_first_time": metrics.p_first_time, "p_resolution": metrics.p_resolution,
                     "min_first_time": limit})
