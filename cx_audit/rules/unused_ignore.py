"""## What it does
Reports a step's `ignore` entry that silences nothing: the rule it names
found nothing on that step, or no rule has that code or name. Entries for
rules switched off by configuration are not reported.

## Why it matters
Suppressions outlive the problems they were written for. An unused one
hides the next real finding of that rule on the step, and its reason no
longer describes the journey. Ruff reports unused `noqa` comments for the
same reason.

## Example
```yaml
  agent:
    wait: 2m
    ignore: {CX502: "peak-season wait"}     # the wait is no longer long
```

## Use instead
```yaml
  agent:
    wait: 2m
```

## Options
None.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cx_audit.core.findings import Candidate, Severity
from cx_audit.rules.base import Option, RuleContext

CODE = "CX901"
NAME = "unused-ignore"
SUMMARY = "A suppression that silences nothing"
SEVERITY = Severity.INFO
ADVICE = "Remove the suppression, or point it at the rule it was meant for."
OPTIONS: dict[str, Option] = {}


def check(context: RuleContext, options: Mapping[str, Any]) -> Iterator[Candidate]:
    """Raised by the engine, which knows what was suppressed: yields nothing.

    Reads the journey model only.
    """
    yield from ()
