"""The journey domain model: immutable values produced by the loader.

Every analysis, rule and renderer works on these types (and on the views of
the graph built from them in :mod:`cx_audit.analysis`). They are frozen, and
their mappings typed read-only, so that a journey can be shared between
analyses without anyone changing it behind another's back; every value that
came from a file keeps its :class:`Location` so findings can point at the
exact line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = [
    "FORMAT_VERSION",
    "SLUG_PATTERN",
    "Actor",
    "Handoff",
    "Journey",
    "Location",
    "Staffing",
    "Step",
    "StepKind",
    "Suppression",
    "Transition",
]

FORMAT_VERSION = 1
"""The journey format version this package reads."""

SLUG_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
"""Journey and step ids: lower-case letters, digits, ``_`` and ``-``."""


class StepKind(StrEnum):
    """What role a step plays in the journey."""

    ENTRY = "entry"
    STEP = "step"
    RESOLUTION = "resolution"
    ABANDON = "abandon"

    @property
    def is_terminal(self) -> bool:
        """Resolution and abandon steps end the walk: they have no ``next``."""
        return self in _TERMINAL_KINDS


_TERMINAL_KINDS = frozenset({StepKind.RESOLUTION, StepKind.ABANDON})


class Actor(StrEnum):
    """Who the customer deals with at a step."""

    CUSTOMER = "customer"
    FRONTLINE = "frontline"
    BACKOFFICE = "backoffice"
    SYSTEM = "system"
    BOT = "bot"
    PARTNER = "partner"


class Handoff(StrEnum):
    """How a transition hands the customer to another person or team."""

    WARM = "warm"
    COLD = "cold"


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A 1-based position in a source file."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Staffing:
    """Queue staffing for the Erlang C estimate of the wait.

    ``arrivals_per_hour`` customers arrive per hour, each takes
    ``handle_minutes`` of an agent's time, and ``agents`` serve the queue.
    """

    arrivals_per_hour: float
    handle_minutes: float
    agents: int
    location: Location

    @property
    def load(self) -> float:
        """Offered load in Erlangs: arrivals per minute times handle minutes."""
        return self.arrivals_per_hour / 60.0 * self.handle_minutes


@dataclass(frozen=True, slots=True)
class Suppression:
    """A step's ``ignore`` entry: silence ``rule`` (a code or name) for ``reason``."""

    rule: str
    reason: str
    location: Location


@dataclass(frozen=True, slots=True)
class Transition:
    """One ``next`` entry: the customer may go from ``source`` to ``target``.

    ``p_given`` is the probability written in the file (``None`` when absent);
    ``probability`` is the resolved share among the step's transitions after
    the even split of what was not given. It applies to the customers who did
    not abandon at the source step, so the chance of taking this transition
    from the source is ``(1 - source.abandon) * probability``.
    """

    source: str
    target: str
    probability: float
    p_given: float | None
    handoff: Handoff | None
    label: str | None
    location: Location
    target_location: Location


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """One step of a journey, with every field of the format resolved.

    ``owner`` is already resolved against the journey's default owner.
    ``wait`` is in minutes, ``None`` when the file gives none (a queue with
    ``staffing`` then gets its wait from Erlang C in the analysis).
    ``share`` is the entry share as written; the resolved shares of all
    entries are in :attr:`Journey.entry_shares`. ``silent`` marks a routing
    point that an event log never shows (a start or end event, a gateway, a
    generated end); ``parallel`` a silent step whose ways are all taken at
    once (a parallel split), which conformance reads in any order.
    """

    id: str
    kind: StepKind
    label: str
    location: Location
    channel: str | None = None
    actor: Actor | None = None
    owner: str | None = None
    shield: str | None = None
    wait: float | None = None
    abandon: float = 0.0
    emotion: float | None = None
    can_resolve: bool | None = None
    share: float | None = None
    staffing: Staffing | None = None
    next: tuple[Transition, ...] = ()
    evidence: tuple[str, ...] = ()
    suppressions: tuple[Suppression, ...] = ()
    notes: str | None = None
    tags: tuple[str, ...] = ()
    extensions: Mapping[str, Any] = field(default_factory=dict)
    silent: bool = False
    parallel: bool = False

    @property
    def is_shield(self) -> bool:
        """True when the step is a shield layer (any non-empty ``shield`` kind)."""
        return bool(self.shield)

    @property
    def is_terminal(self) -> bool:
        """True for resolution and abandon steps."""
        return self.kind in _TERMINAL_KINDS

    @property
    def channel_key(self) -> str | None:
        """The channel as compared: lower-case, or ``None``."""
        return self.channel.lower() if self.channel else None


@dataclass(frozen=True, slots=True)
class Journey:
    """A whole journey file, resolved and validated.

    ``steps`` keeps the file's narrative order. ``entry_shares`` maps every
    entry step id to the share of customers who start there; the shares sum
    to 1 unless an explicit ``share`` leaves customers nowhere (the remainder
    is then reported by a rule, not invented here).
    """

    id: str
    file: str
    location: Location
    steps: Mapping[str, Step]
    entry_shares: Mapping[str, float]
    title: str
    persona: str | None = None
    owner: str | None = None
    version: int = FORMAT_VERSION
    extensions: Mapping[str, Any] = field(default_factory=dict)
    replaces: str | None = None
    """The id of the journey this one redesigns (its as-is version), from ``replaces:``;
    ``cx-audit compare`` and ``diff`` pair the two by it."""

    @property
    def entries(self) -> tuple[Step, ...]:
        """Entry steps, in file order."""
        return tuple(s for s in self.steps.values() if s.kind is StepKind.ENTRY)

    @property
    def resolutions(self) -> tuple[Step, ...]:
        """Resolution steps, in file order."""
        return tuple(s for s in self.steps.values() if s.kind is StepKind.RESOLUTION)

    @property
    def transitions(self) -> tuple[Transition, ...]:
        """Every transition, in file order."""
        return tuple(t for s in self.steps.values() for t in s.next)

    @property
    def first_entry_location(self) -> Location:
        """Where journey-level findings sit: the first entry's line, else line 1."""
        for step in self.steps.values():
            if step.kind is StepKind.ENTRY:
                return step.location
        return Location(self.file, 1, 1)
