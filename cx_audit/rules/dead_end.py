"""## What it does
Flags the step where a customer's last chance of a resolution is lost: a
step that an entry reaches, from which no route leads to a resolution, and
which is entered from a step that still had one. An entry with no route to
a resolution is flagged too. Abandon steps are deliberate ends and are not
flagged; a step with no `next` at all is reported as `stranded` (CX105)
instead.

## Why it matters
Customers who pass this point can only give up or be stuck: whatever they
do next, the matter will not be solved. SQM Group finds that 25% of
customers whose issue stays unresolved defect, against 5% of those
resolved on first contact.

## Example
```yaml
steps:
  call: {kind: entry, next: [agent]}
  agent: {next: [done, voicemail]}
  voicemail: {next: [hang-up]}      # no way back to a resolution
  hang-up: {kind: abandon}
  done: {kind: resolution}
```

## Use instead
```yaml
steps:
  call: {kind: entry, next: [agent]}
  agent: {next: [done, voicemail]}
  voicemail: {next: [callback, hang-up]}
  callback: {next: [done]}
  hang-up: {kind: abandon}
  done: {kind: resolution}
```

## Options
None.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cx_audit.analysis.structure import reachable_steps, resolving_steps
from cx_audit.core.findings import Candidate, Severity
from cx_audit.core.model import StepKind
from cx_audit.rules.base import Option, RuleContext

CODE = "CX103"
NAME = "dead-end"
SUMMARY = "A step from which no route leads to a resolution"
SEVERITY = Severity.ERROR
ADVICE = ("Give customers who reach this point a way on to a resolution: a person, a callback or "
          "a follow-up.")
OPTIONS: dict[str, Option] = {}


def check(context: RuleContext, options: Mapping[str, Any]) -> Iterator[Candidate]:
    """Yield each reachable, non-resolving step entered from a resolving one (or an entry).

    Reads the journey view (through ``context.memo``) and its steps' neighbours.
    """
    journey, view = context.journey, context.view
    reached = context.memo(reachable_steps)
    resolving = context.memo(resolving_steps)
    for step in journey.steps.values():
        if step.id not in reached or step.id in resolving or step.is_terminal or not step.next:
            continue
        lost_here = step.kind is StepKind.ENTRY or any(
            p in resolving and p in reached for p in view.predecessors(step.id)
        )
        if lost_here:
            yield Candidate(
                f"No route leads from step '{step.id}' to a resolution: customers who reach it "
                "cannot get their matter solved",
                step=step.id,
            )
