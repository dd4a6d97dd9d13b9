"""The terminal view: a summary table, findings per journey, and what to fix first.

Returns text (with ANSI styles only when colour is on); the CLI writes it.
Everything that comes from a journey file goes through
:func:`~cx_audit.text.safe.printable` into :class:`rich.text.Text`, so
labels are shown literally: no markup, no escape sequences.
"""

from __future__ import annotations

import io
import math
import textwrap
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from cx_audit.audit.engine import JourneyAudit
from cx_audit.audit.points import CombustionPoint, combustion_points, fix_first
from cx_audit.audit.run import AuditRun
from cx_audit.core.findings import Finding, Severity
from cx_audit.renderers.phrasing import effort_text
from cx_audit.text.formatting import human_duration, percent, plural
from cx_audit.text.safe import printable

__all__ = ["render_terminal"]

SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
FIX_FIRST_SHOWN = 5


def render_terminal(run: AuditRun[JourneyAudit], *, color: bool = False, width: int = 100) -> str:
    """The audit as terminal text, ``width`` columns wide."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=color, no_color=not color,
                      color_system="standard" if color else None, highlight=False,
                      emoji=False, markup=False, soft_wrap=False)
    # one line per problem or finding, never wrapped, so that editors and grep can use them
    for problem in sorted(run.problems):
        console.print(Text(printable(str(problem)), style="red"), soft_wrap=True)
    for missing in run.missing:
        console.print(Text(f"{printable(missing)}: no such file or folder", style="red"),
                      soft_wrap=True)
    if run.audits:
        console.print(_summary_table(run))
    for audit in run.audits:
        _journey_section(console, audit)
    console.print(_closing_line(run))
    return buffer.getvalue()


def _number(value: Any, digits: int = 2) -> str:
    """A figure of the summary table: ``None`` is no route (``-``), ``∞`` no limit."""
    if value is None:
        return "-"
    if isinstance(value, str):
        return "∞" if value == "unbounded" else value
    if isinstance(value, int):
        return str(value)
    return "∞" if math.isinf(value) else f"{value:.{digits}f}"


def _summary_table(run: AuditRun[JourneyAudit]) -> Table:
    table = Table(title="Journeys", title_justify="left", expand=False)
    table.add_column("journey", overflow="fold")
    table.add_column("shields\nbest/exp/worst", justify="right")
    table.add_column("resolved", justify="right")
    table.add_column("first time", justify="right")
    table.add_column("wait", justify="right")
    table.add_column("E", justify="right", style="red")
    table.add_column("W", justify="right", style="yellow")
    table.add_column("I", justify="right", style="cyan")
    for audit in run.audits:
        m = audit.analysis.metrics
        counts = {s: sum(1 for f in audit.findings if f.severity is s) for s in SEVERITY_STYLE}
        shields = (f"{_number(m.shields_min)}/{_number(m.shields_expected, 1)}"
                   f"/{_number(m.shields_max)}")
        table.add_row(
            Text(printable(audit.journey.id)),
            shields,
            percent(m.p_resolution),
            percent(m.p_first_time),
            "∞" if math.isinf(m.wait_expected) else human_duration(m.wait_expected),
            str(counts[Severity.ERROR]),
            str(counts[Severity.WARNING]),
            str(counts[Severity.INFO]),
        )
    return table


def _journey_section(console: Console, audit: JourneyAudit) -> None:
    """One journey's points, fixes, estimates to measure and findings, printed at once.

    The lines are laid out here (wrapped or cut to the width) and printed
    as one text: a print per line costs more than the audit itself.
    """
    if not audit.findings:
        return
    width = console.width
    header = Text()
    header.append(printable(audit.journey.file), style="bold")
    header.append(f"  {printable(audit.journey.title)}")
    lines = [Text(), header]
    points = combustion_points(audit)  # worked out once: the block and the fixes share them
    lines += _points_block(points, width)
    ranked = fix_first(points)[:FIX_FIRST_SHOWN]
    if ranked:
        lines.append(Text("  Fix first (each solved exactly on the journey):", style="bold"))
        for number, (point, lever) in enumerate(ranked, start=1):
            entry = Text(f"  {number:>2}. ")
            entry.append(lever.lever, style="bold")
            entry.append(f" at {printable(lever.step)} (point {point.rank})")
            lines.append(_fit(entry, width))
            lines += _wrapped(lever.description, width, indent=6)
    worded = audit.analysis.measure_first(MEASURE_FIRST_SHOWN)
    if worded:
        lines.append(Text("  Measure first (the estimates resolution rests on most):",
                          style="bold"))
        for number, text in enumerate(worded, start=1):
            lines += _wrapped(text, width, indent=6, prefix=f"{number}. ")
    lines.append(Text(f"  Findings ({len(audit.findings)}):", style="bold"))
    for finding in audit.findings:
        lines.append(_finding_line(finding))
        lines += [Text(f"        {line}", style="dim") for line in _evidence_lines(finding)]
    console.print(Text("\n").join(lines), soft_wrap=True)


POINTS_SHOWN = 5
"""Combustion points shown per journey at a terminal (JSON and the report have them all)."""

MEASURE_FIRST_SHOWN = 3
"""Estimates shown under "Measure first" at a terminal (the report shows five)."""

EVIDENCE_SHOWN = 3
"""Evidence lines shown under a point at a terminal (the report has them all)."""


def _fit(line: Text, width: int) -> Text:
    """``line`` cut to ``width`` columns with an ellipsis (a title stays on one line)."""
    line.truncate(width, overflow="ellipsis")
    return line


def _wrapped(text: str, width: int, *, indent: int, prefix: str = "") -> list[Text]:
    """Dim text wrapped to ``width`` columns under an entry."""
    lines = textwrap.wrap(printable(text), max(20, width - indent), initial_indent=prefix,
                          subsequent_indent=" " * len(prefix))
    return [Text(" " * indent + line, style="dim") for line in lines]


def _points_block(points: list[CombustionPoint], width: int) -> list[Text]:
    """The journey's top combustion points, before its findings: where to look first."""
    if not points:
        return [Text("  No combustion point above the noise floor: no place here loses "
                     "customers or adds effort", style="dim")]
    shown = points[:POINTS_SHOWN]
    more = f", {len(shown)} of {len(points)} shown" if len(points) > len(shown) else ""
    lines = [Text(f"  Combustion points (most customers lost first{more}):", style="bold")]
    for point in shown:
        entry = Text(f"  {point.rank:>2}. ")
        entry.append(printable(point.title), style="bold")
        lines.append(_fit(entry, width))
        figures = [printable(point.step)]
        if point.lost is not None and point.reach is not None:
            figures.append(f"loses {_per_thousand(point.lost)} in 1,000")
            figures.append(f"reaches {percent(point.reach)}")
        if point.within is not None:
            figures.append(f"inside point {point.within}")
        effort = effort_text(point.score) if point.score is not None else ""
        summary = ", ".join(figures) + (f"; {effort}" if effort else "")
        lines += _wrapped(summary + "; " + " ".join(point.codes), width, indent=6)
        for note in point.evidence[:EVIDENCE_SHOWN]:
            lines += _wrapped(note, width, indent=6, prefix="evidence: ")
        if len(point.evidence) > EVIDENCE_SHOWN:
            hidden = len(point.evidence) - EVIDENCE_SHOWN
            lines.append(Text(f"      (+{plural(hidden, 'evidence line')} in the report)",
                              style="dim"))
    return lines


