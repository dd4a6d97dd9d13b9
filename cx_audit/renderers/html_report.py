"""The client report as one self-contained HTML page that prints.

The page needs nothing else: styles are inline, pictures are inline SVG
(:mod:`cx_audit.renderers.journey_svg` draws the journey,
:mod:`cx_audit.renderers.charts` its emotional curve and where its
customers end), and there is no script, font or image to fetch, so it
opens offline and the browser's "print to PDF" gives the deliverable.

Page 1 is the executive summary: the journeys with their headline figures
and the places that lose most customers across the audit, each with the
fix there that gains most. Each journey then starts on a new page: its
key figures, its diagram, where its customers end, its emotional curve,
its combustion points with their evidence and fixes, the best fixes
overall, the estimates its figures rest on most, its findings per owning
team, and what its file silenced and why. The rules the audit used are
explained at the end, with the method and the thresholds.

The content is the Markdown report's (:mod:`cx_audit.renderers.report_content`
works it out for both); every text that comes from a journey file goes
through :func:`~cx_audit.renderers.escaping.html_text`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cx_audit.analysis.metrics import Metrics
from cx_audit.audit.compare import PAIRED_BY_WORDS, Comparison, Sides, compare_audits
from cx_audit.audit.engine import JourneyAudit
from cx_audit.audit.points import CombustionPoint, combustion_points, fix_first
from cx_audit.audit.run import AuditRun
from cx_audit.core.findings import Finding, Severity
from cx_audit.core.model import Location
from cx_audit.renderers.charts import emotion_chart, outcome_chart
from cx_audit.renderers.escaping import html_text
from cx_audit.renderers.journey_svg import journey_svg
from cx_audit.renderers.phrasing import (
    count_text,
    effort_text,
    lever_gist,
    severity_counts_text,
    share_text,
    wait_text,
)
from cx_audit.renderers.report_content import (
    METHOD,
    facts,
    findings_by_team,
    folded,
    key_figures,
    lost_share,
    rules_used,
    thresholds,
    top_points,
    urgency,
)
from cx_audit.renderers.svg import Figure
from cx_audit.text.formatting import percent, plural

__all__ = ["HtmlPart", "html_part", "render_html", "render_html_comparison"]

DEFAULT_TITLE = "Customer journey audit"
TOP_SHOWN = 5
"""Places listed on the summary page."""
POINTS_SHOWN = 5
"""Combustion points described per journey (the diagram numbers the same ones)."""
FIX_FIRST_SHOWN = 5
MEASURE_FIRST_SHOWN = 5
EVIDENCE_SHOWN = 2
LEVERS_SHOWN = 1
"""Fixes named under each point (the fix-first table words the best of all in full; the
JSON output lists every point's three): one keeps a journey within four printed pages."""
"""Evidence lines quoted under a point (the rest are counted)."""

_SEVERITY_WORD = {Severity.ERROR: "Error", Severity.WARNING: "Warning", Severity.INFO: "Note"}

STYLE = """
:root { --ink: #1d2430; --muted: #5b6573; --line: #d5dae1; --accent: #b3261e;
        --warn: #a15c00; --soft: #f4f6f8; }
* { box-sizing: border-box; }
body { font: 10.5pt/1.45 "Helvetica Neue", Arial, "Liberation Sans", sans-serif;
       color: var(--ink); margin: 0 auto; max-width: 1060px; padding: 24px 32px; }
h1 { font-size: 22pt; margin: 0 0 4px; }
h2 { font-size: 16pt; margin: 0 0 6px; border-bottom: 2px solid var(--ink); padding-bottom: 4px; }
h3 { font-size: 12pt; margin: 18px 0 6px; }
h4 { font-size: 10.5pt; margin: 10px 0 4px; }
p { margin: 4px 0 8px; }
.muted, .note { color: var(--muted); }
.note { font-size: 9pt; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; font-size: 9.5pt; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 6px; text-align: left;
         vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; }
table.fixes td { font-size: 8.5pt; }
.facts { display: flex; flex-wrap: wrap; gap: 4px 18px; margin: 4px 0 10px; color: var(--muted); }
.headline { display: flex; gap: 10px; margin: 8px 0 12px; }
.headline div { flex: 1; background: var(--soft); border-radius: 6px; padding: 6px 10px; }
.headline b { display: block; font-size: 13pt; }
.headline div { font-size: 8.5pt; color: var(--muted); }
.headline div b { color: var(--ink); }
figure { margin: 8px 0 12px; break-inside: avoid; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { font-size: 9pt; color: var(--muted); margin-top: 2px; }
ol.points { padding-left: 0; list-style: none; margin: 4px 0; }
ol.points > li { border-left: 4px solid var(--accent); padding: 4px 10px; margin: 0 0 8px;
                 break-inside: avoid; background: #fdf7f6; }
.rank { display: inline-block; min-width: 1.6em; height: 1.6em; border-radius: 0.8em;
        background: var(--accent); color: white; text-align: center; font-weight: 700;
        margin-right: 6px; }
.fig { color: var(--muted); font-size: 9.5pt; }
blockquote { margin: 2px 0 2px 10px; padding-left: 8px; border-left: 2px solid var(--line);
             color: var(--muted); font-size: 9.5pt; }
.fix { margin: 3px 0 1px; font-size: 9.5pt; }
.sev-error { color: var(--accent); font-weight: 700; }
.sev-warning { color: var(--warn); font-weight: 700; }
.sev-info { color: var(--muted); font-weight: 700; }
ul.findings { columns: 2; column-gap: 18px; font-size: 8pt; line-height: 1.3; padding-left: 0;
              list-style: none; margin: 2px 0 6px; }
ul.findings li { break-inside: avoid; margin: 0 0 2px; }
dl.figures { display: grid; grid-template-columns: 1fr 1fr; gap: 2px 18px; margin: 4px 0 8px;
             font-size: 9pt; }
dl.figures div { border-bottom: 1px solid var(--line); padding: 2px 0; }
dl.figures dt { font-weight: 600; } dl.figures dd { margin: 0; }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.92em; }
section.journey, section.appendix { break-before: page; }
.two { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
@page { size: A4; margin: 11mm 11mm; }
@media print {
  figure.map svg { max-height: 150mm; width: auto; max-width: 100%; margin: 0 auto; }
  figure.chart svg { max-height: 85mm; width: auto; max-width: 100%; }
  figure { break-inside: auto; }
  body { max-width: none; padding: 0; font-size: 9pt; }
  h2 { font-size: 14pt; } h3 { font-size: 11pt; margin: 10px 0 4px; }
  a { color: inherit; text-decoration: none; }
  .two { display: block; }
}
"""


def render_html(run: AuditRun[HtmlPart], *, title: str | None = None,
                date: str | None = None) -> str:
    """The audit run as one self-contained HTML page for a client.

    Parameters
    ----------
    run : AuditRun[HtmlPart]
        A run audited with ``keep=html_part``: each journey's section is
        written while it is audited.
    title : str, optional (default=None)
        The report's heading; "Customer journey audit" when not given.
    date : str, optional (default=None)
        Printed under the heading; nothing when not given, so the same run
        always gives the same page.

    Returns
    -------
    str
        The page, ending with a newline.
    """
    heading = title or DEFAULT_TITLE
    ordered = sorted(run.results, key=lambda part: part.order)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html_text(heading)}</title>",
        f"<style>{STYLE}</style></head><body>",
        _summary(run, ordered, heading, date),
    ]
    for number, part in enumerate(ordered, start=1):
        parts.append(f'<section class="journey" id="journey-{number}">'
                     f"<h2>{number}. {html_text(part.title)}</h2>{part.section}</section>")
    parts.append(_appendix(run, ordered))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


