"""Terminal concerns of the command line: colour, width and the progress bar."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from enum import StrEnum

__all__ = ["ColorChoice", "progress_bar", "terminal_width", "use_color"]


class ColorChoice(StrEnum):
    """When to colour terminal output."""

    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


def use_color(choice: ColorChoice, stream: object) -> bool:
    """Colour for a terminal, unless NO_COLOR is set; FORCE_COLOR or --color always force it."""
    if choice is not ColorChoice.AUTO:
        return choice is ColorChoice.ALWAYS
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def terminal_width() -> int:
    return max(60, min(shutil.get_terminal_size((100, 24)).columns, 160))


def progress_bar() -> Callable[[int, int], None] | None:
    """A progress callback drawing on stderr when it is a terminal, else None."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        return None
    from rich.progress import Progress

    state: dict[str, object] = {}

    def advance(done: int, total: int) -> None:
        if total < 20:
            return
        if "bar" not in state:
            bar = Progress(transient=True, console=None)
            bar.start()
            state["bar"], state["task"] = bar, bar.add_task("Auditing", total=total)
        bar = state["bar"]
        bar.update(state["task"], completed=done)  # type: ignore[attr-defined]
        if done >= total:
            bar.stop()  # type: ignore[attr-defined]

    return advance
