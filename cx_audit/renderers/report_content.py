"""What a client report says, before it is written as Markdown or HTML.

Both report formats show the same content: journeys most worrying first,
their key figures in plain words, findings grouped by the team that owns
each step, the places that matter most across the audit, what was
silenced and why, the rules explained, and how the figures were computed.
This module works that content out once, as plain text and records; the
format modules only escape and lay it out. Nothing here holds markup.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from cx_audit.analysis.levers import Lever
from cx_audit.analysis.metrics import Metrics
from cx_audit.audit.engine import JourneyAudit
from cx_audit.audit.points import CombustionPoint
from cx_audit.core.findings import Finding, Severity
from cx_audit.core.model import Journey
from cx_audit.renderers.phrasing import count_text, share_text, shields_text, wait_text
from cx_audit.rules import RULES, Rule
from cx_audit.text.formatting import human_duration, plural

__all__ = [
    "JOURNEY_WIDE",
    "METHOD",
    "NO_OWNER",
    "REPEATS_SHOWN",
    "UNKNOWN_RULE_ADVICE",
    "Repeats",
    "TopPoint",
    "advice",
    "facts",
    "findings_by_team",
    "folded",
    "key_figures",
    "lost_share",
    "owner_of",
    "rules_used",
    "thresholds",
    "top_points",
    "urgency",
]

JOURNEY_WIDE = "Journey-wide"
"""The team heading of findings about the whole journey when it names no owner."""

NO_OWNER = "No owning team"
"""The team heading of findings at steps that name no owner."""

UNKNOWN_RULE_ADVICE = "See the rule's documentation."

METHOD = (
    ("How the figures are computed",
     "Each journey map is read as an absorbing Markov chain (Grinstead and Snell, "
     "Introduction to Probability, chapter 11): every step is a state, every way on a "
     "transition with the share of customers the map gives it, and every resolution, "
     "give-up and dead end an absorbing state. The chances of each ending, the expected "
     "waiting, shield layers, handoffs and retellings are solved exactly, not simulated; "
     "they are only as good as the shares, waits and abandon rates written in the map."),
    ("Combustion points",
     "The findings of a journey are grouped by the place they concern: a step, a handoff, "
     "a loop (steps that can all reach one another) or a chain (a run of shield or choke "
     "steps). Each place is ranked by the customers who end unresolved there, then by the "
     "effort it adds across all customers: stories retold, handoffs, minutes waited and "
     "shield layers, in that order. A place that loses fewer than 1 customer in 1,000 and "
     "adds less than a tenth of any of the journey's efforts is left out."),
    ("Fixes",
     "Each fix is a change of one step (lower its abandonment to the limit, stop it being "
     "a shield layer, make a cold handoff warm, give a frontline person authority, remove "
     "a loop's busiest way back, staff a queue, remove a pure wait) solved exactly on the "
     "chain like the journey itself. Fixes are ranked by customers gained, then effort "
     "saved."),
    ("What to measure first",
     "The derivative of the chance of resolution with respect to every share in the map, "
     "computed exactly: the shares it moves most are the estimates to check against real "
     "data before the figures are quoted."),
)
"""The method note of a report: (heading, paragraph) pairs."""


def advice(code: str) -> str:
    """What to do about a finding of rule ``code``: the rule's ``advice``, in a client's words."""
    rule = RULES.get(code)
    return rule.advice if rule is not None else UNKNOWN_RULE_ADVICE


def facts(journey: Journey) -> list[tuple[str, str]]:
    """What a report says of a journey before its figures: (label, plain text) pairs.

    The first is the journey's file; the id is left to the format, which
    shows it as code.
    """
    found = [("Journey", journey.file)]
    if journey.persona:
        found.append(("Customer", journey.persona))
    if journey.owner:
        found.append(("Owning team", journey.owner))
    shields = sum(1 for s in journey.steps.values() if s.is_shield)
    found.append(("Map", f"{plural(len(journey.steps), 'step')}, "
                         f"{plural(len(journey.transitions), 'transition')}, "
                         f"{plural(shields, 'shield layer')}"))
    return found


def lost_share(metrics: Metrics) -> float:
    """The share of customers who end unresolved: give up, stranded or trapped."""
    return metrics.p_abandon + metrics.p_stranded + metrics.p_trapped


def urgency(audit: JourneyAudit) -> tuple[float, float, str]:
    """Sort key, most worrying first: lowest resolution, then most shield layers."""
    metrics = audit.analysis.metrics
    return (metrics.p_resolution, -metrics.shields_expected, audit.journey.id)


def owner_of(journey: Journey, finding: Finding) -> str:
    """The team a finding is filed under: its step's owner, else a placeholder heading."""
    if finding.step is None:
        return journey.owner or JOURNEY_WIDE
    step = journey.steps.get(finding.step)
    if step is None or not step.owner:
        return NO_OWNER
    return step.owner


def findings_by_team(journey: Journey,
                     findings: Iterable[Finding]) -> list[tuple[str, list[Finding]]]:
    """Findings per owning team: teams with most errors first, then most findings.

    Within a team, errors first, then in file order.
    """
    teams: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        teams[owner_of(journey, finding)].append(finding)
    rank = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}

    def errors(team: str) -> int:
        return sum(1 for f in teams[team] if f.severity is Severity.ERROR)

    order = sorted(teams, key=lambda t: (-errors(t), -len(teams[t]), t))
    return [(team, sorted(teams[team], key=lambda f: (rank.get(f.severity, 3), f.line,
                                                        f.column, f.rule)))
            for team in order]


