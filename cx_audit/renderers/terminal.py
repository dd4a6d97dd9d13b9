"""The terminal view: a summary table, findings per journey, and what to fix first.

Returns text (with ANSI styles only when colour is on); the CLI writes it.
Everything that comes from a journey file goes through
:func:`~cx_audit.text.safe.printable` into a :class:`~cx_audit.text.styled.Line`,
so labels are shown literally: no markup, no escape sequences.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cx_audit.audit.engine import JourneyAudit
from cx_audit.audit.points import CombustionPoint, combustion_points, fix_first
from cx_audit.audit.run import AuditRun
from cx_audit.core.findings import Finding, Severity
from cx_audit.renderers.phrasing import effort_text, lever_gist
from cx_audit.renderers.report_content import top_points
from cx_audit.text.formatting import human_duration, per_thousand, percent, plural
from cx_audit.text.safe import printable, printable_path, printable_problem
from cx_audit.text.styled import Line, cells, render_lines, wrap_words

__all__ = ["render_terminal"]

SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
FIX_FIRST_SHOWN = 5


def render_terminal(run: AuditRun[JourneyAudit], *, color: bool = False, width: int = 100) -> str:
    """The audit as terminal text, no line wider than ``width`` columns.

    Input problems are the exception: one line each, never wrapped, so that
    editors and grep can use them as they do a compiler's messages.
    """
    lines = [Line(printable_problem(problem.file, problem.line, problem.column, problem.message),
                  style="red") for problem in sorted(run.problems)]
    lines += [Line(f"{printable_path(missing)}: no such file or folder", style="red")
              for missing in run.missing]
    points = [combustion_points(audit) if audit.findings else [] for audit in run.audits]
    if run.audits:
        lines += _summary_lines(run, width)
        lines += _places_that_matter(run.audits, points, width)
    for audit, listed in zip(run.audits, points):
        lines += _journey_section(audit, listed, width)
    lines += _closing_lines(run, width)
    return render_lines(lines, color)


def _number(value: Any, digits: int = 2) -> str:
    """A figure of the summary table: ``None`` is no route (``-``), ``∞`` no limit."""
    if value is None:
        return "-"
    if isinstance(value, str):
        return "∞" if value == "unbounded" else value
    if isinstance(value, int):
        return str(value)
    return "∞" if math.isinf(value) else f"{value:.{digits}f}"


@dataclass(frozen=True, slots=True)
class _Column:
    """A figure column of the summary table: its header on one line or stacked on two."""

    header: str
    stacked: tuple[str, str]
    style: str = ""


SUMMARY_COLUMNS = (
    _Column("shields", ("", "shields")),
    _Column("resolved", ("", "resolved")),
    _Column("gave up", ("gave", "up")),
    _Column("first time", ("first", "time")),
    _Column("wait", ("", "wait")),
    _Column("E", ("", "E"), "red"),
    _Column("W", ("", "W"), "yellow"),
    _Column("I", ("", "I"), "cyan"),
)
"""The figures beside each journey id, in order (the legend says what they mean)."""

GAP = "  "
"""Between two columns of the summary table."""

LEGEND_WIDTH = 60
"""The legend under a narrower table is still wrapped this wide (when the console is)."""

MIN_ID_WIDTH = 16
"""The narrowest journey column: below it the summary is a list, not a table."""

LEGEND = (
    ("shields", "shield layers on the best route / on average / on the worst"),
    ("gave up", "customers who abandon"),
    ("first time", "resolved with no handoff"),
    ("wait", "expected, per customer"),
    ("E/W/I", "errors/warnings/info"),
    ("∞", "no limit (a loop on a route)"),
    ("-", "no route"),
)
"""What the summary's abbreviations and signs mean, printed under it."""


def _legend_words() -> list[str]:
    """The legend as units to wrap; a sign stays on the line of its meaning's first word."""
    words = []
    for sign, meaning in LEGEND:
        first, *rest = meaning.split()
        words += [f"{sign}: {first}", *rest]
        words[-1] += ";"
    words[-1] = words[-1].removesuffix(";") + "."
    return words


