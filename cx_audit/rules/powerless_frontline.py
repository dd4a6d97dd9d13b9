"""## What it does
Flags a frontline step whose person cannot resolve the matter: either the
step says so (`can_resolve: false`), or no resolution can be reached from
it without handing the customer over to someone else.

## Why it matters
The person the customer finally reaches should be able to help. Nordstrom
famously gives its staff one rule — use good judgement — and the authority
to act on it. A frontline that can only take notes turns every contact into
a transfer, and a transfer lowers first-contact resolution by 14% (SQM
Group).

## Example
```yaml
  agent:
    actor: frontline
    can_resolve: false
    next: [{to: back-office, handoff: cold}]
```

## Use instead
```yaml
  agent:
    actor: frontline
    can_resolve: true       # e.g. refunds up to 100 EUR without approval
    next: [done, {to: back-office, handoff: warm}]
```

## Options
- `empower_share` (default 0.3, a judgement call): sets the
  empower-frontline lever, not the finding: the share of the customers the
  person now passes on who would be resolved there with the authority to
  do so (below the 70-72% first-contact resolution published as the
  average, so as not to promise the best case).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import partial
from typing import Any

from cx_audit.analysis.structure import resolving_steps
from cx_audit.core.findings import Candidate, Severity
from cx_audit.core.model import Actor
from cx_audit.rules.base import Option, RuleContext

CODE = "CX401"
NAME = "powerless-frontline"
SUMMARY = "A frontline person who cannot resolve the matter"
SEVERITY = Severity.WARNING
ADVICE = ("Give the person at this step the authority, within clear limits, to resolve the "
          "common cases.")
OPTIONS = {"empower_share": Option(
    "float", 0.3, "share of the customers the person passes on that the empower-frontline "
    "lever resolves there instead (a judgement)", maximum=1.0)}

_resolving_without_handoff = partial(resolving_steps, avoid_handoffs=True)


def check(context: RuleContext, options: Mapping[str, Any]) -> Iterator[Candidate]:
    """Yield frontline steps that lack authority, or any handoff-free route to a resolution.

    Reads the journey view (through ``context.memo``).
    """
    journey = context.journey
    direct: set[str] | None = None  # worked out at the first frontline step, if any
    for step in journey.steps.values():
        if step.actor is not Actor.FRONTLINE:
            continue
        if direct is None:
            direct = context.memo(_resolving_without_handoff)
        if step.can_resolve is False:
            yield Candidate(f"The frontline person at '{step.id}' cannot resolve the matter "
                            "(can_resolve: false)", step=step.id,
                            metrics={"can_resolve": False})
        elif step.id not in direct:
            yield Candidate(f"No resolution can be reached from the frontline step '{step.id}' "
                            "without a handoff", step=step.id,
                            metrics={"can_resolve": step.can_resolve})
