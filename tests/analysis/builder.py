"""Build Journey objects directly, without the loader, for the analysis tests.

``make_journey({"call": {"kind": "entry", "next": ["agent"]}, ...})``

A step is a dict with the optional keys ``kind`` (default ``"step"``),
``shield``, ``wait`` (minutes), ``abandon``, ``share``, ``staffing``
(``(arrivals_per_hour, handle_minutes, agents)``) and ``next``: a list whose
items are a target id, a tuple ``(to, p)`` / ``(to, p, handoff)`` (``p`` may
be ``None``), or a dict with ``to``, ``p``, ``handoff``. Probabilities and
entry shares are resolved as the format says: what is not given is split
evenly among the items without a value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cx_audit.core.model import Handoff, Journey, Location, Staffing, Step, StepKind, Transition

__all__ = ["make_journey"]


def _items(raw: list[Any]) -> list[tuple[str, float | None, Handoff | None]]:
    items = []
    for item in raw:
        if isinstance(item, str):
            items.append((item, None, None))
        elif isinstance(item, dict):
            handoff = item.get("handoff")
            items.append((item["to"], item.get("p"), Handoff(handoff) if handoff else None))
        else:
            to, p, *rest = item
            handoff = rest[0] if rest else None
            items.append((to, p, Handoff(handoff) if handoff else None))
    return items


def make_journey(steps: Mapping[str, Mapping[str, Any]], journey_id: str = "test",
                 file: str = "<test>") -> Journey:
    """Return a Journey with the given steps, in the given order."""
    built: dict[str, Step] = {}
    for line, (step_id, spec) in enumerate(steps.items(), start=1):
        location = Location(file, line, 3)
        items = _items(list(spec.get("next", ())))
        given = sum(p for _, p, _ in items if p is not None)
        missing = [i for i, (_, p, _) in enumerate(items) if p is None]
        rest = max(0.0, 1.0 - given) / len(missing) if missing else 0.0
        transitions = tuple(
            Transition(
                source=step_id,
                target=to,
                probability=p if p is not None else rest,
                p_given=p,
                handoff=handoff,
                label=None,
                location=location,
                target_location=location,
            )
            for to, p, handoff in items
        )
        staffing = spec.get("staffing")
        built[step_id] = Step(
            id=step_id,
            kind=StepKind(spec.get("kind", "step")),
            label=step_id,
            location=location,
            shield=spec.get("shield"),
            wait=spec.get("wait"),
            abandon=spec.get("abandon", 0.0),
            share=spec.get("share"),
            staffing=None if staffing is None else Staffing(*staffing, location=location),
            next=transitions,
            owner=spec.get("owner"),
        )
    entries = [s for s in built.values() if s.kind is StepKind.ENTRY]
    given = sum(s.share for s in entries if s.share is not None)
    without = [s for s in entries if s.share is None]
    rest = max(0.0, 1.0 - given) / len(without) if without else 0.0
    shares = {s.id: s.share if s.share is not None else rest for s in entries}
    return Journey(
        id=journey_id,
        file=file,
        location=Location(file, 1, 1),
        steps=built,
        entry_shares=shares,
        title=journey_id,
    )
