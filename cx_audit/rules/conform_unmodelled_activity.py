"""## What it does
With an event log beside the map (`cx-audit conform`), flags each activity
of the log that stands for no step of the map: no `steps` entry in the
mapping names it, no step has it as `label`, and no step id is its slug.
Its events are left out of the comparison, so the customer's walk goes
from the step before it to the step after it. Reported on the journey,
once per activity, with its number of events.

## Why it matters
An activity the map does not know is work the customer waits through
that the design does not show: a hidden queue, an extra approval, a
shield layer nobody counted. It also weakens every other comparison.

## Example
```yaml
  # the log has 1,463 'Wait' events; the map has no such step
  agent: {label: Take in charge ticket, next: [resolve]}
```

## Use instead
```yaml
  agent: {label: Take in charge ticket, next: [resolve, on-hold]}
  on-hold: {label: Wait, shield: hold, next: [agent, resolve]}
```
or list the activity under `ignore` in the mapping when it is not part
of the customer's journey.

## Options
None.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cx_audit.core.findings import Candidate, Severity
from cx_audit.eventlog.observations import observations_of
from cx_audit.rules.base import Option, RuleContext

CODE = "CX606"
NAME = "conform-unmodelled-activity"
SUMMARY = "An activity of the log that no step of the map stands for"
SEVERITY = Severity.WARNING
ADVICE = "Add a step for the activity to the map, or map its name to an existing step."
OPTIONS: dict[str, Option] = {}


def check(context: RuleContext, options: Mapping[str, Any]) -> Iterator[Candidate]:
    """Yield one candidate per activity that matches no step.

    Reads the event log's observations.
    """
    observed = observations_of(context)
    if observed is None:
        return
    for activity, count in sorted(observed.unmatched.items(), key=lambda kv: (-kv[1], kv[0])):
        events = "1 event" if count == 1 else f"{count:,} events"
        yield Candidate(f"Activity '{activity}' ({events}) matches no step of the map",
                        metrics={"activity": activity, "events": count})
