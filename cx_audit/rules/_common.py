"""Small helpers shared by several rules."""

from __future__ import annotations

from collections.abc import Iterable

from cx_audit.model import Actor, Journey, Step

__all__ = ["AUTOMATED_SHIELDS", "PEOPLE", "fmt_minutes", "fmt_share", "loop_entry", "quote_steps"]

AUTOMATED_SHIELDS = frozenset({"ivr", "menu", "bot", "deflection"})
"""Shield kinds that are machines, not people."""

PEOPLE = frozenset({Actor.FRONTLINE, Actor.BACKOFFICE})
"""Actors that are a person who can help."""


def is_person(step: Step) -> bool:
    """True when the customer deals with a frontline or back-office person here."""
    return step.actor in PEOPLE


def fmt_minutes(minutes: float) -> str:
    """A wait in the unit a reader expects: 45 s, 4.5 min, 2.5 h, 3 d."""
    if minutes < 1:
        return f"{minutes * 60:.0f} s"
    if minutes < 120:
        return f"{minutes:.3g} min"
    if minutes < 2880:
        return f"{minutes / 60:.3g} h"
    return f"{minutes / 1440:.3g} d"


def fmt_share(value: float) -> str:
    """A probability as a percentage with sensible precision."""
    shown = f"{value * 100:.1f}"
    return f"{shown.removesuffix('.0')}%"


def quote_steps(steps: Iterable[str]) -> str:
    """``'a' -> 'b' -> 'c'`` for messages."""
    return " -> ".join(f"'{s}'" for s in steps)


def loop_entry(journey: Journey, loop: tuple[str, ...], predecessors: dict[str, set[str]]) -> str:
    """The step a loop returns to: the first (in file order) entered from outside it.

    For a loop that nothing enters from outside (it holds the entry), its
    first step in file order.
    """
    members = set(loop)
    for step_id in journey.steps:
        if step_id in members and (
            journey.steps[step_id].kind.value == "entry"
            or any(p not in members for p in predecessors.get(step_id, ()))
        ):
            return step_id
    return loop[0]
