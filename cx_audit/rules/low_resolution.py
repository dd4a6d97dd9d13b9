"""## What it does
Flags a journey whose chance of resolution (`p_resolution`) is below
`min_resolution`.

## Why it matters
SQM Group puts world-class first-contact resolution at 80% or more, and
each 1% of resolution is worth about 1% of customer satisfaction. A journey
that resolves fewer customers than that, even eventually, loses customers
to abandonment, stranding or loops.

## Example
```yaml
  hold: {shield: queue, abandon: 0.3, next: [agent]}
  agent: {next: [{to: done, p: 0.6}, {to: gave-up}]}
```

## Use instead
```yaml
  hold: {shield: queue, abandon: 0.05, next: [agent]}
  agent: {can_resolve: true, next: [{to: done, p: 0.9}, {to: specialist}]}
```

## Options
- `min_resolution` (default 0.80): the lowest acceptable chance of a
  resolution.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cx_audit.core.findings import Candidate, Severity
from cx_audit.rules.base import Option, RuleContext
from cx_audit.text.formatting import percent

CODE = "CX504"
NAME = "low-resolution"
SUMMARY = "Too few customers reach a resolution"
SEVERITY = Severity.ERROR
ADVICE = ("Work through the fix-first list: the steps where customers give up or get stuck cost "
          "the most resolutions.")
OPTIONS = {"min_resolution": Option("float", 0.80, "lowest acceptable chance of resolution",
                                    maximum=1.0)}


def check(context: RuleContext, options: Mapping[str, Any]) -> Iterator[Candidate]:
    """Yield one journey-level candidate when ``p_resolution`` is below the threshold.

    Reads the analysis (``context.analysis``).
    """
    if not context.journey.entries:
        return  # nothing to measure: CX101 says why
    limit = options["min_resolution"]
    metrics = context.analysis.metrics
    if metrics.p_resolution < limit:
        yield Candidate(
            f"Only {percent(metrics.p_resolution)} of customers reach a resolution (less than "
            f"{percent(limit)})",
            metrics={"p_resolution": metrics.p_resolution, "p_abandon": metrics.p_abandon,
                     "p_stranded": metrics.p_stranded, "p_trapped": metrics.p_trapped,
                     "min_resolution": limit})