def _figures(audit: JourneyAudit) -> list[str]:
    """A journey's figures in the order of :data:`SUMMARY_COLUMNS`."""
    m = audit.analysis.metrics
    counts = {s: sum(1 for f in audit.findings if f.severity is s) for s in SEVERITY_STYLE}
    return [
        f"{_number(m.shields_min)}/{_number(m.shields_expected, 1)}/{_number(m.shields_max)}",
        percent(m.p_resolution),
        percent(m.p_abandon),
        percent(m.p_first_time),
        "∞" if math.isinf(m.wait_expected) else human_duration(m.wait_expected),
        *(str(counts[s]) for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)),
    ]


def _summary_lines(run: AuditRun[JourneyAudit], width: int) -> list[Line]:
    """The summary of every journey, its legend and its notes, within ``width`` columns.

    A table whose headers fit on one line when the ids fit beside them, else
    with two-line headers; ids too long for their column end in an ellipsis.
    Where even a column of :data:`MIN_ID_WIDTH` does not fit, a list.
    """
    rows = [(printable(a.journey.id), _figures(a)) for a in run.audits]
    longest = max([cells("journey"), *(cells(i) for i, _ in rows)])
    lines = [Line("Journeys", style="bold")]
    layouts = [(stacked, _column_widths(rows, stacked)) for stacked in (False, True)]
    room = {stacked: width - sum(cells(GAP) + w for w in widths)
            for stacked, widths in layouts}
    if longest <= room[False]:
        lines += _table(rows, longest, layouts[0][1], stacked=False)
    elif min(longest, room[True]) >= MIN_ID_WIDTH:
        lines += _table(rows, min(longest, room[True]), layouts[1][1], stacked=True)
    else:
        lines += _summary_list(rows, width)
    # the legend and notes as wide as the table (when it is narrow, not narrower than 60)
    below = min(width, max(LEGEND_WIDTH, *(line.cell_len for line in lines)))
    lines += [Line(line, style="dim") for line in wrap_words(_legend_words(), below)]
    for audit in run.audits:
        note = _unresolved_note(audit)
        if note:
            lines += _wrapped(note, below, indent=0)
    return lines


def _column_widths(rows: list[tuple[str, list[str]]], stacked: bool) -> list[int]:
    """Each figure column's width: its widest header line or value."""
    widths = []
    for index, column in enumerate(SUMMARY_COLUMNS):
        heads = column.stacked if stacked else (column.header,)
        widths.append(max([*(cells(h) for h in heads),
                           *(cells(figures[index]) for _, figures in rows)]))
    return widths


def _table(rows: list[tuple[str, list[str]]], id_width: int, widths: list[int], *,
           stacked: bool) -> list[Line]:
    """The summary as a table: headers, a rule, then one row per journey."""
    header_rows = 2 if stacked else 1
    lines = []
    for row in range(header_rows):
        last = row == header_rows - 1
        line = Line(("journey" if last else "").ljust(id_width), style="bold")
        for column, size in zip(SUMMARY_COLUMNS, widths):
            head = column.stacked[row] if stacked else column.header
            line.append(GAP + head.rjust(size), style="bold")
        line.rstrip()
        lines.append(line)
    lines.append(Line("─" * (id_width + sum(cells(GAP) + w for w in widths)), style="dim"))
    for journey, figures in rows:
        line = _shortened(journey, id_width)
        for column, size, figure in zip(SUMMARY_COLUMNS, widths, figures):
            line.append(GAP + figure.rjust(size), style=column.style)
        lines.append(line)
    return lines


def _summary_list(rows: list[tuple[str, list[str]]], width: int) -> list[Line]:
    """The summary for a narrow console: each journey's id, then its figures named."""
    lines = []
    for journey, figures in rows:
        lines.append(_shortened(journey, width, pad=False))
        named = [f"{column.header} {figure}," for column, figure in zip(SUMMARY_COLUMNS, figures)]
        named[-1] = named[-1].removesuffix(",")
        lines += [Line("  " + line) for line in wrap_words(named, width - 2)]
    return lines


def _shortened(text: str, width: int, *, pad: bool = True) -> Line:
    """``text`` cut to ``width`` columns with an ellipsis, or padded to them with ``pad``."""
    return Line(text).truncate(width, pad=pad)


