"""## What it does
Flags a step where the customer feels at their worst (`emotion: -2`), or
where emotion drops by 2 or more from a step that leads to it.

## Why it matters
The low points of the emotional curve are where a good experience turns
bad — the combustion points Disney looks for through its listening posts
(Disney Institute, *Be Our Guest*, 2011). Customers remember the worst
moment of a journey, and effort-heavy moments make 96% of them more
disloyal (CEB/Gartner, 2013).

## Example
```yaml
  agent: {emotion: 1, next: [fee]}
  fee: {shield: fee, emotion: -2, next: [done]}
```

## Use instead
```yaml
  agent: {emotion: 1, next: [fee]}
  fee: {shield: fee, emotion: 0, next: [done]}    # fee waived for first disputes
```

## Options
None.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cx_audit.core.findings import Candidate, Severity
from cx_audit.rules.base import Option, RuleContext

CODE = "CX505"
NAME = "emotion-dip"
SUMMARY = "A low point of the customer's emotional curve"
SEVERITY = Severity.WARNING
ADVICE = ("Find what makes customers feel worst here and remove or soften it; prepare staff for "
          "this moment.")
OPTIONS: dict[str, Option] = {}

_WORST = -2.0
_DROP = 2.0


def check(context: RuleContext, options: Mapping[str, Any]) -> Iterator[Candidate]:
    """Yield steps at the bottom of the scale or after a drop of 2 or more.

    Reads the networkx graph.
    """
    journey, graph = context.journey, context.graph
    for step in journey.steps.values():
        if step.emotion is None:
            continue
        if step.emotion <= _WORST:
            yield Candidate(f"Customers feel at their worst ({step.emotion:+g}) at step "
                            f"'{step.id}'", step=step.id, metrics={"emotion": step.emotion})
            continue
        drops = [
            (journey.steps[p].emotion, p) for p in graph.predecessors(step.id)
            if journey.steps[p].emotion is not None
            and journey.steps[p].emotion - step.emotion >= _DROP  # type: ignore[operator]
        ]
        if drops:
            before, source = max(drops)
            yield Candidate(f"Emotion drops from {before:+g} at '{source}' to {step.emotion:+g} "
                            f"at step '{step.id}'", step=step.id,
                            metrics={"emotion": step.emotion, "from": source,
                                     "emotion_before": before})
