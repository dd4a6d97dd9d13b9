"""## What it does
Flags a transition between two non-terminal steps that both name a
`channel`, when the channels differ (compared without regard to case):
the customer is made to switch channel. Reported on the source step, at
the `next` entry.

## Why it matters
Switching channel is one of the effort drivers behind disloyalty: 57% of
customers report having to switch from the web to the phone (HBR, "Stop
Trying to Delight Your Customers", 2010; CEB/Gartner, *The Effortless
Experience*, 2013). Each switch usually means starting again.

## Example
```yaml
  web-form: {channel: web, next: [phone-agent]}
  phone-agent: {channel: phone, next: [done]}
```

## Use instead
```yaml
  web-form: {channel: web, next: [chat-agent]}
  chat-agent: {channel: web, next: [done]}
```

## Options
None.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cx_audit.core.findings import Candidate, Severity
from cx_audit.rules.base import Option, RuleContext

CODE = "CX304"
NAME = "channel-switch"
SUMMARY = "A transition that makes the customer switch channel"
SEVERITY = Severity.WARNING
ADVICE = ("Keep customers in the channel they chose, or carry the case across so the switch "
          "costs them nothing.")
OPTIONS: dict[str, Option] = {}


def check(context: RuleContext, options: Mapping[str, Any]) -> Iterator[Candidate]:
    """Yield every transition between two different named channels.

    Reads the journey model only.
    """
    steps = context.journey.steps
    for step in steps.values():
        if step.is_terminal or not step.channel_key:
            continue
        for transition in step.next:
            target = steps[transition.target]
            if target.is_terminal or not target.channel_key:
                continue
            if target.channel_key != step.channel_key:
                yield Candidate(
                    f"Customers switch from {step.channel} to {target.channel} going from "
                    f"'{step.id}' to '{target.id}'",
                    step=step.id, location=transition.location,
                    metrics={"from": step.channel_key, "to": target.channel_key,
                             "p": transition.probability})
