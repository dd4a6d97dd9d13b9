"""What an event log shows of a journey's steps: the object conformance rules read.

Rules find it as ``context.observed`` (see :func:`cx_audit.audit.conformance.conform`);
in an ordinary audit it is ``None`` and the conformance rules find nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cx_audit.core.errors import Problem

if TYPE_CHECKING:  # annotations only: every audit imports this module, few read a log
    from cx_audit.eventlog.mapping import LogMapping
    from cx_audit.eventlog.reader import LogStats

__all__ = ["Observations", "StepObservation", "observations_of", "observed_loop"]


def observations_of(context: Any) -> Observations | None:
    """The rule context's observations, or ``None`` in an ordinary audit."""
    observed = getattr(context, "observed", None)
    return observed if isinstance(observed, Observations) else None


@dataclass(frozen=True)
class StepObservation:
    """What the log shows of one step of the map.

    See :class:`~cx_audit.eventlog.reader.LabelStats`.

    ``wait`` is the median observed wait in minutes, ``None`` without samples.
    """

    visits: int
    cases: int
    revisit_cases: int
    starts: int
    ends: int
    wait: float | None
    wait_samples: int


@dataclass(frozen=True)
class Observations:
    """An event log counted at the level of one journey's steps.

    ``steps``: step id -> :class:`StepObservation` (steps never seen are
    absent); ``transitions``: (step, next step) -> times observed;
    ``unmatched``: activity -> events of activities that match no step;
    ``ignored``: events left out by the mapping's ``ignore``.
    """

    log: str
    cases: int
    events: int
    steps: Mapping[str, StepObservation]
    transitions: Mapping[tuple[str, str], int]
    unmatched: Mapping[str, int] = field(default_factory=dict)
    ignored: int = 0
    merge_repeats: bool = False
    activities: Mapping[str, str] = field(default_factory=dict)
    bad_rows: tuple[Problem, ...] = ()
    bad_row_count: int = 0

    def step(self, step_id: str) -> StepObservation | None:
        """The observation of a step, or ``None`` when the log never shows it."""
        return self.steps.get(step_id)

    def targets(self, step_id: str) -> dict[str, int]:
        """Next step -> times observed, for the transitions out of ``step_id``."""
        return {b: n for (a, b), n in self.transitions.items() if a == step_id}

    def departures(self, step_id: str) -> int:
        """How often customers left the step: transitions out of it plus cases ending there."""
        seen = self.steps.get(step_id)
        return sum(self.targets(step_id).values()) + (seen.ends if seen else 0)

    @classmethod
    def from_stats(cls, stats: LogStats, mapping: LogMapping,
                   activities: Mapping[str, str] | None = None) -> Observations:
        """Observations from tallies whose labels are step ids."""
        steps = {label: StepObservation(s.visits, s.cases, s.revisit_cases, s.starts, s.ends,
                                        s.wait, s.wait_samples)
                 for label, s in stats.labels.items()}
        ignored = sum(n for a, n in stats.skipped.items() if mapping.is_ignored(a))
        unmatched = {a: n for a, n in stats.skipped.items() if not mapping.is_ignored(a)}
        return cls(log=stats.file, cases=stats.cases, events=stats.events, steps=steps,
                   transitions=dict(stats.pairs), unmatched=unmatched, ignored=ignored,
                   merge_repeats=mapping.merge_repeats, activities=dict(activities or {}),
                   bad_rows=stats.bad_rows, bad_row_count=stats.bad_row_count)


def observed_loop(observations: Observations, step_id: str) -> tuple[str, ...]:
    """The most travelled of the shortest observed walks from ``step_id`` back to itself.

    Among the loops with the fewest transitions, the one whose rarest
    transition is the most frequent (ties: by step id). Returned as step
    ids, starting and ending at ``step_id``; ``()`` when the log shows no
    way back.
    """
    successors: dict[str, list[tuple[str, int]]] = {}
    for (a, b), n in observations.transitions.items():
        successors.setdefault(a, []).append((b, n))
    if step_id in dict(successors.get(step_id, ())):
        return (step_id, step_id)
    # breadth-first layers, keeping for each step the widest shortest walk to it
    width: dict[str, int] = {step_id: 1 << 62}
    parent: dict[str, str] = {}
    layer = [step_id]
    while layer:
        closing = [(min(width[u], n), u) for u in layer
                   for v, n in successors.get(u, ()) if v == step_id and u != step_id]
        if closing:
            _best, last = max(closing, key=lambda item: (item[0], _desc(item[1])))
            walk = [last]
            while walk[-1] != step_id:
                walk.append(parent[walk[-1]])
            return (*reversed(walk), step_id)
        following: dict[str, tuple[int, str]] = {}
        for u in sorted(layer):
            for v, n in successors.get(u, ()):
                if v in width:
                    continue
                candidate = (min(width[u], n), u)
                if v not in following or candidate[0] > following[v][0]:
                    following[v] = candidate
        for v, (w, u) in following.items():
            width[v] = w
            parent[v] = u
        layer = sorted(following)
    return ()


def _desc(text: str) -> tuple[int, ...]:
    return tuple(-ord(ch) for ch in text)
