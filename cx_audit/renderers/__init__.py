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
    """Where a format's renderer lives, and what a run keeps for it.

    ``function`` (in ``module``) renders a run. ``keep`` is the dotted name
    of the function that turns one journey's audit into what the run keeps
    of it for this format, right after the audit: the audit itself, without
    solving anything (the default, for formats that show only findings), with
    its figures solved (``cx_audit.audit.run.keep_analysed``), or the
    journey's part of the output. ``workers``: what is kept is small enough
    (text) to send back from worker processes; whole audits are not, as
    sending them back costs more than auditing them.
    """

    module: str
    function: str
    keep: str = "cx_audit.audit.run.keep_audit"
    workers: bool = False


ANALYSED = "cx_audit.audit.run.keep_analysed"

RENDERERS: dict[str, Format] = {
    "text": Format("cx_audit.renderers.terminal", "render_terminal", keep=ANALYSED),
    "json": Format("cx_audit.renderers.json_report", "render_json",
                   keep="cx_audit.renderers.json_report.journey_json", workers=True),
    "sarif": Format("cx_audit.renderers.sarif", "render_sarif", keep=ANALYSED),
    "github": Format("cx_audit.renderers.github", "render_github"),
    "junit": Format("cx_audit.renderers.junit", "render_junit"),
    "gitlab": Format("cx_audit.renderers.gitlab", "render_gitlab"),
    "markdown": Format("cx_audit.renderers.markdown", "render_markdown", keep=ANALYSED),
    "html": Format("cx_audit.renderers.html_report", "render_html",
                   keep="cx_audit.renderers.html_report.html_part"),
}
"""Format name -> where its renderer lives (each function takes the run and keyword options)."""


def keep_for(name: str) -> Callable[[JourneyAudit], Any]:
    """What a run audited for format ``name`` keeps of each journey (a module-level function)."""
    module, _, function = RENDERERS[name].keep.rpartition(".")
    keep: Callable[[JourneyAudit], Any] = getattr(import_module(module), function)
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
