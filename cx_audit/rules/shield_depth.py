"""## What it does
Flags a journey where even the best route passes more than `max_shields`
shield layers (`shields_min > max_shields`), or where customers pass more
than `max_shields` layers on average (`shields_expected > max_shields`).
The best route is given as evidence.

## Why it matters
Each layer — a menu, a form, an identity check, a queue — saves the company
a little and costs the customer a lot. Software Advice's IVR design survey
(2014) found callers expect to be offered a person by the third menu, and
a Vonage consumer survey found 51% of customers have left a business over
its phone menu. Effort drives disloyalty: 96% of customers are more
disloyal after a high-effort interaction (CEB/Gartner, *The Effortless
Experience*, 2013).

## Example
```yaml
steps:
  call: {kind: entry, next: [menu]}
  menu: {shield: ivr, next: [auth]}
  auth: {shield: auth, next: [queue]}
  queue: {shield: queue, next: [form]}
  form: {shield: form, next: [agent]}
  agent: {actor: frontline, next: [done]}
  done: {kind: resolution}
```

## Use instead
```yaml
steps:
  call: {kind: entry, next: [menu]}
  menu: {shield: ivr, next: [agent]}       # identify the caller in the menu
  agent: {actor: frontline, next: [done]}
  done: {kind: resolution}
```

## Options
- `max_shields` (default 3): the most shield layers acceptable on the best
  route and on average.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from cx_audit.analysis.structure import best_shield_route
from cx_audit.core.findings import Candidate, Severity
from cx_audit.rules.base import Option, RuleContext

CODE = "CX201"
NAME = "shield-depth"
SUMMARY = "Too many shield layers between customers and a resolution"
SEVERITY = Severity.WARNING
ADVICE = ("Take shield layers out of the way: identify the customer once, offer a person by the "
          "third layer, and let common cases skip the menus.")
OPTIONS = {"max_shields": Option("int", 3, "most shield layers acceptable on the best route "
                                           "and on average")}


def check(context: RuleContext, options: Mapping[str, Any]) -> Iterator[Candidate]:
    """Yield one journey-level candidate when the best or the average is too deep.

    Reads the journey view (through ``context.memo``) and the analysis (``context.analysis``).
    """
    limit = options["max_shields"]
    metrics = context.analysis.metrics
    best, expected = metrics.shields_min, metrics.shields_expected
    # shields_expected is infinite when customers are trapped among shield layers
    endless = math.isinf(expected) and bool(context.journey.entries) and metrics.p_trapped > 0
    deep_best = best is not None and best > limit
    deep_average = endless or (math.isfinite(expected) and expected > limit)
    if not (deep_best or deep_average):
        return
    if deep_best:
        message = f"Even the best route passes {best} shield layers (more than {limit})"
    elif endless:
        message = ("Customers trapped in a loop pass shield layers without end, so the average "
                   f"exceeds {limit}")
    else:
        message = f"Customers pass {expected:.2f} shield layers on average (more than {limit})"
        if best is not None:
            message += f"; the best route passes {best}"
    route = context.memo(best_shield_route) or ()
    yield Candidate(message, metrics={"shields_min": best,
                                      "shields_expected": expected,
                                      "max_shields": limit}, route=tuple(route))
