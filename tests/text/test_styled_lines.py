"""Styled terminal lines: cut, padded and coloured as the terminal view needs."""

from __future__ import annotations

import pytest

from cx_audit.text.styled import Line, cells, render_lines


def test_a_line_is_plain_text_without_colour_and_ansi_runs_with_it() -> None:
    line = Line("file.yaml", style="bold").append("  title").append(" E", style="red")
    assert line.render(False) == "file.yaml  title E"
    # the line's bold lies under every run; runs of one style share one escape
    assert line.render(True) == "\x1b[1mfile.yaml  title\x1b[0m\x1b[1;31m E\x1b[0m"
    assert render_lines([Line("a"), Line("b", style="dim")], True) == "a\n\x1b[2mb\x1b[0m\n"


def test_a_line_too_wide_ends_in_an_ellipsis_within_the_width() -> None:
    line = Line("  12:3    ").append("error   ", style="bold red").append("a long message")
    cut = line.copy().truncate(20)
    assert cut.plain == "  12:3    error   a…" and cut.cell_len == 20
    assert line.plain.endswith("message")  # the copy was cut, not the line
    assert Line("short").truncate(8, pad=True).plain == "short   "
    assert Line("exactly8").truncate(8).plain == "exactly8"


def test_wide_characters_count_two_cells() -> None:
    assert cells("日本") == 4 and cells("abc") == 3
    cut = Line("日本語のテキスト").truncate(7)
    assert cut.cell_len <= 7 and cut.plain.endswith("…")


def test_trailing_spaces_go_and_unknown_styles_are_refused() -> None:
    assert Line("a").append("   ", style="bold").rstrip().plain == "a"
    with pytest.raises(ValueError, match="unknown terminal style"):
        Line("x", style="blink").render(True)
