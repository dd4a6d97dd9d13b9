"""## What it does
Flags probability that leads nowhere: a transition with `p: 0` (or that
gets nothing left after the given `p` values sum to 1), and entry shares
that do not add up to 1 (an entry whose share is 0, or shares that all
given, sum below 1).

## Why it matters
A transition nobody takes is either a mistake in the figures or a route
that exists on paper only; an entry share that leaves customers nowhere
means the figures for where customers start do not describe all of them.
Either way the journey's figures are not what the consultant intended.
The metrics treat entry shares as relative weights (they are scaled to
sum to 1), which this rule makes visible.

## Example
```yaml
steps:
  web: {kind: entry, share: 0.5, next: [done]}
  app: {kind: entry, share: 0.3, next: [done]}   # 20% start nowhere
  done: {kind: resolution}
```

## Use instead
```yaml
steps:
  web: {kind: entry, share: 0.6, next: [done]}
  app: {kind: entry, share: 0.4, next: [done]}
  done: {kind: resolution}
```

## Options
None.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from cx_audit.core.findings import Candidate, Severity
from cx_audit.rules.base import Option, RuleContext
from cx_audit.text.formatting import percent

CODE = "CX107"
NAME = "dangling-probability"
SUMMARY = "A transition or entry share that carries no customers"
SEVERITY = Severity.WARNING
ADVICE = "Remove the path that carries no customers, or give it its real share."
OPTIONS: dict[str, Option] = {}

_TOLERANCE = 1e-9


def check(context: RuleContext, options: Mapping[str, Any]) -> Iterator[Candidate]:
    """Yield zero-probability transitions and entry shares that leave a gap.

    Reads the journey model only.
    """
    journey = context.journey
    for step in journey.steps.values():
        for transition in step.next:
            if transition.p_given == 0:
                message = (f"The transition from '{step.id}' to '{transition.target}' has p: 0: "
                           "no customer takes it")
            elif transition.p_given is None and transition.probability <= _TOLERANCE:
                message = (f"The transition from '{step.id}' to '{transition.target}' gets no "
                           "probability: the given p values already sum to 1")
            else:
                continue
            yield Candidate(message, step=step.id, location=transition.location,
                            metrics={"p": transition.probability})
    shares = journey.entry_shares
    for entry in journey.entries:
        if shares.get(entry.id, 0.0) <= _TOLERANCE:
            yield Candidate(
                f"Entry '{entry.id}' gets no share of customers: the given shares already sum "
                "to 1", step=entry.id, metrics={"share": 0.0})
    total = math.fsum(shares.values())
    if shares and total < 1 - 1e-6:
        first = journey.entries[0]
        yield Candidate(
            f"The entry shares sum to {total:.6g}: {percent(1 - total)} of customers start "
            "nowhere", step=first.id, metrics={"entry_shares_sum": total})