@dataclass(frozen=True, slots=True)
class HtmlPart:
    """A journey's part of the report, written right after its audit.

    What a run for this format keeps of each journey: its section as text,
    and the little the summary and the appendix need. A report of thousands
    of journeys then holds text, not every journey's model and chain.
    """

    id: str
    location: Location
    counts: dict[Severity, int]
    title: str
    order: tuple[float, float, str]
    """Where it comes in the report (most worrying first)."""
    metrics: Metrics
    points: tuple[CombustionPoint, ...]
    rules: Counter[str]
    """Its findings and silenced findings per rule code, for the rules explained."""
    options: Mapping[str, float | int]
    section: str
    """Its section, from the figures to what was silenced (the heading is added in order)."""

    def severity_counts(self) -> dict[Severity, int]:
        """Its findings per severity."""
        return self.counts


def html_part(audit: JourneyAudit) -> HtmlPart:
    """Write one journey's part of the report (the ``keep`` of this format)."""
    points = combustion_points(audit)  # once: the section and the summary
    rules = Counter(f.rule for f in audit.findings)
    rules.update(f.rule for f, _ in audit.suppressed)
    return HtmlPart(id=audit.id, location=audit.location, counts=audit.severity_counts(),
                    title=audit.journey.title, order=urgency(audit),
                    metrics=audit.analysis.metrics, points=tuple(points), rules=rules,
                    options=audit.options, section=_journey(audit, points))


