"""Terminal lines with styles: laid out by the caller, written as plain text or ANSI.

The terminal view lays out every line itself (it wraps and cuts to the
width), so all that is left to do is to colour runs of text. A general
console library renders each line through its own layout engine, which
cost about 100 microseconds a line: more than the audit itself on a
journey of 100,000 steps. Here a line is a list of runs, and writing it
is one string join.

Only the styles the views use are known: ``bold``, ``dim``, ``red``,
``yellow``, ``cyan``, combined with spaces (``"bold red"``). A line's own
style applies under the style of each run, as attributes add up and a
run's colour wins. Text must already be printable
(:func:`cx_audit.text.safe.printable`): no control characters are removed
here.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from rich.cells import cell_len, chop_cells, set_cell_size

__all__ = ["Line", "cells", "render_lines", "wrap_words"]

_ATTRIBUTES = {"bold": 1, "dim": 2}
_COLOURS = {"red": 31, "yellow": 33, "cyan": 36}


def cells(text: str) -> int:
    """Terminal cells ``text`` takes: its length when ASCII (the usual case, and cheap)."""
    return len(text) if text.isascii() else cell_len(text)


@cache
def _codes(style: str) -> str:
    """The SGR parameters of ``style`` (attributes first, then the colour), e.g. ``"1;31"``."""
    attributes: set[int] = set()
    colour = None
    for word in style.split():
        if word in _ATTRIBUTES:
            attributes.add(_ATTRIBUTES[word])
        elif word in _COLOURS:
            colour = _COLOURS[word]
        else:
            raise ValueError(f"unknown terminal style {word!r}")
    codes = sorted(attributes) + ([colour] if colour is not None else [])
    return ";".join(str(code) for code in codes)


class Line:
    """One line of a terminal view: runs of text, each with a style (``""`` for none)."""

    __slots__ = ("runs", "style")

    def __init__(self, text: str = "", style: str = "") -> None:
        self.style = style
        """Applies under every run, as the line's base style."""
        self.runs: list[tuple[str, str]] = [(text, "")] if text else []

    def append(self, text: str, style: str = "") -> Line:
        """Add ``text`` at the end in ``style`` (over the line's own); returns the line."""
        if text:
            self.runs.append((text, style))
        return self

    def copy(self) -> Line:
        """A line with the same runs, to append to without changing this one."""
        line = Line(style=self.style)
        line.runs = list(self.runs)
        return line

    @property
    def plain(self) -> str:
        """The text without styles."""
        return "".join(text for text, _ in self.runs)

    @property
    def cell_len(self) -> int:
        """Terminal cells the line takes (a wide character counts two)."""
        return sum(cells(text) for text, _ in self.runs)

    def truncate(self, width: int, *, pad: bool = False) -> Line:
        """Cut to ``width`` cells, ending in an ellipsis when cut; padded to it with ``pad``."""
        used = self.cell_len
        if used > width:
            room = max(0, width - 1)
            kept: list[tuple[str, str]] = []
            for text, style in self.runs:
                size = cells(text)
                if size < room:
                    kept.append((text, style))
                    room -= size
                    continue
                kept.append((set_cell_size(text, room) + "…", style))
                break
            self.runs = kept
        elif pad and used < width:
            self.runs.append((" " * (width - used), ""))
        return self

    def rstrip(self) -> Line:
        """Remove the spaces at the end of the line."""
        while self.runs:
            text, style = self.runs[-1]
            stripped = text.rstrip()
            if stripped:
                self.runs[-1] = (stripped, style)
                break
            self.runs.pop()
        return self

    def render(self, color: bool) -> str:
        """The line as text, with ANSI styles when ``color``."""
        if not color:
            return self.plain
        parts = []
        open_codes = ""
        for text, style in self.runs:
            codes = _codes(f"{self.style} {style}")
            if codes != open_codes:
                if open_codes:
                    parts.append("\x1b[0m")
                if codes:
                    parts.append(f"\x1b[{codes}m")
                open_codes = codes
            parts.append(text)
        if open_codes:
            parts.append("\x1b[0m")
        return "".join(parts)


def render_lines(lines: Iterable[Line], color: bool) -> str:
    """``lines`` as text, each ended by a newline."""
    return "".join(line.render(color) + "\n" for line in lines)


def wrap_words(words: list[str], width: int) -> list[str]:
    """``words`` joined by spaces into lines of at most ``width`` cells (wide characters count two).

    A word is never split unless it is wider than a whole line by itself.
    Unlike :func:`textwrap.wrap`, a word is not broken at a hyphen (step ids
    must stay whole to be found) and widths are terminal cells, not characters.
    """
    width = max(1, width)
    joined = " ".join(words)
    if cells(joined) <= width:  # most messages: one line
        return [joined]
    lines: list[str] = []
    line: list[str] = []
    used = 0
    for word in words:
        size = cells(word)
        if line and used + 1 + size > width:
            lines.append(" ".join(line))
            line, used = [], 0
        rest = word
        if size > width:
            *whole, rest = chop_cells(word, width)
            lines += whole
            size = cells(rest)
        used += size + (1 if line else 0)
        line.append(rest)
    lines.append(" ".join(line))
    return lines
