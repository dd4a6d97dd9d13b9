"""## What it does
Flags a journey with no step of kind `entry`.

## Why it matters
Every metric starts from where customers begin. Without an entry the audit
cannot say how many customers are resolved, wait or give up: the map is
unfinished, and every figure computed from it would be meaningless.

## Example
```yaml
journey: refund
steps:
  form: {next: [done]}
  done: {kind: resolution}
```

## Use instead
```yaml
journey: refund
steps:
  form: {kind: entry, next: [done]}
  done: {kind: resolution}
```

## Options
None.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cx_audit.core.findings import Candidate, Severity
from cx_audit.rules.base import Option, RuleContext

CODE = "CX101"
NAME = "no-entry"
SUMMARY = "The journey has no entry step"
SEVERITY = Severity.ERROR
ADVICE = "Add an entry step for each way customers start, so the journey can be followed."
OPTIONS: dict[str, Option] = {}


def check(context: RuleContext, options: Mapping[str, Any]) -> Iterator[Candidate]:
    """Yield one journey-level candidate when no step is an entry.

    Reads the journey model only.
    """
    if not context.journey.entries:
        yield Candidate("The journey has no entry step: nothing says where customers start")
