"""The client report: an audit run as GitHub-flavoured Markdown.

A consultant hands this file to a client. It opens with an executive
summary in plain words (the journeys that most need attention, the most
frequent combustion points, the teams concerned), then gives each journey
its key figures, a Mermaid map with shield layers and combustion points
marked, the emotional curve along the most likely route, the findings
grouped by the team that owns each step, and the steps to fix first.

This module only assembles the report. Everything that comes from a
journey file (titles, labels, owners, channels, evidence, and the messages
that quote them) goes through :func:`~cx_audit.renderers.escaping.md_text`,
which makes it literal text: no HTML, links, emphasis, code, headings or
table cells can come out of it; diagram text is escaped by
:func:`~cx_audit.renderers.escaping.mermaid_text`. Figures are put into
words by :mod:`cx_audit.renderers.phrasing`, and what to do about each
finding is its rule's ``advice``. The output depends only on the run and
the arguments: no clock, no environment.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from cx_audit.analysis import most_likely_routes
from cx_audit.audit.compare import Sides, compare_audits
from cx_audit.audit.engine import JourneyAudit
from cx_audit.audit.points import CombustionPoint, combustion_points, fix_first
from cx_audit.audit.run import AuditRun
from cx_audit.core.findings import Finding, Severity
from cx_audit.core.model import Journey
from cx_audit.renderers.diagram import HIGHLIGHT as DIAGRAM_HIGHLIGHT
from cx_audit.renderers.diagram import mermaid_chart
from cx_audit.renderers.escaping import md_code, md_text
from cx_audit.renderers.phrasing import (
    MINUS,
    effort_text,
    feeling_text,
    figure_label,
    figure_text,
    route_sentence,
    severity_counts_text,
    share_text,
    shields_text,
    wait_text,
)
from cx_audit.renderers.report_content import (
    METHOD,
    NO_OWNER,
    advice,
    facts,
    findings_by_team,
    folded,
    key_figures,
    owner_of,
    rules_used,
    thresholds,
    top_points,
    urgency,
)
from cx_audit.rules import RULES
from cx_audit.text.formatting import human_duration, percent, plural

__all__ = ["render_markdown", "render_markdown_comparison"]

DEFAULT_TITLE = "Customer journey audit"
FIX_FIRST_SHOWN = 5
TOP_SHOWN = 5
ATTENTION_SHOWN = 3

MERMAID_MAX_TEXT = 50_000
"""Mermaid refuses diagrams longer than this by default (``maxTextSize``)."""

MERMAID_MAX_EDGES = 500
"""Mermaid refuses diagrams with more edges than this by default (``maxEdges``)."""

SKIPPED_FIGURES = frozenset({"loop_steps"})
"""Evidence figures the report leaves out (the loop itself is listed instead)."""

_SEVERITY_WORD = {Severity.ERROR: "Error", Severity.WARNING: "Warning", Severity.INFO: "Note"}
_SEVERITY_BADGE = {Severity.ERROR: "\U0001f534", Severity.WARNING: "\U0001f7e0",
                   Severity.INFO: "\U0001f535"}

"""What to do about a finding whose rule is not in the catalogue."""


def _rule_link(code: str, rules_url: str | None) -> str:
    """A rule's name, linked to its explanation: in the report itself unless ``rules_url``."""
    rule = RULES.get(code)
    if rule is None:
        return md_text(code)
    anchor = f"#{rule.code.lower()}-{rule.name}"
    return f"[{rule.code} {rule.name}]({rules_url or ''}{anchor})"


def _severity_counts(findings: Iterable[Finding]) -> Counter[Severity]:
    return Counter(f.severity for f in findings)


def _step_name(journey: Journey, step_id: str) -> str:
    step = journey.steps.get(step_id)
    label = step.label if step is not None and step.label else step_id
    if label == step_id:
        return md_code(step_id)
    return f"{md_text(label)} ({md_code(step_id)})"


# --- executive summary ------------------------------------------------------

