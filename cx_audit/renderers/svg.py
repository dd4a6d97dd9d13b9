"""Inline SVG pictures for the HTML report: one record shape and a few drawing helpers.

A picture is a self-contained ``<svg>`` element (no scripts, no external
fonts or images), so that the report opens offline and prints. Every text
that comes from a journey goes through :func:`~cx_audit.renderers.escaping.html_text`.
"""

from __future__ import annotations

from dataclasses import dataclass

from cx_audit.renderers.escaping import html_text

__all__ = ["Figure", "svg_element", "svg_text"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Figure:
    """One picture of the report."""

    svg: str
    """The ``<svg>`` element, escaped and self-contained."""
    title: str
    """What it shows, in one line (plain text, escaped when written)."""
    note: str | None = None
    """What a reader should know about how it is drawn (e.g. "loops collapsed"), or ``None``."""
    width: float = 0.0
    height: float = 0.0
    """Its size in CSS pixels (its ``viewBox``)."""


def svg_text(x: float, y: float, text: str, *, css: str = "", anchor: str = "start") -> str:
    """A ``<text>`` element holding ``text`` literally."""
    klass = f' class="{html_text(css)}"' if css else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{klass}>'
            f"{html_text(text)}</text>")


def svg_element(width: float, height: float, body: str, *, label: str, css: str = "") -> str:
    """The outer ``<svg>`` of a picture, ``label`` as its accessible name."""
    klass = f' class="{html_text(css)}"' if css else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
            f'width="{width:.0f}" height="{height:.0f}" role="img" '
            f'aria-label="{html_text(label)}"{klass}>{body}</svg>')
