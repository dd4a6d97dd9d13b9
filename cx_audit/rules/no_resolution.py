"""## What it does
Flags a journey with no step of kind `resolution`.

## Why it matters
A journey exists to solve the customer's matter. With no resolution step,
no route ends well and the chance of a resolution is zero by construction:
either the map is unfinished or the process has no way to help.

## Example
```yaml
journey: complaint
steps:
  write-in: {kind: entry, next: [acknowledged]}
  acknowledged: {kind: abandon}
```

## Use instead
```yaml
journey: complaint
steps:
  write-in: {kind: entry, next: [acknowledged]}
  acknowledged: {next: [answered]}
  answered: {kind: resolution}
```

## Options
None.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cx_audit.core.findings import Candidate, Severity
from cx_audit.rules.base import Option, RuleContext

CODE = "CX102"
NAME = "no-resolution"
SUMMARY = "The journey has no resolution step"
SEVERITY = Severity.ERROR
ADVICE = ("Mark the step where the customer's matter is really solved as a resolution, or add "
          "that step.")
OPTIONS: dict[str, Option] = {}


def check(context: RuleContext, options: Mapping[str, Any]) -> Iterator[Candidate]:
    """Yield one journey-level candidate when no step is a resolution.

    Reads the journey model only.
    """
    if not context.journey.resolutions:
        yield Candidate("The journey has no resolution step: no route can end with the matter "
                        "solved")