def _attention_line(audit: JourneyAudit) -> str:
    m = audit.analysis.metrics
    name = f"**{md_text(audit.journey.title)}**"
    sentence = f"{name}: {share_text(m.p_resolution)} of customers reach a resolution"
    if m.p_first_time < m.p_resolution:
        sentence += f", {share_text(m.p_first_time)} without being passed on"
    sentence += "; "
    if math.isinf(m.shields_expected):
        sentence += "customers can pass shield layers without end"
    else:
        sentence += f"they pass {m.shields_expected:.1f} shield layers on average"
    if m.shields_max == "unbounded":
        sentence += " (a loop puts no limit on the worst route)"
    if math.isinf(m.wait_expected):
        sentence += " and can wait without end"
    elif m.wait_expected > 0:
        sentence += f" and wait {human_duration(m.wait_expected)} in all"
    lost = m.p_abandon + m.p_stranded + m.p_trapped
    if lost > 0.0005:
        sentence += f"; {share_text(lost)} give up or get stuck"
    return sentence + "."


def _summary(run: AuditRun[JourneyAudit], ordered: Sequence[JourneyAudit],
             points: Sequence[list[CombustionPoint]]) -> list[str]:
    findings = run.findings
    counts = _severity_counts(findings)
    journeys = len(ordered)
    lines = ["## Executive summary", ""]
    if not journeys:
        lines += ["No journey could be audited.", ""]
        return lines
    clean = sum(1 for a in ordered if not a.findings)
    lines.append(
        f"This audit reviewed **{plural(journeys, 'customer journey')}** and found "
        f"**{plural(len(findings), 'candidate combustion point')}** "
        f"({severity_counts_text(counts)}): places where a customer's experience is likely to "
        "break down. Each one is a hypothesis drawn from the journey map, with its evidence, "
        "for the owning team to confirm or dismiss."
        + (f" {plural(clean, 'journey')} showed none." if clean else ""))
    lines.append("")
    if run.problems or run.missing:
        unread = len(run.problems) + len(run.missing)
        lines += [(f"**{plural(unread, 'input problem')}** kept some files out of the audit; "
                  "they are listed at the end of this report."), ""]

    attention = [a for a in ordered if a.findings][:ATTENTION_SHOWN]
    if attention:
        lines += ["### Journeys that most need attention", ""]
        lines += [f"{i}. {_attention_line(a)}" for i, a in enumerate(attention, start=1)]
        lines.append("")

    top = top_points(points, TOP_SHOWN)
    if top:
        lines += ["### The places that matter most", "",
                  ("Across the audit, the combustion points that lose the most customers, "
                   "each with the fix there that gains most, worked out exactly."), ""]
        for i, item in enumerate(top, start=1):
            point = item.point
            where = md_text(ordered[item.journey].journey.title)
            lost = f"{(point.lost or 0.0) * 1000:,.0f}"
            line = (f"{i}. **{md_text(point.title)}** ({where}, {md_code(point.step)}): "
                    f"{lost} in 1,000 customers end unresolved there.")
            if item.lever is not None:
                line += f" Fix: {md_text(item.lever.description)}"
            lines.append(line)
        lines.append("")
    if findings:
        by_team: dict[str, Counter[Severity]] = defaultdict(Counter)
        journeys_by_id = {a.journey.id: a.journey for a in ordered}
        for finding in findings:
            journey = journeys_by_id.get(finding.journey)
            team = owner_of(journey, finding) if journey else NO_OWNER
            by_team[team][finding.severity] += 1
        lines += ["### Teams concerned", ""]
        ranked = sorted(by_team.items(), key=lambda item: (
            -item[1][Severity.ERROR], -sum(item[1].values()), item[0]))[:TOP_SHOWN]
        for team, team_counts in ranked:
            lines.append(f"- **{md_text(team)}**: "
                         f"{plural(sum(team_counts.values()), 'finding')} "
                         f"({severity_counts_text(team_counts)})")
        lines.append("")

    lines += [
        "### All journeys at a glance",
        "",
        ("Most worrying first. Shield layers are the menus, forms, checks and queues "
        "between a customer and someone who can help."),
        "",
        ("| # | Journey | Resolved | First time | Shield layers (best / expected / worst) "
        "| Expected wait | Errors | Warnings |"),
        "|---:|---|---:|---:|---|---:|---:|---:|",
    ]
    for i, audit in enumerate(ordered, start=1):
        m = audit.analysis.metrics
        c = _severity_counts(audit.findings)
        lines.append(
            f"| {i} | {md_text(audit.journey.title)} | {share_text(m.p_resolution)} | "
            f"{share_text(m.p_first_time)} | {shields_text(m)} | {wait_text(m.wait_expected)} | "
            f"{c[Severity.ERROR]} | {c[Severity.WARNING]} |")
    lines.append("")
    return lines


# --- one journey --------------------------------------------------------------

