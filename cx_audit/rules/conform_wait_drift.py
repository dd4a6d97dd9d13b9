"""## What it does
With an event log beside the map (`cx-audit conform`), flags a step whose
median observed wait (the time from the previous step's event to this
one) differs from the map's `wait` (or the Erlang C wait of its `staffing`)
by more than a factor of `max_wait_ratio` either way, and by more than
`min_wait_gap` in absolute terms. Steps with fewer than `min_wait_samples`
observed waits, and steps whose map states no wait, are not judged.

## Why it matters
Waiting is where patience runs out: about 60% of customers find one minute
on hold too long (Velaro survey) and callers give up after about three
minutes (TSIA). A map that promises two minutes where customers wait an
hour lets every wait rule pass while customers leave.

## Example
```yaml
  # the log: median wait 47 minutes before 'agent'
  agent: {actor: frontline, wait: 2m, next: [done]}
```

## Use instead
```yaml
  agent: {actor: frontline, wait: 47m, next: [done]}   # then fix the wait itself
```

## Options
- `max_wait_ratio` (default `2`): the largest tolerated factor between the
  observed median wait and the designed one.
- `min_wait_gap` (default `5` minutes): differences smaller than this are
  not reported whatever the ratio; a number of minutes or a duration such
  as `90s`.
- `min_wait_samples` (default `10`): the fewest observed waits for a step's
  wait to be judged.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cx_audit.analysis.erlang import step_wait
from cx_audit.core.findings import Candidate, Severity
from cx_audit.eventlog.observations import observations_of
from cx_audit.rules.base import Option, RuleContext
from cx_audit.text.formatting import human_duration

CODE = "CX604"
NAME = "conform-wait-drift"
SUMMARY = "An observed wait that differs from the map's"
SEVERITY = Severity.WARNING
ADVICE = "Update the map's wait from the log, or find out what holds customers up."
OPTIONS = {
    "max_wait_ratio": Option("float", 2.0, "largest tolerated factor between observed and "
                             "designed waits", minimum=1.0),
    "min_wait_gap": Option("duration", 5.0, "smallest difference in waits reported (minutes)"),
    "min_wait_samples": Option("int", 10, "fewest observed waits to judge a step's wait",
                               minimum=1),
}


def check(context: RuleContext, options: Mapping[str, Any]) -> Iterator[Candidate]:
    """Yield steps whose observed median wait is far from the designed one.

    Reads the event log's observations.
    """
    observed = observations_of(context)
    if observed is None:
        return
    ratio, gap, least = options["max_wait_ratio"], options["min_wait_gap"], options[
        "min_wait_samples"]
    for step in context.journey.steps.values():
        seen = observed.step(step.id)
        if seen is None or seen.wait is None or seen.wait_samples < least:
            continue
        design = step.wait
        if design is None and step.staffing is not None:
            design = step_wait(step)[0]
        if design is None:
            continue
        actual = seen.wait
        if abs(actual - design) <= gap:
            continue
        if design > 0 and 1 / ratio <= actual / design <= ratio:
            continue
        direction = "longer" if actual > design else "shorter"
        yield Candidate(
            f"Customers wait {human_duration(actual)} (median of {seen.wait_samples:,}) at step "
            f"'{step.id}', the map says {human_duration(design)}: {direction} than designed",
            step=step.id,
            metrics={"observed_wait": actual, "design_wait": design,
                     "samples": seen.wait_samples, "max_wait_ratio": ratio})