def _per_thousand(share: float) -> str:
    """A share of customers as a count per 1,000, as a client reads it."""
    count = share * 1000
    return f"{count:,.0f}" if count >= 10 or count == 0 else f"{count:.1f}"


def _finding_line(finding: Finding) -> Text:
    line = Text(f"  {finding.line}:{finding.column}".ljust(10))
    line.append(f"{finding.severity.value:<8}", style=SEVERITY_STYLE.get(finding.severity, ""))
    line.append(f"{finding.rule}  ", style="bold")
    line.append(printable(finding.message))
    return line


def _evidence_lines(finding: Finding) -> list[str]:
    """The route and loop a finding names, as text.

    A step's own ``evidence`` lines are shown with its combustion point, not
    under one of its findings.
    """
    evidence = finding.evidence
    lines = []
    if evidence.route:
        lines.append("route: " + " -> ".join(printable(s) for s in evidence.route))
    if evidence.loop:
        lines.append("loop: " + " -> ".join(printable(s) for s in evidence.loop))
    return lines


def _closing_line(run: AuditRun[JourneyAudit]) -> Text:
    counts = run.counts()
    total = sum(counts.values())
    journeys = len(run.audits)
    text = Text()
    if run.problems or run.missing:
        text.append(f"{len(run.problems) + len(run.missing)} input problem(s). ", style="bold red")
    text.append(f"{plural(total, 'finding')} ({plural(counts['error'], 'error')}, "
                f"{plural(counts['warning'], 'warning')}, {counts['info']} info) in "
                f"{plural(journeys, 'journey')}.")
    return text
