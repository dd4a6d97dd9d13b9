"""The client report: an audit run as GitHub-flavoured Markdown.

A consultant hands this file to a client. It opens with an executive
summary in plain words (the journeys that most need attention, the most
frequent combustion points, the teams concerned), then gives each journey
its key figures, a Mermaid map with shield layers and combustion points
marked, the emotional curve along the most likely route, the findings
grouped by the team that owns each step, and the steps to fix first.

Everything that comes from a journey file (titles, labels, owners,
channels, evidence, and the messages that quote them) goes through
:func:`md_text`, which makes it literal text: no HTML, links, emphasis,
code, headings or table cells can come out of it. Diagram text is escaped
by :mod:`cx_audit.renderers.diagram`. The output depends only on the run
and the arguments: no clock, no environment.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from cx_audit.analysis import Route, most_likely_routes
from cx_audit.audit.engine import JourneyAudit, fix_first
from cx_audit.audit.run import AuditRun
from cx_audit.core.findings import Finding, Severity
from cx_audit.core.model import SLUG_PATTERN, Journey
from cx_audit.renderers.diagram import render_mermaid
from cx_audit.rules import RULES
from cx_audit.rules.helpers import fmt_minutes, fmt_share
from cx_audit.text.safe import printable

__all__ = ["ADVICE", "md_code", "md_text", "render_markdown"]

DEFAULT_TITLE = "Customer journey audit"
FIX_FIRST_SHOWN = 5
TOP_SHOWN = 5
ATTENTION_SHOWN = 3
JOURNEY_WIDE = "Journey-wide"
NO_OWNER = "No owning team"

MERMAID_MAX_TEXT = 50_000
"""Mermaid refuses diagrams longer than this by default (``maxTextSize``)."""

MERMAID_MAX_EDGES = 500
"""Mermaid refuses diagrams with more edges than this by default (``maxEdges``)."""

_SEVERITY_WORD = {Severity.ERROR: "Error", Severity.WARNING: "Warning", Severity.INFO: "Note"}
_SEVERITY_BADGE = {Severity.ERROR: "\U0001f534", Severity.WARNING: "\U0001f7e0",
                   Severity.INFO: "\U0001f535"}

ADVICE: Mapping[str, str] = {
    "CX101": "Add an entry step for each way customers start, so the journey can be followed.",
    "CX102": "Mark the step where the customer's matter is really solved as a resolution, "
             "or add that step.",
    "CX103": "Give customers who reach this point a way on to a resolution: a person, a "
             "callback or a follow-up.",
    "CX104": "Connect the step to the journey, or remove it if no customer ever reaches it.",
    "CX105": "Say where customers go after this step; if it ends the journey, mark it as a "
             "resolution or as giving up.",
    "CX106": "Give the loop a way out: a person to talk to, a resolution, or a clear end.",
    "CX107": "Remove the path that carries no customers, or give it its real share.",
    "CX201": "Take shield layers out of the way: identify the customer once, offer a person "
             "by the third layer, and let common cases skip the menus.",
    "CX202": "Put a person, or a way to reach one, between these shield layers, or merge them.",
    "CX203": "Offer a way from this automated step to a person.",
    "CX301": "Make the handoff warm: pass the case on with its context so the customer does "
             "not repeat it, or let the first person resolve it.",
    "CX302": "Break the chain of transfers: route to the right team first, brief every "
             "handoff, or give the first contact the authority to resolve.",
    "CX303": "Give one team ownership of the case until it is resolved, so customers are not "
             "sent back and forth.",
    "CX304": "Keep customers in the channel they chose, or carry the case across so the "
             "switch costs them nothing.",
    "CX305": "Resolve on the first pass; where a second contact cannot be avoided, let the "
             "company make it (a callback) rather than the customer.",
    "CX401": "Give the person at this step the authority, within clear limits, to resolve "
             "the common cases.",
    "CX402": "Name the team that owns this step.",
    "CX501": "Find out why customers give up here: shorten the wait, offer a callback, or "
             "remove the step.",
    "CX502": "Shorten the wait: staff to the demand, offer a callback, or tell customers how "
             "long it will take.",
    "CX503": "Give customers a second way past this point, or make it lighter: everyone has "
             "to pass it.",
    "CX504": "Work through the fix-first list: the steps where customers give up or get "
             "stuck cost the most resolutions.",
    "CX505": "Find what makes customers feel worst here and remove or soften it; prepare "
             "staff for this moment.",
    "CX506": "Let the first person the customer meets resolve more cases without passing "
             "them on.",
    "CX507": "Add agents or lower the demand (self-service that really resolves, callbacks) "
             "until the queue keeps up.",
    "CX900": "Report the failure with the journey that triggers it; the rule can be switched "
             "off meanwhile.",
    "CX901": "Remove the suppression, or point it at the rule it was meant for.",
}
"""What to do about each rule's finding, in a client's words."""

_FEELINGS = {-2: "very upset", -1: "unhappy", 0: "neutral", 1: "content", 2: "delighted"}
_FEELING_FACE = {-2: "\U0001f621", -1: "\U0001f61f", 0: "\U0001f610", 1: "\U0001f642",
                 2: "\U0001f600"}

_METRIC_NAMES = {
    "p": "chance",
    "p_resolution": "resolution",
    "p_abandon": "give up",
    "p_stranded": "stranded",
    "p_trapped": "trapped",
    "p_first_time": "first-time resolution",
    "p_wait": "chance of waiting",
    "min_resolution": "target",
    "min_first_time": "target",
    "abandon": "give up here",
    "max_abandon": "limit",
    "wait": "wait",
    "max_wait": "limit",
    "shields_min": "best route's shield layers",
    "shields_expected": "expected shield layers",
    "max_shields": "limit",
    "stack": "shield layers in a row",
    "max_stack": "limit",
    "retells_max": "most retellings",
    "max_retells": "limit",
    "emotion": "feeling",
    "emotion_before": "feeling before",
    "owners": "teams",
    "entry_shares_sum": "entry shares add up to",
    "load": "load (Erlangs)",
    "arrivals_per_hour": "arrivals per hour",
    "handle_minutes": "handling time",
    "can_resolve": "can resolve",
}
_PERCENT_METRICS = frozenset({"p", "p_resolution", "p_abandon", "p_stranded", "p_trapped",
                              "p_first_time", "p_wait", "min_resolution", "min_first_time",
                              "abandon", "max_abandon", "share", "entry_shares_sum"})
_MINUTE_METRICS = frozenset({"wait", "max_wait", "handle_minutes"})
_SKIPPED_METRICS = frozenset({"loop_steps"})

# Characters with a meaning somewhere in GitHub Markdown, escaped wherever
# they are: emphasis, code, links and images, raw HTML and entities, tables,
# headings, strikethrough, footnotes, math, emoji and autolinks.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|!~^&@$])")
_MD_WWW = re.compile(r"\b([wW]{3})\.")
_MD_SCHEME = re.compile(r"(?i)(?<=mailto):|(?<=xmpp):|:(?=//)")
_MD_LEADING = re.compile(r"^([-+=]|\d+(?=[.)]))")
_SPACES = re.compile(r"\s+")
_SLUG = re.compile(SLUG_PATTERN)


def md_text(text: Any) -> str:
    """``text`` as literal, one-line Markdown that is safe in a table cell.

    Control characters become visible escapes and whitespace one space;
    every ASCII character that means something to GitHub Markdown is
    backslash-escaped; ``www.``, ``://``, ``mailto:`` and ``xmpp:`` are
    broken so that GitHub does not turn them into links; and a leading
    ``-``, ``+``, ``=`` or ``1.`` cannot start a list.

    >>> md_text("*a* | <b>")
    '\\\\*a\\\\* \\\\| \\\\<b\\\\>'
    """
    cleaned = _SPACES.sub(" ", printable(str(text))).strip()
    escaped = _MD_SPECIAL.sub(r"\\\1", cleaned)
    escaped = _MD_WWW.sub(r"\1\\.", escaped)
    escaped = _MD_SCHEME.sub(r"\\:", escaped)
    match = _MD_LEADING.match(escaped)
    if match:
        if match.group(1)[0].isdigit():
            end = match.end()
            escaped = escaped[:end] + "\\" + escaped[end:]
        else:
            escaped = "\\" + escaped
    return escaped


def md_code(identifier: str) -> str:
    """A step or journey id as inline code when it is a plain slug, else as :func:`md_text`."""
    if _SLUG.fullmatch(identifier):
        return f"`{identifier}`"
    return md_text(identifier)


def _percent(value: float | None) -> str:
    if value is None:
        return "n/a"
    if 0 < value < 0.001:
        return "under 0.1%"
    if 0.999 < value < 1:
        return "over 99.9%"
    return fmt_share(value)


def _minutes(value: float | None) -> str:
    if value is None:
        return "no limit (customers can be trapped)"
    if value <= 0:
        return "none"
    return fmt_minutes(value)


def _count(value: Any, digits: int = 1) -> str:
    """A count or an expectation: ``None`` and ``"unbounded"`` mean no limit."""
    if value is None or value == "unbounded":
        return "no limit"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isinf(value):
            return "no limit"
        return f"{value:.{digits}f}"
    return md_text(value)


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _rule_link(code: str, rules_url: str) -> str:
    rule = RULES.get(code)
    if rule is None:
        return md_text(code)
    return f"[{rule.code} {rule.name}]({rules_url}#{rule.code.lower()}-{rule.name})"


def _advice(code: str) -> str:
    if code in ADVICE:
        return ADVICE[code]
    rule = RULES.get(code)
    if rule is None:
        return "See the rule's documentation."
    prose = rule.sections().get("Use instead", "")
    if prose and "```" not in prose:
        return _SPACES.sub(" ", prose).strip()
    return f"Avoid the pattern: {rule.summary[0].lower()}{rule.summary[1:]}."


def _severity_counts(findings: Iterable[Finding]) -> Counter[Severity]:
    return Counter(f.severity for f in findings)


def _counts_phrase(counts: Mapping[Severity, int]) -> str:
    parts = []
    for severity, word in ((Severity.ERROR, "error"), (Severity.WARNING, "warning"),
                           (Severity.INFO, "note")):
        if counts.get(severity):
            parts.append(_plural(counts[severity], word))
    return ", ".join(parts) if parts else "none"


def _urgency(audit: JourneyAudit) -> tuple[float, float, str]:
    """Sort key, most worrying first: lowest resolution, then most shield layers."""
    metrics = audit.analysis.metrics
    shields = metrics.shields_expected
    return (metrics.p_resolution, -(math.inf if shields is None else shields), audit.journey.id)


def _owner_of(journey: Journey, finding: Finding) -> str:
    if finding.step is None:
        return journey.owner or JOURNEY_WIDE
    step = journey.steps.get(finding.step)
    if step is None or not step.owner:
        return NO_OWNER
    return step.owner


def _step_name(journey: Journey, step_id: str) -> str:
    step = journey.steps.get(step_id)
    label = step.label if step is not None and step.label else step_id
    if label == step_id:
        return md_code(step_id)
    return f"{md_text(label)} ({md_code(step_id)})"


def _shields(metrics: Any) -> str:
    """Shield layers on the best route, expected, and on the worst route."""
    if metrics.shields_min is None:
        return f"no route / {_count(metrics.shields_expected)} / no route"
    return (f"{_count(metrics.shields_min)} / {_count(metrics.shields_expected)} / "
            f"{_count(metrics.shields_max)}")


# --- executive summary ------------------------------------------------------

def _attention_line(audit: JourneyAudit) -> str:
    m = audit.analysis.metrics
    name = f"**{md_text(audit.journey.title)}**"
    sentence = f"{name}: {_percent(m.p_resolution)} of customers reach a resolution"
    if m.p_first_time < m.p_resolution:
        sentence += f", {_percent(m.p_first_time)} without being passed on"
    sentence += "; "
    if m.shields_expected is None:
        sentence += "customers can pass shield layers without end"
    else:
        sentence += f"they pass {m.shields_expected:.1f} shield layers on average"
    if m.shields_max == "unbounded":
        sentence += " (a loop puts no limit on the worst route)"
    if m.wait_expected is not None and m.wait_expected > 0:
        sentence += f" and wait {fmt_minutes(m.wait_expected)} in all"
    lost = m.p_abandon + m.p_stranded + m.p_trapped
    if lost > 0.0005:
        sentence += f"; {_percent(lost)} give up or get stuck"
    return sentence + "."


def _summary(run: AuditRun, ordered: Sequence[JourneyAudit], rules_url: str) -> list[str]:
    findings = run.findings
    counts = _severity_counts(findings)
    journeys = len(ordered)
    lines = ["## Executive summary", ""]
    if not journeys:
        lines += ["No journey could be audited.", ""]
        return lines
    clean = sum(1 for a in ordered if not a.findings)
    lines.append(
        f"This audit reviewed **{_plural(journeys, 'customer journey')}** and found "
        f"**{_plural(len(findings), 'candidate combustion point')}** "
        f"({_counts_phrase(counts)}): places where a customer's experience is likely to "
        "break down. Each one is a hypothesis drawn from the journey map, with its evidence, "
        "for the owning team to confirm or dismiss."
        + (f" {_plural(clean, 'journey')} showed none." if clean else ""))
    lines.append("")
    if run.problems or run.missing:
        unread = len(run.problems) + len(run.missing)
        lines += [f"**{_plural(unread, 'input problem')}** kept some files out of the audit; "
                  "they are listed at the end of this report.", ""]

    attention = [a for a in ordered if a.findings][:ATTENTION_SHOWN]
    if attention:
        lines += ["### Journeys that most need attention", ""]
        lines += [f"{i}. {_attention_line(a)}" for i, a in enumerate(attention, start=1)]
        lines.append("")

    by_rule = Counter(f.rule for f in findings)
    if by_rule:
        journeys_of: dict[str, set[str]] = defaultdict(set)
        for finding in findings:
            journeys_of[finding.rule].add(finding.journey)
        lines += ["### Most frequent combustion points", ""]
        top = sorted(by_rule.items(), key=lambda item: (-item[1], item[0]))[:TOP_SHOWN]
        for i, (code, n) in enumerate(top, start=1):
            rule = RULES.get(code)
            what = md_text(rule.summary) if rule else md_text(code)
            lines.append(f"{i}. {what}: {_plural(n, 'time')} in "
                         f"{_plural(len(journeys_of[code]), 'journey')} "
                         f"({_rule_link(code, rules_url)}).")
        lines.append("")

        by_team: dict[str, Counter[Severity]] = defaultdict(Counter)
        journeys_by_id = {a.journey.id: a.journey for a in ordered}
        for finding in findings:
            journey = journeys_by_id.get(finding.journey)
            team = _owner_of(journey, finding) if journey else NO_OWNER
            by_team[team][finding.severity] += 1
        lines += ["### Teams concerned", ""]
        ranked = sorted(by_team.items(), key=lambda item: (
            -item[1][Severity.ERROR], -sum(item[1].values()), item[0]))[:TOP_SHOWN]
        for team, team_counts in ranked:
            lines.append(f"- **{md_text(team)}**: {_plural(sum(team_counts.values()), 'point')} "
                         f"({_counts_phrase(team_counts)})")
        lines.append("")

    lines += [
        "### All journeys at a glance",
        "",
        "Most worrying first. Shield layers are the menus, forms, checks and queues "
        "between a customer and someone who can help.",
        "",
        "| # | Journey | Resolved | First time | Shield layers (best / expected / worst) "
        "| Expected wait | Errors | Warnings |",
        "|---:|---|---:|---:|---|---:|---:|---:|",
    ]
    for i, audit in enumerate(ordered, start=1):
        m = audit.analysis.metrics
        c = _severity_counts(audit.findings)
        lines.append(
            f"| {i} | {md_text(audit.journey.title)} | {_percent(m.p_resolution)} | "
            f"{_percent(m.p_first_time)} | {_shields(m)} | {_minutes(m.wait_expected)} | "
            f"{c[Severity.ERROR]} | {c[Severity.WARNING]} |")
    lines.append("")
    return lines


# --- one journey --------------------------------------------------------------

def _facts(journey: Journey) -> list[str]:
    lines = [f"- **Journey:** {md_code(journey.id)}, from {md_text(journey.file)}"]
    if journey.persona:
        lines.append(f"- **Customer:** {md_text(journey.persona)}")
    if journey.owner:
        lines.append(f"- **Owning team:** {md_text(journey.owner)}")
    shields = sum(1 for s in journey.steps.values() if s.is_shield)
    lines.append(f"- **Map:** {_plural(len(journey.steps), 'step')}, "
                 f"{_plural(len(journey.transitions), 'transition')}, "
                 f"{_plural(shields, 'shield layer')}")
    return lines


def _figures(audit: JourneyAudit) -> list[str]:
    m = audit.analysis.metrics
    retells = f"{_count(m.retells_expected)} expected"
    if m.retells_max == "unbounded":
        retells += ", no limit on the worst route"
    elif m.retells_max is not None:
        retells += f", at most {_count(m.retells_max)}"
    rows = [
        ("Shield layers (best / expected / worst route)", _shields(m),
         "Menus, forms, checks and queues a customer passes before the journey ends"),
        ("Chance of resolution", _percent(m.p_resolution),
         "Customers whose matter is solved"),
        ("First-time resolution", _percent(m.p_first_time),
         "Solved without being handed to another person or team"),
        ("Give up", _percent(m.p_abandon), "Customers who abandon on the way"),
        ("Stranded", _percent(m.p_stranded), "Left at a step that leads nowhere"),
        ("Trapped", _percent(m.p_trapped), "Caught in a loop with no way out"),
        ("Expected wait", _minutes(m.wait_expected), "Total waiting per customer, on average"),
        ("Retellings", retells, "Times a customer tells the story again after a cold handoff"),
        ("Handoffs", f"{_count(m.handoffs_expected)} expected",
         "Times a customer is passed to another person or team"),
    ]
    lines = ["### Key figures", "", "| Measure | Value | What it means |", "|---|---|---|"]
    lines += [f"| {name} | {value} | {meaning} |" for name, value, meaning in rows]
    lines.append("")
    return lines


def _diagram(audit: JourneyAudit) -> list[str]:
    lines = ["### Journey map", ""]
    diagram = render_mermaid(audit.journey, audit.findings)
    edges = len(audit.journey.transitions)
    if len(diagram) > MERMAID_MAX_TEXT or edges > MERMAID_MAX_EDGES:
        lines += [f"This journey ({_plural(len(audit.journey.steps), 'step')}, "
                  f"{_plural(edges, 'transition')}) is too large for GitHub to draw; "
                  "use the Graphviz (DOT) drawing of it instead.", ""]
        return lines
    lines += ["```mermaid", diagram.rstrip("\n"), "```", ""]
    lines += [
        "How to read it: customers start at the pill-shaped steps and end at a rounded box "
        "(resolved) or a flag (gave up). Hexagons marked \U0001f6e1 are shield layers. A red "
        "outline marks a step with an error, an orange one a step with a warning, and \u26a0 "
        "lists the rules found there. Percentages are the share of the customers at a step "
        "who go each way (a single certain way is not labelled); dashed red arrows are cold "
        "handoffs, where the customer tells the story again.",
        "",
    ]
    return lines


def _feeling(emotion: float | None) -> str:
    if emotion is None:
        return "not recorded"
    nearest = max(-2, min(2, round(emotion)))
    return f"{_FEELING_FACE[nearest]} {_signed(emotion)} ({_FEELINGS[nearest]})"


def _signed(value: float) -> str:
    """A feeling with its sign: +1, 0, \u22122, +0.5."""
    if value == 0:
        return "0"
    return f"{value:+g}".replace("-", "\u2212")


def _route_phrase(route: Route) -> str:
    shields = _plural(route.shields, "shield layer") if route.shields else "no shield layer"
    parts = [_plural(len(route.steps), "step"), shields]
    if route.wait > 0:
        parts.append(f"{fmt_minutes(route.wait)} of waiting")
    if route.handoffs:
        parts.append(_plural(route.handoffs, "handoff"))
    listed = ", ".join(parts[:-1]) + " and " + parts[-1]
    share = _percent(route.probability)
    return f"The most likely route, taken by {share} of customers, has {listed}."


def _curve(audit: JourneyAudit) -> list[str]:
    journey = audit.journey
    lines = ["### Emotional curve along the most likely route", ""]
    routes = most_likely_routes(journey, 1)
    if not routes:
        lines += ["No route leads from an entry to a resolution, so there is no curve "
                  "to follow.", ""]
        return lines
    route = routes[0]
    lines += [_route_phrase(route), "",
              "| # | Step | Feeling | Wait | Shield layer |", "|---:|---|---|---:|---|"]
    points: list[tuple[int, float]] = []
    for i, step_id in enumerate(route.steps, start=1):
        step = journey.steps[step_id]
        stats = audit.analysis.steps.get(step_id)
        wait = stats.wait if stats is not None else (step.wait or 0.0)
        shield = f"\U0001f6e1 {md_text(step.shield)}" if step.is_shield else ""
        lines.append(f"| {i} | {_step_name(journey, step_id)} | {_feeling(step.emotion)} | "
                     f"{fmt_minutes(wait) if wait > 0 else ''} | {shield} |")
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


def _metric_value(name: str, value: Any) -> str:
    if value is None:
        return "n/a" if name == "can_resolve" else "no limit"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float) and not isinstance(value, bool):
        if name in _PERCENT_METRICS:
            return _percent(float(value))
        if name in _MINUTE_METRICS:
            return fmt_minutes(float(value))
        if name.startswith("emotion"):
            return _signed(float(value))
        return _count(value, 2)
    if isinstance(value, list | tuple):
        return ", ".join(md_text(v) for v in value)
    return _count(value)


def _figures_line(finding: Finding) -> str | None:
    parts = []
    for name, value in finding.evidence.metrics.items():
        if name in _SKIPPED_METRICS or (name == "can_resolve" and value is None):
            continue
        label = _METRIC_NAMES.get(name, name.replace("_", " "))
        parts.append(f"{md_text(label)}: {_metric_value(name, value)}")
    return "; ".join(parts) if parts else None


def _walk(journey: Journey, steps: Sequence[str]) -> str:
    return " \u2192 ".join(md_code(s) for s in steps)


def _finding_lines(journey: Journey, finding: Finding, rules_url: str) -> list[str]:
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
    lines.append(f"    - What to do: {md_text(_advice(finding.rule))} "
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
    return f"#### {md_text(team)} ({_counts_phrase(_severity_counts(findings))})"


def _by_team(audit: JourneyAudit, rules_url: str) -> list[str]:
    journey = audit.journey
    teams: dict[str, list[Finding]] = defaultdict(list)
    for finding in audit.findings:
        teams[_owner_of(journey, finding)].append(finding)
    order = sorted(teams, key=lambda t: (-_severity_counts(teams[t])[Severity.ERROR],
                                         -len(teams[t]), t))
    position = {step_id: i for i, step_id in enumerate(journey.steps)}
    lines = ["### Combustion points by team", "",
             "Each point is a candidate for the team to review, with the evidence behind it.",
             ""]
    for team in order:
        lines += [_team_heading(team, teams[team]), ""]
        groups: dict[str | None, list[Finding]] = defaultdict(list)
        for finding in teams[team]:
            groups[finding.step if finding.step in journey.steps else None].append(finding)
        keys = sorted(groups, key=lambda k: -1 if k is None else position[k])
        for key in keys:
            if key is None:
                lines.append("- **The journey as a whole**")
                notes: Sequence[str] = ()
            else:
                stats = audit.analysis.steps.get(key)
                reach = (f", reached by {_percent(stats.p_reach)} of customers"
                         if stats is not None and stats.p_reach is not None else "")
                lines.append(f"- **Step:** {_step_name(journey, key)}{reach}")
                notes = journey.steps[key].evidence
            for finding in sorted(groups[key], key=_finding_order):
                lines += _finding_lines(journey, finding, rules_url)
            if notes:
                lines += _quotes(notes)
        if lines[-1] != "":
            lines.append("")
    return lines


def _delta_points(value: float | None) -> str:
    if value is None:
        return "n/a"
    points = value * 100
    if abs(points) < 0.05:
        return "no change"
    return f"{points:+.1f} pts".replace("-", "\u2212")


def _delta_count(value: float | None) -> str:
    if value is None:
        return "n/a"
    if abs(value) < 0.005:
        return "no change"
    return f"{value:+.2f}".replace("-", "\u2212")


def _delta_wait(value: float | None) -> str:
    if value is None:
        return "n/a"
    if abs(value) < 1 / 120:
        return "no change"
    return ("\u2212" if value < 0 else "+") + fmt_minutes(abs(value))


def _fix_first(audit: JourneyAudit, shown: int) -> list[str]:
    ranked = fix_first(audit.findings)[:shown]
    if not ranked:
        return []
    journey = audit.journey
    codes: dict[str, set[str]] = defaultdict(set)
    for finding in audit.findings:
        if finding.step is not None:
            codes[finding.step].add(finding.rule)
    lines = [
        "### Fix first",
        "",
        "What would change if the step were taken out of the journey (its wait, shield "
        "layer and abandonment gone, its customers passed straight on), largest gain in "
        "resolution first.",
        "",
        "| # | Step | Team | Found there | Resolution | Shield layers | Wait |",
        "|---:|---|---|---|---:|---:|---:|",
    ]
    for i, finding in enumerate(ranked, start=1):
        impact = finding.impact or {}
        step_id = finding.step or ""
        lines.append(
            f"| {i} | {_step_name(journey, step_id)} | {md_text(_owner_of(journey, finding))} | "
            f"{', '.join(sorted(codes[step_id]))} | "
            f"{_delta_points(impact.get('delta_p_resolution'))} | "
            f"{_delta_count(impact.get('delta_shields_expected'))} | "
            f"{_delta_wait(impact.get('delta_wait_expected'))} |")
    lines.append("")
    return lines


def _journey_section(number: int, audit: JourneyAudit, rules_url: str,
                     fix_first_shown: int) -> list[str]:
    lines = [f"## {number}. {md_text(audit.journey.title)}", ""]
    lines += _facts(audit.journey)
    lines.append("")
    lines += _figures(audit)
    lines += _diagram(audit)
    lines += _curve(audit)
    if audit.findings:
        lines += _by_team(audit, rules_url)
        lines += _fix_first(audit, fix_first_shown)
    else:
        lines += ["### No combustion points found", "",
                  "The audit found no candidate combustion point in this journey. The "
                  "figures above are still worth checking against what customers and "
                  "front-line staff report.", ""]
    return lines


def _appendix(run: AuditRun, rules_url: str) -> list[str]:
    lines: list[str] = []
    if run.problems or run.missing:
        lines += ["## Files not audited", ""]
        lines += [f"- {md_text(str(problem))}" for problem in sorted(run.problems)]
        lines += [f"- {md_text(missing)}: no such file or folder" for missing in run.missing]
        lines.append("")
    used = Counter(f.rule for f in run.findings)
    lines += [
        "## About this report",
        "",
        "The figures are exact results of the journey map read as a chain of chances "
        "(an absorbing Markov chain), not samples or simulations; they are only as good as "
        "the shares, waits and abandon rates written in the map. A combustion point is a "
        "candidate found from the map's shape and figures: confirm it with the evidence "
        "and the people who run the step.",
        "",
    ]
    if used:
        lines += ["| Rule | Flags | Found |", "|---|---|---:|"]
        for code in sorted(used):
            rule = RULES.get(code)
            summary = md_text(rule.summary) if rule else ""
            lines.append(f"| {_rule_link(code, rules_url)} | {summary} | {used[code]} |")
        lines.append("")
    return lines


def render_markdown(run: AuditRun, *, title: str | None = None, date: str | None = None,
                    rules_url: str = "docs/rules.md",
                    fix_first_shown: int = FIX_FIRST_SHOWN) -> str:
    """The audit run as a GitHub Markdown report for a client.

    Parameters
    ----------
    run : AuditRun
    title : str, optional (default=None)
        The report's heading; "Customer journey audit" when not given.
    date : str, optional (default=None)
        A date (or any text) printed under the heading; nothing when not
        given, so the same run always gives the same report.
    rules_url : str, optional (default="docs/rules.md")
        Where rule codes link to; each link adds the rule's anchor.
    fix_first_shown : int, optional (default=5)
        How many steps each journey's fix-first table lists.

    Returns
    -------
    str
        The report, ending with a newline.
    """
    ordered = sorted(run.audits, key=_urgency)
    lines = [f"# {md_text(title) if title else DEFAULT_TITLE}", ""]
    if date:
        lines += [f"Audit of {md_text(date)}.", ""]
    lines += _summary(run, ordered, rules_url)
    for number, audit in enumerate(ordered, start=1):
        lines += _journey_section(number, audit, rules_url, fix_first_shown)
    lines += _appendix(run, rules_url)
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"
