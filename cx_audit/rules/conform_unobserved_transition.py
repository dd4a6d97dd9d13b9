"""## What it does
With an event log beside the map (`cx-audit conform`), flags each transition
of the map that no case in the log ever takes, saying how often customers
left its source step (or that the log never shows the step at all).
Reported at the transition.

## Why it matters
A designed route that nobody travels is either a promise the service does
not keep (the callback that never happens, the escalation nobody is
offered) or a map that no longer describes the service. Either way the
figures computed from the map overstate what customers get.

## Example
```yaml
  # the log never shows 'hold' -> 'callback'
  hold: {shield: queue, next: [agent, callback]}
```

## Use instead
```yaml
  hold: {shield: queue, next: [agent]}    # or make the callback real
```

## Options
None.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from cx_audit.core.findings import Candidate, Severity
from cx_audit.eventlog.observations import Observations, observations_of
from cx_audit.rules.base import Option, RuleContext

if TYPE_CHECKING:
    from cx_audit.eventlog.footprint import Footprint

CODE = "CX602"
NAME = "conform-unobserved-transition"
SUMMARY = "A transition of the map that no customer takes"
SEVERITY = Severity.INFO
ADVICE = ("Check whether the way is really offered to customers; remove it from the map if it is "
          "not.")
OPTIONS: dict[str, Option] = {}


def check(context: RuleContext, options: Mapping[str, Any]) -> Iterator[Candidate]:
    """Yield the journey's transitions that the log never shows.

    Reads the event log's observations.
    """
    observed = observations_of(context)
    if observed is None or not observed.cases:
        return
    from cx_audit.eventlog.footprint import footprint  # networkx, only when a log is read
    design = footprint(context.journey)
    for transition in context.journey.transitions:
        source, target = transition.source, transition.target
        if _taken(observed, design, source, target):
            continue
        seen = observed.step(source)
        if not design.shown(source):
            why = f"the log never shows a step that '{source}' leads to"
            left = 0
        elif seen is None:
            why = f"the log never shows step '{source}'"
            left = 0
        else:
            left = observed.departures(source)
            why = f"customers left '{source}' {left:,} times"
        yield Candidate(f"'{source}' -> '{target}' is never observed ({why})", step=source,
                        location=transition.location,
                        metrics={"departures": left, "p_design": transition.probability})


def _taken(observed: Observations, design: Footprint, source: str, target: str) -> bool:
    """Whether the log shows the transition, seen through silent steps.

    From a visible step: a directly-follows pair to a step it arrives at, or
    cases ending at the step when the transition may end the case. From a
    silent step, or on a parallel branch (whose steps interleave with the
    other branches'), it is enough that the log shows a step it arrives at.
    """
    arrives = design.enters(target)
    ends = design.ends_through(target)
    if not design.shown(source) or design.in_parallel(source):
        return (any(observed.step(step) for step in arrives)
                or (ends and observed.cases > 0))
    if any(observed.transitions.get((source, step)) for step in arrives):
        return True
    seen = observed.step(source)
    return ends and seen is not None and seen.ends > 0
