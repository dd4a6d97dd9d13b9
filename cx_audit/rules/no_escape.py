"""## What it does
Flags an automated shield — a shield of kind `ivr`, `menu`, `bot` or
`deflection`, or any shield whose actor is `bot` or `system` — from which
no frontline or back-office step can be reached: the customer has no way
to reach a person.

## Why it matters
Automation without an exit traps exactly the customers whose problem does
not fit it. Gartner (2019) found only 9% of customers fully resolve their
issue in self-service; the other 91% need a way out. Software Advice's IVR
survey (2014) puts the expected exit at the third menu at the latest.

## Example
```yaml
steps:
  chat: {kind: entry, next: [bot]}
  bot: {shield: bot, actor: bot, next: [faq, gave-up]}
  faq: {shield: deflection, next: [gave-up]}
  gave-up: {kind: abandon}
```

## Use instead
```yaml
steps:
  chat: {kind: entry, next: [bot]}
  bot: {shield: bot, actor: bot, next: [faq, agent]}
  faq: {shield: deflection, next: [agent, gave-up]}
  agent: {actor: frontline, next: [done]}
  gave-up: {kind: abandon}
  done: {kind: resolution}
```

## Options
None.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cx_audit.core.findings import Candidate, Severity
from cx_audit.core.model import Actor, Step
from cx_audit.rules.base import Option, RuleContext
from cx_audit.rules.helpers import AUTOMATED_SHIELDS, is_person

CODE = "CX203"
NAME = "no-escape"
SUMMARY = "An automated shield with no way to reach a person"
SEVERITY = Severity.ERROR
ADVICE = "Offer a way from this automated step to a person."
OPTIONS: dict[str, Option] = {}


def is_automated_shield(step: Step) -> bool:
    """A shield that is a machine: by its kind, or by its actor."""
    if not step.is_shield:
        return False
    return (step.shield or "").strip().lower() in AUTOMATED_SHIELDS or step.actor in (
        Actor.BOT, Actor.SYSTEM)


def check(context: RuleContext, options: Mapping[str, Any]) -> Iterator[Candidate]:
    """Yield automated shields outside the backward closure of people.

    One backward search from every person step: O(n + e).

    Reads the journey view's predecessors of each step.
    """
    journey, view = context.journey, context.view
    people = [s.id for s in journey.steps.values() if is_person(s)]
    escapes: set[str] = set()  # steps from which a person can be reached, after leaving them
    frontier = list(people)
    while frontier:
        node = frontier.pop()
        for pred in view.predecessors(node):
            if pred not in escapes and not journey.steps[pred].is_terminal:
                escapes.add(pred)
                frontier.append(pred)
    for step in journey.steps.values():
        if is_automated_shield(step) and step.id not in escapes:
            yield Candidate(f"No person can be reached from the automated shield '{step.id}' "
                            f"({step.shield})", step=step.id)
