"""## What it does
Flags a step where the customer waits longer than `max_wait`: the step's
`wait`, or, for a queue with `staffing` and no `wait`, the average wait
that the Erlang C formula gives.

## Why it matters
Waiting is where patience runs out: about 60% of customers find one minute
on hold too long (Velaro survey), abandonment peaks near 60 seconds (Brown
et al., JASA, 2005), and callers give up after about three minutes on hold
(TSIA).

## Example
```yaml
  hold: {shield: queue, wait: 12m, next: [agent]}
```

## Use instead
```yaml
  hold: {shield: queue, wait: 2m, next: [agent, callback]}
```

## Options
- `max_wait` (default 3 minutes): the longest acceptable wait at one step;
  a number of minutes or a duration such as `90s`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cx_audit.analysis.erlang import step_wait
from cx_audit.core.findings import Candidate, Severity
from cx_audit.rules.base import Option, RuleContext
from cx_audit.text.formatting import human_duration

CODE = "CX502"
NAME = "long-wait"
SUMMARY = "A step where the customer waits too long"
SEVERITY = Severity.WARNING
ADVICE = ("Shorten the wait: staff to the demand, offer a callback, or tell customers how long "
          "it will take.")
OPTIONS = {"max_wait": Option("duration", 3.0, "longest acceptable wait at a step (minutes)")}


def check(context: RuleContext, options: Mapping[str, Any]) -> Iterator[Candidate]:
    """Yield every step whose wait (given or from Erlang C) exceeds the threshold.

    Reads the journey model only (waits of queues from Erlang C, not the chain).
    """
    limit = options["max_wait"]
    for step in context.journey.steps.values():
        wait, erlang = step_wait(step)  # the queue model alone: no need to solve the chain
        if wait <= limit:
            continue
        metrics: dict[str, Any] = {"wait": wait, "max_wait": limit}
        source = ""
        if step.wait is None and erlang is not None:
            source = " (Erlang C)"
            metrics.update({"p_wait": erlang.p_wait, "load": erlang.load,
                            "agents": step.staffing.agents if step.staffing else None})
        yield Candidate(f"Customers wait {human_duration(wait)}{source} at step '{step.id}' "
                        f"(more than {human_duration(limit)})", step=step.id, metrics=metrics)
