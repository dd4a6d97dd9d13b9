"""The ``paths`` view: the most likely routes, with what each costs the customer."""

from __future__ import annotations

from collections.abc import Sequence

from cx_audit.analysis import Route
from cx_audit.core.model import Journey
from cx_audit.text.formatting import human_duration, percent
from cx_audit.text.safe import printable

__all__ = ["render_routes"]


def render_routes(journey: Journey, routes: Sequence[Route]) -> str:
    """Numbered routes, best first, each with its probability, shields, wait and retells."""
    lines = [f"Most likely routes to a resolution in {printable(journey.id)}:"]
    if not routes:
        lines.append("  (no route reaches a resolution)")
    for number, route in enumerate(routes, start=1):
        lines.append(
            f"{number:>3}. {percent(route.probability):>6}  shields {route.shields}  "
            f"wait {human_duration(route.wait)}  retells {route.retells}  "
            f"handoffs {route.handoffs}")
        lines.append("      " + " -> ".join(printable(s) for s in route.steps))
    return "\n".join(lines) + "\n"
