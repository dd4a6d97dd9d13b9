"""Output formats: one module per format, each a function from an audit run to text.

Renderers never print or write files; the CLI does. :data:`RENDERERS` is the
one table of formats, behind ``cx-audit audit --format``: format name -> the
module, the function that renders a run, and, for a format written journey
by journey, the function that turns each journey's audit into its part
(run right after the audit, in worker processes too: see
:func:`cx_audit.audit.run.run_audit`). Modules are imported only when their
format is used, so that ``--format json`` does not pay for rich or Markdown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only: the command line reads the table at start-up
    from cx_audit.audit.engine import JourneyAudit
    from cx_audit.audit.run import AuditRun

__all__ = ["RENDERERS", "Format", "keep_for", "render", "render_audits"]


@dataclass(frozen=True, slots=True)
class Format:
    """Where a format's renderer lives.

    ``function`` renders a whole run; ``keep``, when given, names the
    function that turns one journey's audit into what the run keeps of it
    for this format (its part of the output), and ``function`` then renders
    a run of such parts. Without ``keep`` the run keeps the audits.
    """

    module: str
    function: str
    keep: str | None = None


RENDERERS: dict[str, Format] = {
    "text": Format("cx_audit.renderers.terminal", "render_terminal"),
    "json": Format("cx_audit.renderers.json_report", "render_json", keep="journey_json"),
    "sarif": Format("cx_audit.renderers.sarif", "render_sarif"),
    "github": Format("cx_audit.renderers.github", "render_github"),
    "junit": Format("cx_audit.renderers.junit", "render_junit"),
    "gitlab": Format("cx_audit.renderers.gitlab", "render_gitlab"),
    "markdown": Format("cx_audit.renderers.markdown", "render_markdown"),
}
"""Format name -> where its renderer lives (each function takes the run and keyword options)."""


def keep_for(name: str) -> Callable[[JourneyAudit], Any]:
    """What a run audited for format ``name`` keeps of each journey (a module-level function)."""
    entry = RENDERERS[name]
    if entry.keep is None:
        from cx_audit.audit.run import keep_audit

        return keep_audit
    keep: Callable[[JourneyAudit], Any] = getattr(import_module(entry.module), entry.keep)
    return keep


def render(name: str, run: AuditRun[Any], **options: Any) -> str:
    """Render ``run``, audited with ``keep=keep_for(name)``, in format ``name``.

    ``options`` go to renderers that take them (text: colour and width).
    """
    entry = RENDERERS[name]
    renderer: Callable[..., str] = getattr(import_module(entry.module), entry.function)
    return renderer(run, **options)


def render_audits(name: str, run: AuditRun[JourneyAudit], **options: Any) -> str:
    """Render a run that kept the whole audits in format ``name``."""
    return render(name, run.map(keep_for(name)), **options)