def _facts(journey: Journey) -> list[str]:
    (_, file), *rest = facts(journey)
    lines = [f"- **Journey:** {md_code(journey.id)}, from {md_text(file)}"]
    lines += [f"- **{label}:** {md_text(value)}" for label, value in rest]
    return lines


def _figures(audit: JourneyAudit) -> list[str]:
    lines = ["### Key figures", "", "| Measure | Value | What it means |", "|---|---|---|"]
    lines += [f"| {name} | {value} | {meaning} |"
              for name, value, meaning in key_figures(audit.analysis.metrics)]
    lines.append("")
    return lines


def _diagram(audit: JourneyAudit, points: Sequence[CombustionPoint]) -> list[str]:
    lines = ["### Journey map", ""]
    chart = mermaid_chart(audit.journey, points, highlight=DIAGRAM_HIGHLIGHT)
    if not chart.fits:
        edges = len(audit.journey.transitions)
        lines += [(f"This journey ({plural(len(audit.journey.steps), 'step')}, "
                  f"{plural(edges, 'transition')}) is too large for GitHub to draw, even "
                  "condensed; use the Graphviz (DOT) drawing of it instead."), ""]
        return lines
    if chart.note:
        lines += [f"*{md_text(chart.note)}*", ""]
    lines += ["```mermaid", chart.text.rstrip("\n"), "```", ""]
    lines += [
        ("How to read it: customers start at the pill-shaped steps on the left and end at a "
        "rounded box (resolved) or a flag (gave up); the likeliest route runs along the top. "
        "Hexagons marked \U0001f6e1 are shield layers, and each box names its team. A red "
        f"outline and \u26a0 mark the top {DIAGRAM_HIGHLIGHT} combustion points, numbered as "
        "in the list above. Percentages are the share of the customers at a step who go each "
        "way (a single certain way is not labelled); dashed red arrows are cold handoffs, "
        "where the customer tells the story again."),
        "",
    ]
    return lines


def _curve(audit: JourneyAudit) -> list[str]:
    journey = audit.journey
    lines = ["### Emotional curve along the most likely route", ""]
    routes = most_likely_routes(journey, 1)
    if not routes:
        lines += [("No route leads from an entry to a resolution, so there is no curve "
                  "to follow."), ""]
        return lines
    route = routes[0]
    lines += [route_sentence(route), "",
              "| # | Step | Feeling | Wait | Shield layer |", "|---:|---|---|---:|---|"]
    points: list[tuple[int, float]] = []
    for i, step_id in enumerate(route.steps, start=1):
        step = journey.steps[step_id]
        stats = audit.analysis.steps.get(step_id)
        wait = stats.wait if stats is not None else (step.wait or 0.0)
        shield = f"\U0001f6e1 {md_text(step.shield)}" if step.is_shield else ""
        lines.append(f"| {i} | {_step_name(journey, step_id)} | {feeling_text(step.emotion)} | "
                     f"{human_duration(wait) if wait > 0 else ''} | {shield} |")
        if step.emotion is not None:
            points.append((i, step.emotion))
    lines.append("")
    if len(points) >= 2:
        lines += _xychart(points)
    elif not points:
        lines += ["No feelings are recorded on this route (`emotion` on its steps).", ""]
    return lines


def _xychart(points: Sequence[tuple[int, float]]) -> list[str]:
    """A line chart of the feeling by step number; it holds no text from the journey."""
    categories = ", ".join(f'"{i}"' for i, _ in points)
    values = ", ".join(f"{max(-2.0, min(2.0, v)):g}" for _, v in points)
    return [
        "```mermaid",
        "xychart-beta",
        '  title "Feeling at each step of the route (numbers as in the table)"',
        f'  x-axis "Step" [{categories}]',
        '  y-axis "Feeling" -2 --> 2',
        f"  line [{values}]",
        "```",
        "",
    ]


def _figure_value(name: str, value: Any) -> str:
    """An evidence figure's value; text and lists (ids, teams) are escaped."""
    if isinstance(value, list | tuple):
        return ", ".join(md_text(v) for v in value)
    if value is None or value == "unbounded" or isinstance(value, int | float):
        return figure_text(name, value)
    return md_text(value)


def _figures_line(finding: Finding) -> str | None:
    parts = []
    for name, value in finding.evidence.metrics.items():
        if name in SKIPPED_FIGURES or (name == "can_resolve" and value is None):
            continue
        parts.append(f"{md_text(figure_label(name))}: {_figure_value(name, value)}")
    return "; ".join(parts) if parts else None


