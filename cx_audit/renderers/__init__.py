"""Output formats: one module per format, each a function from an audit run to text.

Renderers never print or write files; the CLI does. ``RENDERERS`` is the
registry behind ``cx-audit audit --format``: format name -> the module and
function that render it. Modules are imported only when their format is
used, so that ``--format json`` does not pay for rich or Markdown.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cx_audit.audit.run import AuditRun, PartRenderer

__all__ = ["PARTS", "RENDERERS", "part_renderer", "render"]

RENDERERS: dict[str, tuple[str, str]] = {
    "text": ("cx_audit.renderers.terminal", "render_terminal"),
    "json": ("cx_audit.renderers.json_report", "render_json"),
    "sarif": ("cx_audit.renderers.sarif", "render_sarif"),
    "github": ("cx_audit.renderers.github", "render_github"),
    "junit": ("cx_audit.renderers.junit", "render_junit"),
    "gitlab": ("cx_audit.renderers.gitlab", "render_gitlab"),
    "markdown": ("cx_audit.renderers.markdown", "render_markdown"),
}
"""Format name -> (module, function); each function takes the run (and keyword options)."""


PARTS: dict[str, tuple[str, str]] = {
    "json": ("cx_audit.renderers.json_report", "render_journey_json"),
}
"""Formats whose output is a frame around one part per journey -> (module, function)
rendering a part. Such parts can be rendered as each journey is audited (in
worker processes, too), so that a run keeps text rather than objects."""


def part_renderer(name: str) -> PartRenderer | None:
    """The function rendering one journey's part of format ``name``, if it has parts."""
    if name not in PARTS:
        return None
    module, function = PARTS[name]
    renderer: PartRenderer = getattr(import_module(module), function)
    return renderer


def render(name: str, run: AuditRun, **options: Any) -> str:
    """Render ``run`` in format ``name``; ``options`` go to renderers that take them (text)."""
    if run.rendered and name not in PARTS:
        raise ValueError(f"this run holds journeys already rendered; {name} needs the audits")
    module, function = RENDERERS[name]
    renderer: Callable[..., str] = getattr(import_module(module), function)
    return renderer(run, **options)