# --- page 1 ---------------------------------------------------------------------------------

def _summary(run: AuditRun[HtmlPart], ordered: Sequence[HtmlPart], heading: str,
             date: str | None) -> str:
    out = [f"<header><h1>{html_text(heading)}</h1>"]
    if date:
        out.append(f'<p class="muted">Audit of {html_text(date)}</p>')
    out.append("</header><section class=\"summary\"><h2>Executive summary</h2>")
    if not ordered:
        out.append("<p>No journey could be audited.</p></section>")
        return "\n".join(out)
    counts: Counter[Severity] = Counter()
    for part in ordered:
        counts.update(part.counts)
    out.append(
        f"<p>This audit reviewed <b>{plural(len(ordered), 'customer journey')}</b> and found "
        f"<b>{plural(sum(len(p.points) for p in ordered), 'combustion point')}</b>, places "
        "where a customer's experience is likely to break down, from "
        f"{plural(sum(counts.values()), 'finding')} ({html_text(severity_counts_text(counts))}). "
        "Each is a hypothesis drawn from the journey map, with its evidence, for the owning "
        "team to confirm or dismiss; every figure is worked out exactly from the map.</p>")
    if run.problems or run.missing:
        unread = len(run.problems) + len(run.missing)
        out.append(f"<p><b>{plural(unread, 'input problem')}</b> kept some files out of the "
                   "audit; they are listed at the end.</p>")
    out.append("<table><thead><tr><th>#</th><th>Journey</th><th class=\"num\">Resolved</th>"
               "<th class=\"num\">First time</th><th class=\"num\">End unresolved</th>"
               "<th class=\"num\">Shield layers</th><th class=\"num\">Expected wait</th>"
               "<th class=\"num\">Points</th></tr></thead><tbody>")
    for number, part in enumerate(ordered, start=1):
        m = part.metrics
        shields = "no limit" if m.shields_expected == float("inf") else f"{m.shields_expected:.1f}"
        out.append(
            f'<tr><td>{number}</td><td><a href="#journey-{number}">'
            f"{html_text(part.title)}</a></td>"
            f'<td class="num">{share_text(m.p_resolution)}</td>'
            f'<td class="num">{share_text(m.p_first_time)}</td>'
            f'<td class="num">{share_text(lost_share(m))}</td>'
            f'<td class="num">{shields}</td>'
            f'<td class="num">{html_text(wait_text(m.wait_expected))}</td>'
            f'<td class="num">{len(part.points)}</td></tr>')
    out.append("</tbody></table>")
    top = top_points([part.points for part in ordered], TOP_SHOWN)
    if top:
        out.append("<h3>The places that matter most</h3>"
                   "<p class=\"muted\">Across the audit, the combustion points that lose the "
                   "most customers (per 1,000 customers of their journey), each with the fix "
                   "there that gains most.</p><table><thead><tr><th>Place</th><th>Journey</th>"
                   "<th class=\"num\">Lost of 1,000</th><th>Fix that gains most</th>"
                   "</tr></thead><tbody>")
        for item in top:
            point = item.point
            number = item.journey + 1
            fix = (f"<b>{html_text(item.lever.lever)}</b> at <code>{html_text(item.lever.step)}"
                   f"</code>: {html_text(lever_gist(item.lever))}" if item.lever
                   else "No fix found here")
            out.append(
                f"<tr><td><b>{html_text(point.title)}</b><br><span class=\"fig\">"
                f"<code>{html_text(point.step)}</code></span></td>"
                f'<td><a href="#journey-{number}">{html_text(ordered[item.journey].title)}</a></td>'
                f'<td class="num">{(point.lost or 0.0) * 1000:,.0f}</td><td>{fix}</td></tr>')
        out.append("</tbody></table>")
    out.append("</section>")
    return "\n".join(out)


