"""## What it does
Flags where customers are MADE to switch channel: from a step that names a
`channel`, every way on leads to a step naming another one (compared
without regard to case), reported once at the first of those transitions;
or a transition that changes channel is also a `cold` handoff, reported on
its own where the customer had another way on. A WAY ON is a transition
that carries customers (not `p: 0`) to a step that is not a resolution or
abandon step: those end the journey, so a help page that either solves the
case or sends everyone else to the phone still makes them switch. A way on
to a step with no channel might stay in the channel, so it is never
counted as a switch. A single optional switch (a web form that also offers
a phone call) is a choice, not reported.

## Why it matters
Switching channel is one of the effort drivers behind disloyalty: 57% of
customers report having to switch from the web to the phone (HBR, "Stop
Trying to Delight Your Customers", 2010; CEB/Gartner, *The Effortless
Experience*, 2013). Each switch usually means starting again, and a cold
handoff across channels certainly does.

## Example
```yaml
  web-form: {channel: web, next: [phone-agent, done]}
  phone-agent: {channel: phone, next: [done]}
```

## Use instead
```yaml
  web-form: {channel: web, next: [chat-agent, phone-agent, done]}
  chat-agent: {channel: web, next: [done]}       # the customer may stay on the web
  phone-agent: {channel: phone, next: [done]}
```

## Options
None.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from cx_audit.core.findings import Candidate, Severity
from cx_audit.core.model import Handoff, Step, Transition
from cx_audit.rules.base import Option, RuleContext

CODE = "CX304"
NAME = "channel-switch"
SUMMARY = "A step or transition that makes the customer switch channel"
SEVERITY = Severity.WARNING
ADVICE = ("Give customers a way on in the channel they chose, or carry the case across so the "
          "switch costs them nothing.")
OPTIONS: dict[str, Option] = {}


def check(context: RuleContext, options: Mapping[str, Any]) -> Iterator[Candidate]:
    """Yield each step whose every way on switches channel, then each cold switch elsewhere.

    One pass over the transitions: O(n + e). Reads the journey model only.
    """
    steps = context.journey.steps
    for step in steps.values():
        if step.is_terminal or not step.channel_key:
            continue
        ways_on = [t for t in step.next
                   if t.probability > 0 and not steps[t.target].is_terminal]
        switches = [t for t in ways_on if _switches(step, steps[t.target])]
        if not switches:
            continue
        if len(switches) == len(ways_on):
            yield _forced(step, switches, steps)
            continue
        for transition in switches:
            if transition.handoff is Handoff.COLD:
                target = steps[transition.target]
                yield Candidate(
                    f"Customers switch from {step.channel} to {target.channel} going from "
                    f"'{step.id}' to '{target.id}' through a cold handoff: they start again "
                    f"in another channel",
                    step=step.id, location=transition.location,
                    metrics={"from": step.channel_key, "to": [target.channel_key],
                             "p": transition.probability, "forced": False, "cold": True})


def _switches(step: Step, target: Step) -> bool:
    """True when ``target`` names a channel other than ``step``'s."""
    return bool(target.channel_key) and target.channel_key != step.channel_key


def _listed(step_ids: Iterable[str]) -> str:
    return ", ".join(f"'{s}'" for s in step_ids)


def _forced(step: Step, switches: list[Transition], steps: Mapping[str, Step]) -> Candidate:
    targets = [steps[t.target] for t in switches]
    channels = list(dict.fromkeys(str(t.channel_key) for t in targets))
    names = list(dict.fromkeys(str(t.channel) for t in targets))
    cold = [t.target for t in switches if t.handoff is Handoff.COLD]
    message = (f"Every way on from '{step.id}' ({step.channel}) makes customers switch to "
               f"{' or '.join(names)}: {_listed(t.target for t in switches)}")
    if cold:
        handoffs = "handoff to" if len(cold) == 1 else "handoffs to"
        message += (f"; the {handoffs} {_listed(cold)} {'is' if len(cold) == 1 else 'are'} "
                    f"cold, so they also start again")
    return Candidate(
        message, step=step.id, location=switches[0].location,
        metrics={"from": step.channel_key, "to": channels,
                 "p": sum(t.probability for t in switches), "forced": True, "cold": bool(cold)})
