"""What every rule module provides, and the context a rule checks.

A rule is a module with:

``CODE``, ``NAME``
    the stable code (``CX301``) and kebab-case name (``cold-handoff``);
``SUMMARY``
    one line naming the flagged pattern;
``SEVERITY``
    the default severity (the engine applies configuration on top);
``OPTIONS``
    option name -> :class:`Option` (type, default, meaning);
``ADVICE``
    one sentence for the client report: what to do about a finding;
``check(context, options)``
    a generator of :class:`~cx_audit.core.findings.Candidate`;

and a module docstring in fixed sections (``What it does``, ``Why it
matters``, ``Example``, ``Use instead``, ``Options``) that is the rule's
documentation: ``cx-audit explain`` prints it and docs/rules.md is built
from it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

from cx_audit.analysis.metrics import JourneyAnalysis
from cx_audit.analysis.view import JourneyView, journey_view
from cx_audit.core.findings import Candidate, Severity
from cx_audit.core.model import Journey
from cx_audit.io.loader import parse_duration

if TYPE_CHECKING:  # annotations only: every audit imports this module, few read a log
    from cx_audit.eventlog.observations import Observations

__all__ = ["DOC_SECTIONS", "Option", "Rule", "RuleContext"]

DOC_SECTIONS = ("What it does", "Why it matters", "Example", "Use instead", "Options")


@dataclass(frozen=True, slots=True)
class Option:
    """A rule option: its kind, default and meaning.

    ``kind`` is ``"int"``, ``"float"`` or ``"duration"`` (minutes, written as
    a number or as ``90s``/``4m``/``1.5h``/``2d``).
    """

    kind: str
    default: float | int
    help: str
    minimum: float = 0.0
    maximum: float = math.inf

    def parse(self, value: Any) -> float | int:
        """Check a configured value; raise ``ValueError`` with the reason."""
        if self.kind == "duration" and isinstance(value, str):
            minutes = parse_duration(value)
            if minutes is None:
                raise ValueError(f"'{value}' is not a duration such as 90s, 4m, 1.5h or 2d")
            value = minutes
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"must be a number, not {type(value).__name__}")
        if self.kind == "int" and not isinstance(value, int):
            raise ValueError("must be a whole number")
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("is out of range: it must be a finite number")
        if value < self.minimum or value > self.maximum:
            bounds = f"at least {self.minimum:g}"
            if math.isfinite(self.maximum):
                bounds = f"between {self.minimum:g} and {self.maximum:g}"
            raise ValueError(f"must be {bounds}")
        return int(value) if self.kind == "int" else float(value)


T = TypeVar("T")


class RuleContext:
    """Everything a rule may look at for one journey, computed once and shared.

    Rules read the journey's graph from one place, ``view``: the
    :class:`~cx_audit.analysis.view.JourneyView`, built once per journey.
    The structural helpers of :mod:`cx_audit.analysis` take it through
    :meth:`memo`; a rule that walks steps by id asks it for a step's
    ``successors`` and ``predecessors``.

    ``analysis`` (the Markov chain) is likewise computed only when a rule
    or a renderer reads it, so a run of structural rules never solves it.
    """

    def __init__(self, journey: Journey, view: JourneyView | None = None,
                 analysis: JourneyAnalysis | None = None,
                 observed: Observations | None = None) -> None:
        self.journey = journey
        self.view = view if view is not None else journey_view(journey)
        self.analysis = analysis if analysis is not None else JourneyAnalysis(journey, self.view)
        """The journey's metrics and per-step figures (solved when first read)."""
        self.observed = observed
        """What an event log shows of this journey (``cx-audit conform``), else ``None``."""
        self._memo: dict[Callable[[JourneyView], Any], Any] = {}

    def memo(self, function: Callable[[JourneyView], T]) -> T:
        """``function(view)``, computed once per journey and shared by every rule.

        Use it for the structural helpers of :mod:`cx_audit.analysis`
        (``context.memo(reachable_steps)``), which several rules need.
        """
        if function not in self._memo:
            self._memo[function] = function(self.view)
        result: T = self._memo[function]
        return result


CheckFunction = Callable[[RuleContext, Mapping[str, Any]], Iterator[Candidate]]


@dataclass(frozen=True)
class Rule:
    """A registered rule: the module's constants and its ``check`` function.

    ``advice`` (the module's ``ADVICE``) says in a client's words what to do
    about a finding of the rule, on one line; reports print it beside the finding.
    """

    code: str
    name: str
    summary: str
    severity: Severity
    options: Mapping[str, Option]
    check: CheckFunction
    doc: str
    advice: str

    @classmethod
    def from_module(cls, module: ModuleType) -> Rule:
        """Build a rule from its module, checking that nothing is missing."""
        return cls(
            code=module.CODE,
            name=module.NAME,
            summary=module.SUMMARY,
            severity=module.SEVERITY,
            options=dict(getattr(module, "OPTIONS", {})),
            check=module.check,
            doc=module.__doc__ or "",
            advice=module.ADVICE,
        )

    def sections(self) -> dict[str, str]:
        """The documentation's sections: heading -> text (``## Heading`` form)."""
        parts = re.split(r"^## (.+)$", self.doc, flags=re.MULTILINE)
        found = {}
        for heading, body in zip(parts[1::2], parts[2::2], strict=True):
            found[heading.strip()] = body.strip("\n").rstrip()
        return found
