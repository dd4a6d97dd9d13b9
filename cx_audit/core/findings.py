"""Findings: candidate combustion points, with the evidence a reviewer needs.

A rule yields :class:`Candidate` values (where, what, and the evidence);
the engine stamps each with the rule's code, name and configured severity,
turning it into a :class:`Finding`. Rules never choose their own severity.

These are records built by the hundred thousand in a large audit, so they
are plain slotted dataclasses rather than frozen ones (which cost about
three times as much to build), built by keyword. Treat them as read-only
(their mappings are typed so): derive a changed copy with
:func:`dataclasses.replace`. A finding names its step; the step's what-if
lives in the journey's analysis, computed only when a report shows it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from cx_audit.core.model import Location

__all__ = ["SEVERITY_ORDER", "Candidate", "Evidence", "Finding", "Severity"]


class Severity(StrEnum):
    """How serious a finding is, as configured; ``off`` disables a rule."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    OFF = "off"

    @property
    def rank(self) -> int:
        """Higher is more serious: error 3, warning 2, info 1, off 0."""
        return SEVERITY_ORDER[self]


SEVERITY_ORDER = {Severity.ERROR: 3, Severity.WARNING: 2, Severity.INFO: 1, Severity.OFF: 0}


@dataclass(slots=True)
class Evidence:
    """Why a finding was raised.

    ``metrics``: the figures that triggered it (name -> value);
    ``route``: a route from an entry to a resolution, as step ids;
    ``loop``: a loop, as step ids in order;
    ``notes``: the step's own ``evidence`` lines from the journey file.
    """

    metrics: Mapping[str, Any] = field(default_factory=dict)
    route: tuple[str, ...] = ()
    loop: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: every key present, empty when unused."""
        return {
            "metrics": dict(self.metrics),
            "route": list(self.route),
            "loop": list(self.loop),
            "notes": list(self.notes),
        }


@dataclass(slots=True)
class Candidate:
    """What a rule reports: a place, a message and evidence; no code, no severity.

    ``step`` is the step the finding is about (``None`` for the journey);
    ``location`` overrides where it sits (a transition's ``next`` entry);
    by default a step finding sits on the step's id and a journey finding on
    the first entry step.
    """

    message: str
    step: str | None = None
    location: Location | None = None
    metrics: Mapping[str, Any] | None = None
    route: tuple[str, ...] = ()
    loop: tuple[str, ...] = ()


@dataclass(slots=True, kw_only=True)
class Finding:
    """A candidate combustion point, stamped by the engine."""

    rule: str
    name: str
    severity: Severity
    journey: str
    file: str
    step: str | None
    location: Location
    message: str
    evidence: Evidence = field(default_factory=Evidence)

    @property
    def line(self) -> int:
        """1-based line of the finding."""
        return self.location.line

    @property
    def column(self) -> int:
        """1-based column of the finding."""
        return self.location.column

    @property
    def fingerprint(self) -> str:
        """A stable identity that survives lines moving: rule, journey, step and message."""
        key = "\x1f".join((self.rule, self.journey, self.step or "", self.message))
        return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """File, position, then rule code: the order findings are shown in."""
        location = self.location
        return (self.file, location.line, location.column, self.rule, self.message)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of a finding."""
        location = self.location
        return {
            "rule": self.rule,
            "name": self.name,
            "severity": str(self.severity),
            "step": self.step,
            "line": location.line,
            "column": location.column,
            "message": self.message,
            "evidence": self.evidence.to_dict(),
        }