def _walk(journey: Journey, steps: Sequence[str]) -> str:
    return " \u2192 ".join(md_code(s) for s in steps)


def _finding_lines(journey: Journey, finding: Finding, rules_url: str | None) -> list[str]:
    badge = _SEVERITY_BADGE.get(finding.severity, "")
    word = _SEVERITY_WORD.get(finding.severity, finding.severity.value.title())
    lines = [f"  - {badge} **{word}**: {md_text(finding.message)}"]
    figures = _figures_line(finding)
    if figures:
        lines.append(f"    - Figures: {figures}")
    if finding.evidence.route:
        lines.append(f"    - Route: {_walk(journey, finding.evidence.route)}")
    if finding.evidence.loop:
        lines.append(f"    - Loop: {_walk(journey, finding.evidence.loop)}")
    lines.append(f"    - What to do: {md_text(advice(finding.rule))} "
                 f"({_rule_link(finding.rule, rules_url)})")
    return lines


def _quotes(notes: Sequence[str]) -> list[str]:
    lines = ["  - Heard or measured here:", ""]
    for i, note in enumerate(notes):
        if i:
            lines.append("    >")
        lines.append(f"    > {md_text(note)}")
    lines.append("")
    return lines


def _finding_order(finding: Finding) -> tuple[int, str, int, int, str]:
    """Most serious first, then by rule and place."""
    return (-finding.severity.rank, finding.rule, finding.line, finding.column, finding.message)


def _team_heading(team: str, findings: Sequence[Finding]) -> str:
    return f"#### {md_text(team)} ({severity_counts_text(_severity_counts(findings))})"


def _by_team(audit: JourneyAudit, rules_url: str | None) -> list[str]:
    journey = audit.journey
    position = {step_id: i for i, step_id in enumerate(journey.steps)}
    lines = ["### Combustion points by team", "",
             "Each point is a candidate for the team to review, with the evidence behind it.",
             ""]
    for team, findings in findings_by_team(journey, audit.findings):
        lines += [_team_heading(team, findings), ""]
        groups: dict[str | None, list[Finding]] = defaultdict(list)
        entries = folded(sorted(findings, key=_finding_order))
        for finding in entries:
            if isinstance(finding, Finding):
                groups[finding.step if finding.step in journey.steps else None].append(finding)
        keys = sorted(groups, key=lambda k: -1 if k is None else position[k])
        for key in keys:
            if key is None:
                lines.append("- **The journey as a whole**")
                notes: Sequence[str] = ()
            else:
                stats = audit.analysis.steps.get(key)
                reach = (f", reached by {share_text(stats.p_reach)} of customers"
                         if stats is not None and stats.p_reach is not None else "")
                lines.append(f"- **Step:** {_step_name(journey, key)}{reach}")
                notes = journey.steps[key].evidence
            for finding in sorted(groups[key], key=_finding_order):
                lines += _finding_lines(journey, finding, rules_url)
            if notes:
                lines += _quotes(notes)
        lines += [f"- {md_text(entry.text())}" for entry in entries
                  if not isinstance(entry, Finding)]
        if lines[-1] != "":
            lines.append("")
    return lines


def _fix_first(audit: JourneyAudit, points: list[CombustionPoint], shown: int) -> list[str]:
    """The journey's best fixes across its combustion points, each solved exactly."""
    ranked = fix_first(points)[:shown]
    if not ranked:
        return []
    journey = audit.journey
    lines = [
        "### Fix first",
        "",
        ("The fixes a team could make at the combustion points above, each worked out "
         "exactly on the journey: most customers resolved first, then effort saved."),
        "",
        "| # | Fix | Step | Team | Point | What it changes |",
        "|---:|---|---|---|---:|---|",
    ]
    for i, (point, lever) in enumerate(ranked, start=1):
        owner = journey.steps[lever.step].owner or "No owning team"
        lines.append(f"| {i} | {md_text(lever.lever)} | {_step_name(journey, lever.step)} | "
                     f"{md_text(owner)} | {point.rank} | {md_text(lever.description)} |")
    lines.append("")
    return lines