# --- one journey ----------------------------------------------------------------------------

def _journey(audit: JourneyAudit, points: list[CombustionPoint]) -> str:
    journey = audit.journey
    m = audit.analysis.metrics
    out = ['<div class="facts">']
    (_, file), *rest = facts(journey)
    out.append(f"<span>Journey <code>{html_text(journey.id)}</code>, {html_text(file)}</span>")
    out += [f"<span>{label}: {html_text(value)}</span>" for label, value in rest]
    out.append("</div>")
    figures = {name: value for name, value, _ in key_figures(m)}
    out.append('<div class="headline">'
               f"<div>Resolved<b>{share_text(m.p_resolution)}</b></div>"
               f"<div>First time<b>{share_text(m.p_first_time)}</b></div>"
               f"<div>End unresolved<b>{share_text(lost_share(m))}</b></div>"
               f"<div>Expected wait<b>{html_text(wait_text(m.wait_expected))}</b></div>"
               "<div>Shield layers, best / average / worst route<b>"
               f"{html_text(figures['Shield layers (best / expected / worst route)'])}</b></div>"
               f"<div>Retellings per customer<b>{html_text(count_text(m.retells_expected))}"
               "</b></div>"
               "</div>")
    out.append(_figure(journey_svg(journey, points, highlight=POINTS_SHOWN), "map"))
    out.append(_points(points[:POINTS_SHOWN], len(points)))
    out.append('<div class="two">')
    out.append(_figure(outcome_chart(audit)))
    curve = emotion_chart(audit)
    if curve is not None:
        out.append(_figure(curve))
    out.append("</div>")
    out.append(_fix_first(audit, points))
    out.append(_measure_first(audit))
    out.append(_findings(audit))
    out.append(_silenced(audit))
    return "\n".join(out)


def _figure(figure: Figure, kind: str = "chart") -> str:
    note = f" {html_text(figure.note)}" if figure.note else ""
    return (f'<figure class="{kind}">{figure.svg}<figcaption>{html_text(figure.title)}.{note}'
            "</figcaption></figure>")


def _points(points: Sequence[CombustionPoint], total: int) -> str:
    if not points:
        return ("<h3>Combustion points</h3><p>No place in this journey loses customers or adds "
                "effort above the noise floor.</p>")
    more = f" ({len(points)} of {total}; the JSON output lists all)" if total > len(points) else ""
    out = [f"<h3>Combustion points{more}</h3>",
           '<p class="muted">Most customers lost first, then the effort each place adds. The '
           "numbers match the diagram.</p>", '<ol class="points">']
    for point in points:
        figures = []
        if point.lost is not None and point.reach is not None:
            figures.append(f"loses {(point.lost * 1000):,.0f} in 1,000 customers")
            figures.append(f"reached by {percent(point.reach)}")
        if point.within is not None:
            figures.append(f"inside point {point.within}")
        if point.score is not None and (effort := effort_text(point.score)):
            figures.append(effort)
        owners = ", ".join(point.owners) or "no owning team"
        out.append(f'<li><span class="rank">{point.rank}</span><b>{html_text(point.title)}</b>'
                   f'<div class="fig">{html_text("; ".join(figures))}. Owned by '
                   f"{html_text(owners)}. Found: {html_text(', '.join(point.codes))}.</div>")
        for note in point.evidence[:EVIDENCE_SHOWN]:
            out.append(f"<blockquote>{html_text(note)}</blockquote>")
        if len(point.evidence) > EVIDENCE_SHOWN:
            hidden = len(point.evidence) - EVIDENCE_SHOWN
            out.append(f'<div class="note">and {plural(hidden, "more evidence line")} in the '
                       "journey file</div>")
        if point.levers:
            fixes = "; ".join(f"<b>{html_text(lever.lever)}</b> at <code>"
                              f"{html_text(lever.step)}</code>: "
                              f"{html_text(lever_gist(lever).rstrip('.'))}"
                              for lever in point.levers[:LEVERS_SHOWN])
            label = "Fixes here, best first" if LEVERS_SHOWN > 1 else "Best fix here"
            out.append(f'<div class="fix">{label}: {fixes}.</div>')
        out.append("</li>")
    out.append("</ol>")
    return "\n".join(out)