def _unresolved_note(audit: JourneyAudit) -> str:
    """Who ends neither resolved nor given up (stranded or trapped), or ``""`` if nobody."""
    m = audit.analysis.metrics
    parts = []
    if percent(m.p_stranded) != "0%":
        parts.append(f"{percent(m.p_stranded)} are stranded at a step with no way on")
    if percent(m.p_trapped) != "0%":
        parts.append(f"{percent(m.p_trapped)} are trapped in a loop with no way out")
    if not parts:
        return ""
    return f"{printable(audit.journey.id)}: {' and '.join(parts)}; neither resolved nor gave up."


PLACES_SHOWN = 5
"""Places shown under "The places that matter most", across the journeys audited."""


def _places_that_matter(audits: list[JourneyAudit], points: list[list[CombustionPoint]],
                        width: int) -> list[Line]:
    """The points that lose most customers across the audit, each with its best fix.

    Shown when more than one journey has a point: the journeys' own sections
    follow in file order, so the places to start with come first, as on the
    report's summary page.
    """
    if sum(1 for listed in points if listed) < 2:
        return []
    lines = [Line(), *_label("The places that matter most (customers lost per 1,000 of "
                             "their journey):", width)]
    for number, top in enumerate(top_points(points, PLACES_SHOWN), start=1):
        point = top.point
        lines += _point_title(number, point, width)
        where = (f"At {printable(point.step)} in {printable(audits[top.journey].journey.id)}: "
                 f"loses {per_thousand(point.lost or 0.0)} in 1,000")
        if top.lever is not None:
            where += (f"; fix first: {top.lever.lever} at {printable(top.lever.step)}: "
                      f"{lever_gist(top.lever)}")
        lines += _wrapped(where, width, indent=6)
    return lines


def _journey_section(audit: JourneyAudit, points: list[CombustionPoint],
                     width: int) -> list[Line]:
    """One journey's points, fixes, estimates to measure and findings (none if it has none)."""
    if not audit.findings:
        return []
    lines = [Line(), *_heading(audit, width)]
    lines += _points_block(points, width)
    ranked = fix_first(points)[:FIX_FIRST_SHOWN]
    if ranked:
        lines += _label("Fix first (each solved exactly on the journey):", width)
        for number, (point, lever) in enumerate(ranked, start=1):
            entry = Line(f"  {number:>2}. ")
            entry.append(lever.lever, style="bold")
            entry.append(f" at {printable(lever.step)} (point {point.rank})")
            lines.append(_fit(entry, width))
            lines += _wrapped(lever.description, width, indent=6)
    worded = audit.analysis.measure_first(MEASURE_FIRST_SHOWN)
    if worded:
        lines += _label("Measure first (the estimates resolution rests on most):", width)
        for number, text in enumerate(worded, start=1):
            lines += _wrapped(text, width, indent=6, prefix=f"{number}. ")
    lines += _label(f"Findings ({len(audit.findings)}):", width)
    for finding in _by_severity(audit.findings):
        lines += _finding_lines(finding, width)
        for label, words in _evidence_words(finding):
            lines += _hanging(Line(f"        {label}: ", style="dim"), words, width, style="dim")
    return lines


POINTS_SHOWN = 5
"""Combustion points shown per journey at a terminal (JSON and the report have them all)."""

MEASURE_FIRST_SHOWN = 3
"""Estimates shown under "Measure first" at a terminal (the report shows five)."""

EVIDENCE_SHOWN = 3
"""Evidence lines shown under a point at a terminal (the report has them all)."""


def _fit(line: Line, width: int) -> Line:
    """``line`` cut to ``width`` columns with an ellipsis (a title stays on one line)."""
    return line.truncate(width)


def _point_title(number: int, point: CombustionPoint, width: int) -> list[Line]:
    """A point's number and bold title, wrapped rather than cut: its end says how many
    steps the place holds."""
    return _hanging(Line(f"  {number:>2}. "), printable(point.title).split(), width,
                    style="bold")


def _label(text: str, width: int) -> list[Line]:
    """A bold label of the journey's section, indented two and wrapped if it must."""
    return _hanging(Line("  "), text.split(), width, style="bold")


def _wrapped(text: str, width: int, *, indent: int, prefix: str = "") -> list[Line]:
    """Dim text wrapped to ``width`` columns under an entry, ``prefix`` hanging."""
    head = Line(" " * indent + prefix, style="dim")
    return _hanging(head, printable(text).split(), width, style="dim")


