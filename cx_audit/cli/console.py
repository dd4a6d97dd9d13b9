"""Terminal concerns of the command line: colour, width and the progress bar."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from enum import StrEnum
from typing import Any

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


PROGRESS_FROM = 20
"""Fewer files than this are audited without a progress bar."""


def progress_bar() -> Callable[[int, int], None] | None:
    """A progress callback that draws on stderr when it is a terminal, else ``None``.

    The bar goes to stderr so that it never mixes with a report on stdout,
    and disappears when the audit is done; under CI (``CI`` set) or when
    stderr is not a terminal there is none.
    """
    if not sys.stderr.isatty() or os.environ.get("CI"):
        return None
    from rich.console import Console
    from rich.progress import Progress

    state: dict[str, Any] = {}

    def advance(done: int, total: int) -> None:
        if total < PROGRESS_FROM:
            return
        if "bar" not in state:
            bar = Progress(transient=True, console=Console(stderr=True))
            bar.start()
            state["bar"], state["task"] = bar, bar.add_task("Auditing", total=total)
        state["bar"].update(state["task"], completed=done)
        if done >= total:
            state["bar"].stop()

    return advance