REPEATS_SHOWN = 5
"""Findings of one rule listed per team in a report; the rest are told as one line."""

STEPS_NAMED = 3
"""Steps a folded line names before "and others"."""


@dataclass(frozen=True, slots=True)
class Repeats:
    """A team's findings of one rule past the first :data:`REPEATS_SHOWN`, as one line.

    A report is read by people: 100,000 empty steps give 100,000 findings of
    each rule, and a list of them buries the rest. JSON, SARIF and the
    terminal still list every one.
    """

    rule: str
    severity: Severity
    count: int
    steps: tuple[str, ...]
    """The first :data:`STEPS_NAMED` steps among them (journey findings name none)."""
    more_steps: bool = False
    """Whether they lie at other steps too."""

    def text(self) -> str:
        """The line, in plain words."""
        named = ", ".join(self.steps)
        where = ""
        if named:
            where = f" at {named}" + (" and others" if self.more_steps else "")
        return (f"and {self.count:,} more {self.rule} finding{'s' * (self.count != 1)} like "
                f"these{where}; the JSON output (cx-audit audit -f json) lists every one")


def folded(findings: Sequence[Finding]) -> list[Finding | Repeats]:
    """``findings`` in order, each rule's past the first :data:`REPEATS_SHOWN` folded.

    The fold of a rule stands where its first hidden finding was (the
    Markdown report, which lists findings under their steps, closes the
    team's list with it).
    """
    shown: Counter[str] = Counter()
    hidden: dict[str, list[Finding]] = defaultdict(list)
    place: dict[str, int] = {}
    out: list[Finding | Repeats | None] = []
    for finding in findings:
        if shown[finding.rule] < REPEATS_SHOWN:
            shown[finding.rule] += 1
            out.append(finding)
            continue
        if finding.rule not in place:
            place[finding.rule] = len(out)
            out.append(None)
        hidden[finding.rule].append(finding)
    for rule, at in place.items():
        rest = hidden[rule]
        steps = tuple(dict.fromkeys(f.step for f in rest if f.step is not None))
        out[at] = Repeats(rule=rule, severity=rest[0].severity, count=len(rest),
                          steps=steps[:STEPS_NAMED], more_steps=len(steps) > STEPS_NAMED)
    return [entry for entry in out if entry is not None]


def key_figures(metrics: Metrics) -> list[tuple[str, str, str]]:
    """The journey's key figures as (measure, value, what it means), in plain text."""
    m = metrics
    retells = f"{count_text(m.retells_expected)} expected"
    if m.retells_max == "unbounded":
        retells += ", no limit on the worst route"
    elif m.retells_max is not None:
        retells += f", at most {count_text(m.retells_max)}"
    return [
        ("Shield layers (best / expected / worst route)", shields_text(m),
         "Menus, forms, checks and queues a customer passes before the journey ends"),
        ("Chance of resolution", share_text(m.p_resolution),
         "Customers whose matter is solved"),
        ("First-time resolution", share_text(m.p_first_time),
         "Solved without being handed to another person or team"),
        ("Give up", share_text(m.p_abandon), "Customers who abandon on the way"),
        ("Stranded", share_text(m.p_stranded), "Left at a step that leads nowhere"),
        ("Trapped", share_text(m.p_trapped), "Caught in a loop with no way out"),
        ("Expected wait", wait_text(m.wait_expected), "Total waiting per customer, on average"),
        ("Retellings", retells, "Times a customer tells the story again after a cold handoff"),
        ("Handoffs", f"{count_text(m.handoffs_expected)} expected",
         "Times a customer is passed to another person or team"),
    ]


@dataclass(frozen=True, slots=True)
class TopPoint:
    """One of the places that matter most across an audit."""

    journey: int
    """The index of its journey, in the order the points were given."""
    point: CombustionPoint
    lever: Lever | None
    """The fix there that gains most, or ``None`` when none gains anything."""


def top_points(points: Sequence[Sequence[CombustionPoint]], count: int) -> list[TopPoint]:
    """The ``count`` points that lose the most customers across the audit.

    ``points`` are each journey's combustion points. Each journey's
    customers count alike (per 1,000 of that journey); a point inside a
    larger one is skipped, so that no customer is counted twice on the
    summary page.
    """
    candidates: list[tuple[float, int, int, CombustionPoint]] = []
    for j, listed in enumerate(points):
        for point in listed:
            if point.lost is not None and point.lost > 0.0 and point.within is None:
                candidates.append((-point.lost, j, point.rank, point))
    candidates.sort(key=lambda c: c[:3])
    return [TopPoint(j, point, point.levers[0] if point.levers else None)
            for _, j, _, point in candidates[:count]]


def rules_used(codes: Counter[str]) -> list[tuple[Rule, int]]:
    """The rules that found something (``codes``: findings per rule code), in code order."""
    return [(RULES[code], codes[code]) for code in sorted(codes) if code in RULES]


def thresholds(options: Mapping[str, float | int]) -> list[tuple[str, str, str]]:
    """The rule options an audit used (``options`` over the defaults): (rule, option, value)."""
    rows = []
    for rule in sorted(RULES.values(), key=lambda r: r.code):
        for name, option in rule.options.items():
            value = options.get(name, option.default)
            shown = human_duration(value) if option.kind == "duration" else f"{value:g}"
            rows.append((f"{rule.code} {rule.name}", name, shown))
    return rows
