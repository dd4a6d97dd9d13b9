"""## What it does
Reports that a rule raised an error while checking a journey. The audit
goes on with the other rules; the journey's findings for the failed rule
are missing, and this finding says so.

## Why it matters
A crash in one check must neither abort the audit nor pass silently: a
journey that was not fully checked should not look clean in CI.

## Example
Any journey, when a rule has a defect.

## Use instead
Report the message with the journey that triggers it; in the meantime the
failing rule can be switched off in the configuration.

## Options
None.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cx_audit.core.findings import Candidate, Severity
from cx_audit.rules.base import Option, RuleContext

CODE = "CX900"
NAME = "rule-failed"
SUMMARY = "A rule failed while checking the journey"
SEVERITY = Severity.ERROR
ADVICE = ("Report the failure with the journey that triggers it; the rule can be switched off "
          "meanwhile.")
OPTIONS: dict[str, Option] = {}


def check(context: RuleContext, options: Mapping[str, Any]) -> Iterator[Candidate]:
    """Raised by the engine itself, never by checking: yields nothing.

    Reads the journey model only.
    """
    yield from ()
