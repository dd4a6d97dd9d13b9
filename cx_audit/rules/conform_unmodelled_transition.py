"""## What it does
With an event log beside the map (`cx-audit conform`), flags what customers
were seen doing that the map has no transition for: a step followed by
another step that the map does not link to it, a case that goes on after a
resolution or abandon step, and cases that start at a step that no entry
leads to. Reported on the source step, with how often it was observed. A
step repeated right after itself is left to CX605. Silent steps (start and
end events, gateways, generated ends) are looked through, and the branches
of a parallel split may interleave in any order (docs/eventlogs.md).

## Why it matters
A journey map is a design; the log is what customers went through. A route
the map does not know is a route nobody designed, measured or owns, and
it is where combustion points hide: Disney finds them by listening to
guests, and the log is the auditor's listening post.

## Example
```yaml
  # the log shows 'billing' -> 'care' 412 times
  care: {owner: care, next: [{to: billing, handoff: warm}, done]}
  billing: {owner: billing, next: [done]}
```

## Use instead
```yaml
  care: {owner: care, can_resolve: true, next: [done]}   # fix the cause, or
  billing: {owner: billing, next: [done, {to: care, handoff: warm, label: sent back}]}
```

## Options
- `min_observed` (default `1`): the fewest observations of a transition, or
  of cases starting at a step, that are reported.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cx_audit.core.findings import Candidate, Severity
from cx_audit.eventlog.observations import observations_of
from cx_audit.rules.base import Option, RuleContext
from cx_audit.text.formatting import percent

CODE = "CX601"
NAME = "conform-unmodelled-transition"
SUMMARY = "Customers take a transition the map does not have"
SEVERITY = Severity.WARNING
ADVICE = ("Add the transition to the map, or find out why customers take a way the design does "
          "not offer.")
OPTIONS = {"min_observed": Option("int", 1, "fewest observations of an unmodelled transition "
                                  "reported", minimum=1)}


def check(context: RuleContext, options: Mapping[str, Any]) -> Iterator[Candidate]:
    """Yield observed transitions and starts that the journey lacks.

    Reads the event log's observations.
    """
    observed = observations_of(context)
    if observed is None:
        return
    from cx_audit.eventlog.footprint import footprint  # networkx, only when a log is read
    journey, least = context.journey, options["min_observed"]
    design = footprint(journey)
    for (source, target), count in sorted(observed.transitions.items(),
                                          key=lambda item: (-item[1], item[0])):
        if source == target or count < least:
            continue
        step = journey.steps[source]
        if design.allows(source, target):
            continue
        share = count / max(observed.departures(source), 1)
        metrics = {"observed": count, "share": share, "departures": observed.departures(source)}
        if step.is_terminal:
            message = (f"Cases go on after the {step.kind.value} step '{source}' to '{target}' "
                       f"({_times(count)}, {percent(share)} of its departures)")
        else:
            message = (f"'{source}' -> '{target}' is observed {_times(count)} "
                       f"({percent(share)} of departures from '{source}'), but the map has "
                       "no such transition")
        yield Candidate(message, step=source, metrics=metrics, route=(source, target))
    for step_id, seen in observed.steps.items():
        step = journey.steps[step_id]
        if seen.starts >= least and not design.may_start(step.id):
            share = seen.starts / max(observed.cases, 1)
            who = "1 case starts" if seen.starts == 1 else f"{seen.starts:,} cases start"
            yield Candidate(
                f"{who} ({percent(share)}) at step '{step_id}', which is not an entry",
                step=step_id,
                metrics={"observed_starts": seen.starts, "share": share})


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count:,} times"