def _journey_section(number: int, audit: JourneyAudit, points: list[CombustionPoint],
                     rules_url: str | None, fix_first_shown: int) -> list[str]:
    lines = [f"## {number}. {md_text(audit.journey.title)}", ""]
    lines += _facts(audit.journey)
    lines.append("")
    lines += _points(points)
    lines += _figures(audit)
    lines += _diagram(audit, points)
    lines += _curve(audit)
    if audit.findings:
        lines += _by_team(audit, rules_url)
        lines += _fix_first(audit, points, fix_first_shown)
        lines += _measure_first(audit)
    else:
        lines += ["### No combustion points found", "",
                  ("The audit found no candidate combustion point in this journey. The "
                  "figures above are still worth checking against what customers and "
                  "front-line staff report."), ""]
    lines += _silenced(audit, rules_url)
    return lines


def _silenced(audit: JourneyAudit, rules_url: str | None) -> list[str]:
    """What the journey file's ``ignore`` entries silenced, with the reasons written there."""
    if not audit.suppressed:
        return []
    lines = ["### Silenced in the journey file", "",
             ("These findings were switched off by an `ignore` entry in the map, for the "
              "reason given there; they count nowhere else in this report."), ""]
    for finding, reason in audit.suppressed:
        where = _step_name(audit.journey, finding.step) if finding.step else "the journey"
        lines.append(f"- {_rule_link(finding.rule, rules_url)} at {where}: "
                     f"{md_text(finding.message)}. Reason given: {md_text(reason)}")
    lines.append("")
    return lines


POINTS_SHOWN = 10
"""Combustion points listed per journey in the report."""


def _points(listed: list[CombustionPoint]) -> list[str]:
    """The journey's combustion points, first: the places to talk about, most lost first."""
    points = listed[:POINTS_SHOWN]
    if not points:
        return []
    lines = [
        "### Combustion points",
        "",
        "The places where this journey is likely to break, most customers lost first, then "
        "the effort they add (stories retold, handoffs, waiting, shield layers).",
        "",
        "| # | Place | Step | Lost of 1,000 | Reach | Effort it adds | Found there |",
        "|---:|---|---|---:|---:|---|---|",
    ]
    for point in points:
        lost = "" if point.lost is None else f"{point.lost * 1000:,.0f}"
        reach = "" if point.reach is None else percent(point.reach)
        place = md_text(point.title)
        if point.within is not None:
            place += f" (inside #{point.within})"
        effort = effort_text(point.score) if point.score is not None else ""
        effort = effort.removeprefix("adds ").replace(" in 1,000 customers", " in 1,000")
        lines.append(f"| {point.rank} | {place} | {md_code(point.step)} | "
                     f"{lost} | {reach} | {effort} | {', '.join(point.codes)} |")
    lines.append("")
    return lines


MEASURE_FIRST_SHOWN = 5
"""Estimates listed under "Measure these first" per journey."""


def _measure_first(audit: JourneyAudit) -> list[str]:
    """The estimates the resolution figure rests on most: what to measure before acting."""
    worded = audit.analysis.measure_first(MEASURE_FIRST_SHOWN)
    if not worded:
        return []
    lines = ["### Measure these first", "",
             ("Every share in the map is an estimate. The resolution figure rests most on "
              "these; check them against real data before quoting it:"), ""]
    lines += [f"{i}. {md_text(text)}" for i, text in enumerate(worded, start=1)]
    lines.append("")
    return lines


def _appendix(run: AuditRun[JourneyAudit], rules_url: str | None) -> list[str]:
    lines: list[str] = []
    if run.problems or run.missing:
        lines += ["## Files not audited", ""]
        lines += [f"- {md_text(str(problem))}" for problem in sorted(run.problems)]
        lines += [f"- {md_text(missing)}: no such file or folder" for missing in run.missing]
        lines.append("")
    lines += ["## About this report", "",
              ("A combustion point is a candidate found from the map's shape and figures: "
               "confirm it with the evidence and the people who run the step."), ""]
    for heading, paragraph in METHOD:
        lines += [f"**{heading}.** {paragraph}", ""]
    rows = thresholds(run.audits[0].options if run.audits else {})
    if rows:
        lines += ["The thresholds this audit used:", "", "| Rule | Setting | Value |",
                  "|---|---|---:|"]
        lines += [f"| {md_text(rule)} | `{name}` | {md_text(value)} |"
                  for rule, name, value in rows]
        lines.append("")
    used = rules_used(Counter(f.rule for f in run.findings))
    if used and rules_url is None:
        lines += ["## Rules explained", ""]
        for rule, count in used:
            sections = rule.sections()
            lines += [f"### {rule.code} {rule.name}", "",
                      f"*{md_text(rule.summary)}* Found {plural(count, 'time')}.", ""]
            for part in ("What it does", "Why it matters"):
                text = " ".join(sections.get(part, "").split())
                if text:
                    lines += [f"**{part}.** {_doc_text(text)}", ""]
            lines += [f"**What to do.** {md_text(rule.advice)}", ""]
    elif used:
        lines += ["| Rule | Flags | Found |", "|---|---|---:|"]
        lines += [f"| {_rule_link(rule.code, rules_url)} | {md_text(rule.summary)} | {count} |"
                  for rule, count in used]
        lines.append("")
    return lines


