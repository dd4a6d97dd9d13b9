"""The ``paths`` view: the most likely routes, with what each costs the customer."""

from __future__ import annotations

from collections.abc import Sequence

from cx_audit.analysis import Route
from cx_audit.core.model import Journey
from cx_audit.text.formatting import human_duration, percent
from cx_audit.text.safe import printable
from cx_audit.text.styled import wrap_words

__all__ = ["render_routes"]


def render_routes(journey: Journey, routes: Sequence[Route], *, width: int = 100) -> str:
    """Numbered routes, best first, each with its probability, shields, wait and retells.

    A route's steps wrap at ``width`` columns, under the first step.
    """
    lines = wrap_words(f"Most likely routes to a resolution in {printable(journey.id)}:"
                       .split(), width)
    if not routes:
        lines.append("  (no route reaches a resolution)")
    for number, route in enumerate(routes, start=1):
        head = f"{number:>3}. {_chance(route.probability):>6}  "
        # each figure stays whole on its line; two spaces between figures
        figures = [f"shields {route.shields} ", f"wait {human_duration(route.wait)} ",
                   f"retells {route.retells} ", f"handoffs {route.handoffs}"]
        wrapped = [line.rstrip() for line in wrap_words(figures, width - len(head))]
        lines += [head + wrapped[0], *(" " * len(head) + line for line in wrapped[1:])]
        steps = _shown_steps(route.steps)
        words = [f"{step} ->" for step in steps[:-1]] + steps[-1:]
        lines += ["      " + line for line in wrap_words(words, width - 6)]
    return "\n".join(lines) + "\n"


def _chance(probability: float) -> str:
    """A route's chance as a percentage; every route found has one, however small."""
    return percent(probability) if probability >= 0.0005 else "<0.1%"


STEPS_SHOWN = 40
"""Steps of a route shown at a terminal; a longer route shows its two ends (JSON has all)."""


def _shown_steps(steps: Sequence[str]) -> list[str]:
    """The route's steps, printable; past :data:`STEPS_SHOWN`, its ends around a count."""
    if len(steps) <= STEPS_SHOWN + 2:  # hiding fewer than three steps would save nothing
        return [printable(step) for step in steps]
    half = STEPS_SHOWN // 2
    hidden = len(steps) - 2 * half
    return [*(printable(step) for step in steps[:half]), f"({hidden:,} steps more)",
            *(printable(step) for step in steps[-half:])]