MIN_ROOM = 20
"""The narrowest a hanging column may be; past it, the text goes under its head."""


def _hanging(head: Line, words: list[str], width: int, *, style: str = "") -> list[Line]:
    """``head`` then ``words`` wrapped to ``width``, later lines indented under the first word.

    When the head leaves less than :data:`MIN_ROOM` columns, the words
    start on the next line, indented four.
    """
    indent = head.cell_len
    if width - indent < MIN_ROOM:
        indent = min(4, max(0, width - MIN_ROOM))
        return [head, *(Line(" " * indent + line, style=style)
                        for line in wrap_words(words, width - indent))]
    first, *rest = wrap_words(words, width - indent)
    line = head.copy()
    line.append(first, style=style)
    return [line, *(Line(" " * indent + more, style=style) for more in rest)]


def _heading(audit: JourneyAudit, width: int) -> list[Line]:
    """The journey's file (bold, whole, for editors) and title, beside it when both fit."""
    file, title = printable_path(audit.journey.file), printable(audit.journey.title)
    if cells(file) + cells(GAP) + cells(title) <= width:
        line = Line(file, style="bold")
        line.append(GAP + title)
        return [line]
    lines = [Line(part, style="bold") for part in wrap_words([file], width)]
    if title.strip():
        lines += [Line("  " + part) for part in wrap_words(title.split(), width - 2)]
    return lines


def _points_block(points: list[CombustionPoint], width: int) -> list[Line]:
    """The journey's top combustion points, before its findings: where to look first."""
    if not points:
        return _wrapped("No combustion point above the noise floor: no place here loses "
                        "customers or adds effort", width, indent=2)
    shown = points[:POINTS_SHOWN]
    more = f", {len(shown)} of {len(points)} shown" if len(points) > len(shown) else ""
    lines = _label(f"Combustion points (most customers lost first{more}):", width)
    for point in shown:
        lines += _point_title(point.rank, point, width)
        figures = [printable(point.step)]
        if point.lost is not None and point.reach is not None:
            figures.append(f"loses {per_thousand(point.lost)} in 1,000")
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
            lines += _wrapped(f"(+{plural(hidden, 'evidence line')} in the report)", width,
                              indent=6)
    return lines


def _by_severity(findings: Iterable[Finding]) -> list[Finding]:
    """Errors, then warnings, then info; in file order within a severity."""
    return sorted(findings, key=lambda finding: -finding.severity.rank)


def _finding_lines(finding: Finding, width: int) -> list[Line]:
    """``LINE:COL  severity CODE  message``, the message wrapped under its first word."""
    head = Line(f"  {finding.line}:{finding.column}".ljust(10))
    head.append(f"{finding.severity.value:<8}", style=SEVERITY_STYLE.get(finding.severity, ""))
    head.append(f"{finding.rule}  ", style="bold")
    return _hanging(head, printable(finding.message).split(), width)


def _evidence_words(finding: Finding) -> list[tuple[str, list[str]]]:
    """The route and loop a finding names, each as a label and its steps joined by arrows.

    A step's own ``evidence`` lines are shown with its combustion point, not
    under one of its findings.
    """
    evidence = finding.evidence
    shown = []
    for label, steps in (("route", evidence.route), ("loop", evidence.loop)):
        if steps:
            names = [printable(step) for step in steps]
            shown.append((label, [f"{name} ->" for name in names[:-1]] + names[-1:]))
    return shown


def _closing_lines(run: AuditRun[JourneyAudit], width: int) -> list[Line]:
    """How many findings (and input problems) the run has: one line, wrapped if it must."""
    counts = run.counts()
    total = sum(counts.values())
    problems = ""
    if run.problems or run.missing:
        problems = f"{len(run.problems) + len(run.missing)} input problem(s)."
    summary = (f"{plural(total, 'finding')} ({plural(counts['error'], 'error')}, "
               f"{plural(counts['warning'], 'warning')}, {counts['info']} info) in "
               f"{plural(len(run.audits), 'journey')}.")
    if cells(f"{problems} {summary}") <= width:
        line = Line()
        if problems:
            line.append(problems + " ", style="bold red")
        return [line.append(summary)]
    lines = [Line(problems, style="bold red")] if problems else []
    return lines + [Line(part) for part in wrap_words(summary.split(), width)]
