"""## What it does
With an event log beside the map (`cx-audit conform`), flags a transition
whose observed share of its step's departures differs from the map's by
more than `max_drift`, and a step whose observed abandonment (cases that
end there unresolved) differs from its `abandon` by as much. The map's
share of a transition is `(1 - abandon) * p`; the observed one is its count
over the step's departures (transitions out plus cases ending there).
Steps left fewer than `min_departures` times are not judged. Silent steps
(start and end events, gateways, generated ends) are looked through: a
share is the sum over the routes through them, and a route to a silent end
counts as ending the case. Steps on a parallel branch, and steps whose
routes pass a parallel split, are not judged, as the order of parallel
work fixes no share.

## Why it matters
Every figure the auditor computes, the chance of a resolution, of a
first-time resolution, the expected wait, rests on the map's
probabilities. A map that says 90% are solved at the first agent when the
log says 60% hides the repeat contacts that drive effort and disloyalty.

## Example
```yaml
  # the log: 58% of departures from 'agent' go to 'done', 42% to 'transfer'
  agent: {next: [{to: done, p: 0.9}, {to: transfer, p: 0.1}]}
```

## Use instead
```yaml
  agent: {next: [{to: done, p: 0.58}, {to: transfer, p: 0.42}]}
```

## Options
- `max_drift` (default `0.15`): the largest difference between observed and
  designed shares that is not reported.
- `min_departures` (default `30`): the fewest observed departures from a
  step for its shares to be judged.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cx_audit.core.findings import Candidate, Severity
from cx_audit.eventlog.observations import observations_of
from cx_audit.rules.base import Option, RuleContext
from cx_audit.text.formatting import percent

CODE = "CX603"
NAME = "conform-probability-drift"
SUMMARY = "An observed share that differs from the map's probability"
SEVERITY = Severity.WARNING
ADVICE = ("Re-estimate the share from the log, or find out why customers choose differently from "
          "the design.")
OPTIONS = {
    "max_drift": Option("float", 0.15, "largest tolerated difference between observed and "
                        "designed shares", maximum=1.0),
    "min_departures": Option("int", 30, "fewest observed departures from a step to judge its "
                             "shares", minimum=1),
}


def check(context: RuleContext, options: Mapping[str, Any]) -> Iterator[Candidate]:
    """Yield transitions and abandon shares that drifted from the design.

    Reads the event log's observations.
    """
    observed = observations_of(context)
    if observed is None:
        return
    from cx_audit.eventlog.footprint import END, footprint  # networkx, only when a log is read
    limit, least = options["max_drift"], options["min_departures"]
    design = footprint(context.journey)
    for step in context.journey.steps.values():
        seen = observed.step(step.id)
        if step.is_terminal or seen is None:
            continue
        left = observed.departures(step.id)
        shares = design.shares(step.id) if left >= least else None
        if shares is None:
            continue
        targets = observed.targets(step.id)
        for target, planned in shares.items():
            if target == END:
                continue
            actual = targets.get(target, 0) / left
            if abs(actual - planned) > limit:
                via = next((t for t in step.next if target in design.enters(t.target)), None)
                yield Candidate(
                    f"'{step.id}' -> '{target}' takes {percent(actual)} of the "
                    f"departures observed, the map says {percent(planned)}",
                    step=step.id, location=via.location if via else None,
                    metrics={"observed": actual, "design": planned, "drift": actual - planned,
                             "departures": left, "max_drift": limit})
        planned = shares.get(END, 0.0)
        actual = seen.ends / left
        if abs(actual - planned) > limit:
            how = "" if any(design.ends_through(t.target) for t in step.next) else " unresolved"
            yield Candidate(
                f"{percent(actual)} of the departures observed from '{step.id}' end the case "
                f"there{how}, the map says {percent(planned)}",
                step=step.id,
                metrics={"observed_abandon": actual, "design_abandon": planned,
                         "drift": actual - planned, "departures": left, "max_drift": limit})
