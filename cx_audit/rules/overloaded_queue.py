"""## What it does
Flags a step with `staffing` whose offered load reaches its agents:
arrivals per hour / 60 x handle minutes >= agents. Such a queue never
settles; its wait grows for as long as the arrivals keep coming.

## Why it matters
The Erlang C model (Koole & Mandelbaum, "Queueing Models of Call Centers",
Ann. Oper. Res., 2002) has no steady state when the load reaches the
number of agents: there is no average wait to quote, only a backlog. The
metrics count no wait for such a queue, so this finding is what shows it.

## Example
```yaml
  queue:
    shield: queue
    staffing: {arrivals: 600, handle: 9m, agents: 45}   # load 90 on 45 agents
```

## Use instead
```yaml
  queue:
    shield: queue
    staffing: {arrivals: 600, handle: 9m, agents: 100}
```

## Options
These set the staff-queue lever offered at such a queue (and at every
staffed step of a combustion point), not the finding:
- `service_level` (default 0.8) and `answer_seconds` (default 20): the
  lever finds the fewest agents who answer that share of callers within
  that many seconds. 80% within 20 seconds is a widely used contact-centre
  target, taken as the default (a judgement call, not a published optimum).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cx_audit.core.findings import Candidate, Severity
from cx_audit.rules.base import Option, RuleContext

CODE = "CX507"
NAME = "overloaded-queue"
SUMMARY = "A staffed queue whose load reaches its agents"
SEVERITY = Severity.ERROR
ADVICE = ("Add agents or lower the demand (self-service that really resolves, callbacks) until "
          "the queue keeps up.")
OPTIONS = {
    "service_level": Option("float", 0.8, "share of callers the staff-queue lever answers "
                            "within answer_seconds", maximum=0.999),
    "answer_seconds": Option("float", 20.0, "answer time of that service level, in seconds",
                             minimum=1.0),
}


def check(context: RuleContext, options: Mapping[str, Any]) -> Iterator[Candidate]:
    """Yield every staffed step whose load is at or above its agent count.

    Reads the journey model only.
    """
    for step in context.journey.steps.values():
        staffing = step.staffing
        if staffing is None or staffing.load < staffing.agents:
            continue
        yield Candidate(
            f"The queue at step '{step.id}' is overloaded: a load of {staffing.load:.3g} "
            f"Erlangs on {staffing.agents} agents, so the wait grows without limit",
            step=step.id, metrics={"load": staffing.load, "agents": staffing.agents,
                                   "arrivals_per_hour": staffing.arrivals_per_hour,
                                   "handle_minutes": staffing.handle_minutes})