def _fix_first(audit: JourneyAudit, points: list[CombustionPoint]) -> str:
    ranked = fix_first(points)[:FIX_FIRST_SHOWN]
    if not ranked:
        return ""
    journey = audit.journey
    out = ["<h3>Fix first</h3>", '<p class="muted">The fixes at these points, each worked out '
           "exactly on the journey: most customers resolved first, then effort saved.</p>",
           '<table class="fixes"><thead><tr><th>#</th><th>Fix</th><th>Team</th>'
           '<th class="num">Point</th>'
           "<th>What it changes</th></tr></thead><tbody>"]
    for number, (point, lever) in enumerate(ranked, start=1):
        owner = journey.steps[lever.step].owner or "No owning team"
        out.append(f"<tr><td>{number}</td><td><b>{html_text(lever.lever)}</b> at "
                   f"<code>{html_text(lever.step)}</code></td><td>{html_text(owner)}</td>"
                   f'<td class="num">{point.rank}</td><td>{html_text(lever.description)}</td>'
                   "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def _measure_first(audit: JourneyAudit) -> str:
    worded = audit.analysis.measure_first(MEASURE_FIRST_SHOWN)
    if not worded:
        return ""
    items = "".join(f"<li>{html_text(text)}</li>" for text in worded)
    return ("<h3>Measure these first</h3><p class=\"muted\">Every share in the map is an "
            "estimate; the chance of resolution rests most on these. Check them against real "
            f"data before quoting the figures.</p><ol>{items}</ol>")


def _findings(audit: JourneyAudit) -> str:
    if not audit.findings:
        return ("<h3>Findings</h3><p>The audit found no candidate combustion point in this "
                "journey.</p>")
    journey = audit.journey
    out = ["<h3>Findings by team</h3>"]
    for team, findings in findings_by_team(journey, audit.findings):
        counts: dict[Severity, int] = Counter(f.severity for f in findings)
        out.append(f"<h4>{html_text(team)} <span class=\"muted\">"
                   f"({html_text(severity_counts_text(counts))})</span></h4>")
        out.append('<ul class="findings">')
        out += [_finding_item(entry) if isinstance(entry, Finding) else
                f'<li class="muted">{html_text(entry.text())}</li>'
                for entry in folded(findings)]
        out.append("</ul>")
    return "\n".join(out)


def _finding_item(finding: Finding) -> str:
    word = _SEVERITY_WORD.get(finding.severity, finding.severity.value.title())
    return (f'<li><span class="sev-{finding.severity.value}">{word}</span> '
            f'<a href="#rule-{finding.rule.lower()}">{html_text(finding.rule)}</a> '
            f"{html_text(finding.message)}</li>")


def _silenced(audit: JourneyAudit) -> str:
    if not audit.suppressed:
        return ""
    out = ["<h3>Silenced in the journey file</h3>", '<p class="muted">Switched off by an '
           "<code>ignore</code> entry in the map, for the reason given there; they count "
           "nowhere else in this report.</p>", "<table><tbody>"]
    for finding, reason in audit.suppressed:
        where = f"<code>{html_text(finding.step)}</code>" if finding.step else "journey"
        out.append(f'<tr><td><a href="#rule-{finding.rule.lower()}">{html_text(finding.rule)}'
                   f"</a></td><td>{where}</td><td>{html_text(finding.message)}<br>"
                   f'<span class="muted">Reason given: {html_text(reason)}</span></td></tr>')
    out.append("</tbody></table>")
    return "\n".join(out)


# --- the end --------------------------------------------------------------------------------

def _appendix(run: AuditRun[HtmlPart], ordered: Sequence[HtmlPart]) -> str:
    out = ['<section class="appendix"><h2>How to read this report</h2>']
    if run.problems or run.missing:
        out.append("<h3>Files not audited</h3><ul>")
        out += [f"<li>{html_text(str(problem))}</li>" for problem in sorted(run.problems)]
        out += [f"<li>{html_text(missing)}: no such file or folder</li>"
                for missing in run.missing]
        out.append("</ul>")
    for heading, paragraph in METHOD:
        out.append(f"<h3>{heading}</h3><p>{paragraph}</p>")
    rows = thresholds(ordered[0].options if ordered else {})
    if rows:
        out.append("<h3>Thresholds used</h3><table><thead><tr><th>Rule</th><th>Setting</th>"
                   "<th class=\"num\">Value</th></tr></thead><tbody>")
        out += [f"<tr><td>{html_text(rule)}</td><td><code>{html_text(name)}</code></td>"
                f'<td class="num">{html_text(value)}</td></tr>' for rule, name, value in rows]
        out.append("</tbody></table>")
    codes: Counter[str] = Counter()
    for part in ordered:
        codes.update(part.rules)
    used = rules_used(codes)
    if used:
        out.append("<h3>The rules</h3>")
        for rule, count in used:
            sections = rule.sections()
            out.append(f'<h4 id="rule-{rule.code.lower()}">{rule.code} {rule.name}: '
                       f"{html_text(rule.summary)} <span class=\"muted\">"
                       f"({plural(count, 'finding')})</span></h4>")
            for heading in ("What it does", "Why it matters"):
                text = " ".join(sections.get(heading, "").split())
                if text:
                    out.append(f"<p><b>{heading}.</b> {_doc_html(text)}</p>")
            out.append(f"<p><b>What to do.</b> {html_text(rule.advice)}</p>")
    out.append("</section>")
    return "\n".join(out)


def _doc_html(text: str) -> str:
    """A rule's documentation paragraph with its code spans as ``<code>``."""
    parts = text.split("`")
    return "".join(f"<code>{html_text(p)}</code>" if i % 2 else html_text(p)
                   for i, p in enumerate(parts))


# --- before and after -----------------------------------------------------------------------



def render_html_comparison(sides: Sides, *, title: str | None = None,
                           date: str | None = None) -> str:
    """As-is beside to-be, as one self-contained HTML page for a client.

    Per pair: what changed in every figure, in its own unit; the combustion
    points fixed, new and remaining; and the two diagrams, the two ways
    customers end and the two emotional curves side by side (a landscape
    page when printed). Journeys without a counterpart are listed.
    """
    heading = title or "Before and after"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html_text(heading)}</title>",
        f"<style>{STYLE}{COMPARE_STYLE}</style></head><body>",
        f"<header><h1>{html_text(heading)}</h1>",
    ]
    if date:
        parts.append(f'<p class="muted">{html_text(date)}</p>')
    parts.append("</header>")
    unpaired = []
    for number, pair in enumerate(sides.pairs, start=1):
        if pair.old is None or pair.new is None:
            unpaired.append(pair.old or pair.new)
            continue
        parts.append(_comparison(number, compare_audits(pair.old, pair.new, pair.paired_by)))
    if unpaired:
        parts.append("<section><h2>Without a counterpart</h2><ul>")
        for pair in sides.pairs:
            if pair.old is None and pair.new is not None:
                parts.append(f"<li>New: {html_text(pair.new.journey.title)} "
                             f"(<code>{html_text(pair.new.journey.file)}</code>)</li>")
            elif pair.new is None and pair.old is not None:
                parts.append(f"<li>Removed: {html_text(pair.old.journey.title)} "
                             f"(<code>{html_text(pair.old.journey.file)}</code>)</li>")
        parts.append("</ul></section>")
    if sides.problems or sides.missing:
        parts.append("<section><h2>Files not read</h2><ul>")
        parts += [f"<li>{html_text(str(problem))}</li>" for problem in sorted(sides.problems)]
        parts += [f"<li>{html_text(missing)}: no such file or folder</li>"
                  for missing in sides.missing]
        parts.append("</ul></section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


COMPARE_STYLE = """
section.compare { break-before: page; page: wide; }
section.compare:first-of-type { break-before: auto; }
.side { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; align-items: start; }
.side h4 { margin: 4px 0; }
.better { color: #1b6e35; font-weight: 600; } .worse { color: var(--accent); font-weight: 600; }
@page wide { size: A4 landscape; margin: 12mm; }
@media print { .side { display: grid; } }
"""


def _comparison(number: int, comparison: Comparison) -> str:
    old, new = comparison.old, comparison.new
    why = PAIRED_BY_WORDS.get(comparison.paired_by or "", "")
    out = [f'<section class="compare" id="pair-{number}">',
           f"<h2>{html_text(old.journey.title)} \u2192 {html_text(new.journey.title)}</h2>",
           f'<p class="muted">As-is <code>{html_text(old.journey.file)}</code>, to-be '
           f"<code>{html_text(new.journey.file)}</code>"
           + (f"; paired by {why}" if why else "") + ".</p>"]
    changed = comparison.changed_metrics
    if changed:
        out.append("<h3>What customers go through</h3><table><thead><tr><th>Figure</th>"
                   "<th class=\"num\">As-is</th><th class=\"num\">To-be</th>"
                   "<th class=\"num\">Change</th></tr></thead><tbody>")
        for change in changed:
            css = "" if change.better is None else "better" if change.better else "worse"
            shown = (change.change or "").replace("-", "\u2212")
            out.append(f"<tr><td>{html_text(change.label)}</td>"
                       f'<td class="num">{html_text(change.before)}</td>'
                       f'<td class="num">{html_text(change.after)}</td>'
                       f'<td class="num {css}">{html_text(shown)}</td></tr>')
        out.append("</tbody></table>")
    else:
        out.append("<p>No figure changed.</p>")
    fixed, new_points, remaining = (comparison.by_status(s)
                                    for s in ("fixed", "new", "remaining"))
    out.append(f"<h3>Combustion points: {len(fixed)} fixed, {len(new_points)} new, "
               f"{len(remaining)} remaining</h3>")
    for label, changes in (("Fixed", fixed), ("New", new_points), ("Remaining", remaining)):
        if not changes:
            continue
        items = []
        for moved in changes:
            point = moved.point
            lost = "" if point.lost is None else f": {point.lost * 1000:,.0f} in 1,000 lost"
            trend = f" ({moved.trend})" if moved.trend and moved.trend != "unchanged" else ""
            items.append(f"<li>{html_text(point.title)}{html_text(lost)}{trend}</li>")
        out.append(f"<h4>{label}</h4><ul>{''.join(items)}</ul>")
    old_points, new_list = combustion_points(old), combustion_points(new)
    out.append('<div class="side"><div><h4>As-is</h4>')
    out.append(_figure(journey_svg(old.journey, old_points, highlight=POINTS_SHOWN), "map"))
    out.append('</div><div><h4>To-be</h4>')
    out.append(_figure(journey_svg(new.journey, new_list, highlight=POINTS_SHOWN), "map"))
    out.append("</div></div>")
    out.append('<div class="side"><div>')
    out.append(_figure(outcome_chart(old)))
    out.append("</div><div>")
    out.append(_figure(outcome_chart(new)))
    out.append("</div></div>")
    curves = [emotion_chart(old), emotion_chart(new)]
    if any(curves):
        out.append('<div class="side">')
        for curve in curves:
            out.append("<div>" + (_figure(curve) if curve is not None else
                                  '<p class="muted">No feelings recorded.</p>') + "</div>")
        out.append("</div>")
    out.append("</section>")
    return "\n".join(out)