def _doc_text(text: str) -> str:
    """A rule's documentation paragraph (written in this package) with its code spans kept."""
    parts = text.split("`")
    return "".join(md_code(part) if i % 2 else md_text(part) for i, part in enumerate(parts))


def render_markdown(run: AuditRun[JourneyAudit], *, title: str | None = None,
                    date: str | None = None,
                    rules_url: str | None = None,
                    fix_first_shown: int = FIX_FIRST_SHOWN) -> str:
    """The audit run as a GitHub Markdown report for a client.

    Parameters
    ----------
    run : AuditRun[JourneyAudit]
    title : str, optional (default=None)
        The report's heading; "Customer journey audit" when not given.
    date : str, optional (default=None)
        A date (or any text) printed under the heading; nothing when not
        given, so the same run always gives the same report.
    rules_url : str, optional (default=None)
        Where rule codes link to (each link adds the rule's anchor). By
        default they link to the report's own "Rules explained" section,
        so that the report stands alone outside the repository.
    fix_first_shown : int, optional (default=5)
        How many steps each journey's fix-first table lists.

    Returns
    -------
    str
        The report, ending with a newline.
    """
    ordered = sorted(run.audits, key=urgency)
    lines = [f"# {md_text(title) if title else DEFAULT_TITLE}", ""]
    if date:
        lines += [f"Audit of {md_text(date)}.", ""]
    points = [combustion_points(audit) for audit in ordered]  # once: summary and sections
    lines += _summary(run, ordered, points)
    for number, (audit, listed) in enumerate(zip(ordered, points, strict=True), start=1):
        lines += _journey_section(number, audit, listed, rules_url, fix_first_shown)
    lines += _appendix(run, rules_url)
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"


def render_markdown_comparison(sides: Sides, *, title: str | None = None) -> str:
    """As-is beside to-be, as a Markdown report: changes, points, then both diagrams.

    Markdown has no columns, so the two journey maps follow one another;
    the HTML report (``report --compare -o REPORT.html``) sets them side by
    side.
    """
    lines = [f"# {md_text(title) if title else 'Before and after'}", ""]
    for pair in sides.pairs:
        if pair.old is None or pair.new is None:
            continue
        comparison = compare_audits(pair.old, pair.new, pair.paired_by)
        old, new = comparison.old, comparison.new
        lines += [f"## {md_text(old.journey.title)} \u2192 {md_text(new.journey.title)}", "",
                  f"As-is {md_text(old.journey.file)}, to-be {md_text(new.journey.file)}.", ""]
        changed = comparison.changed_metrics
        if changed:
            lines += ["| Figure | As-is | To-be | Change |", "|---|---:|---:|---:|"]
            lines += [f"| {md_text(c.label)} | {md_text(c.before)} | {md_text(c.after)} | "
                      f"{md_text((c.change or '').replace('-', MINUS))} |" for c in changed]
            lines.append("")
        for status in ("fixed", "new", "remaining"):
            changes = comparison.by_status(status)
            if changes:
                lines += [f"**Combustion points {status}:**", ""]
                lines += [f"- {md_text(c.title)}" + (f" ({c.trend})" if c.trend and
                                                     c.trend != "unchanged" else "")
                          for c in changes]
                lines.append("")
        lines += ["### As-is", "", *_diagram(old, combustion_points(old))]
        lines += ["### To-be", "", *_diagram(new, combustion_points(new))]
    unpaired = [pair.old or pair.new for pair in sides.pairs
                if pair.old is None or pair.new is None]
    if unpaired:
        lines += ["## Without a counterpart", ""]
        lines += [f"- {md_text(a.journey.title)} ({md_text(a.journey.file)})"
                  for a in unpaired if a is not None]
        lines.append("")
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"
