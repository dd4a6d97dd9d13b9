"""Output formats: one module per format, each a function from an audit run to text.

Renderers never print or write files; the CLI does. ``RENDERERS`` is the
registry behind ``cx-audit audit --format``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cx_audit.renderers.github import render_github
from cx_audit.renderers.gitlab import render_gitlab
from cx_audit.renderers.json_report import render_json
from cx_audit.renderers.junit import render_junit
from cx_audit.renderers.markdown import render_markdown
from cx_audit.renderers.sarif import render_sarif
from cx_audit.renderers.terminal import render_terminal
from cx_audit.run import AuditRun

__all__ = ["RENDERERS", "Renderer"]

Renderer = Callable[..., str]

RENDERERS: dict[str, Callable[[AuditRun, Any], str]] = {
    "text": lambda run, options: render_terminal(run, **options),
    "json": lambda run, options: render_json(run),
    "sarif": lambda run, options: render_sarif(run),
    "github": lambda run, options: render_github(run),
    "junit": lambda run, options: render_junit(run),
    "gitlab": lambda run, options: render_gitlab(run),
    "markdown": lambda run, options: render_markdown(run),
}
"""Format name -> ``render(run, options)``; options carry terminal colour and width."""
