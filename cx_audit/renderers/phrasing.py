"""The figures of an audit in the plain words of a client report.

Every function returns plain text without markup and holds no text from a
journey file, so a report can write it as it is. Falls are written with a
true minus sign (U+2212), as a typeset report shows them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from cx_audit.analysis import Route
from cx_audit.analysis.levers import Lever
from cx_audit.analysis.metrics import METRIC_LABELS, Metrics
from cx_audit.audit.points import Score
from cx_audit.core.findings import Severity
from cx_audit.text.formatting import human_duration, percent, plural, signed_duration

__all__ = [
    "FEELINGS",
    "FEELING_FACES",
    "MINUS",
    "MINUTE_FIGURES",
    "PERCENT_FIGURES",
    "SEVERITY_WORDS",
    "count_text",
    "delta_count_text",
    "delta_points_text",
    "delta_wait_text",
    "effort_text",
    "feeling_text",
    "figure_label",
    "figure_text",
    "lever_gist",
    "route_sentence",
    "severity_counts_text",
    "share_text",
    "shields_text",
    "signed_number",
    "wait_text",
]

MINUS = "\u2212"
"""The minus sign of a fall or a negative feeling."""

PERCENT_FIGURES = frozenset({"p", "p_resolution", "p_abandon", "p_stranded", "p_trapped",
                             "p_first_time", "p_wait", "min_resolution", "min_first_time",
                             "abandon", "max_abandon", "share", "entry_shares_sum"})
"""Evidence figures that are shares of customers, shown as percentages."""

MINUTE_FIGURES = frozenset({"wait", "max_wait", "handle_minutes"})
"""Evidence figures that are durations in minutes."""

FEELINGS = {-2: "very upset", -1: "unhappy", 0: "neutral", 1: "content", 2: "delighted"}
"""The word for each whole step of the feeling scale (-2 to +2)."""

FEELING_FACES = {-2: "\U0001f621", -1: "\U0001f61f", 0: "\U0001f610", 1: "\U0001f642",
                 2: "\U0001f600"}
"""The face shown beside each whole step of the feeling scale."""

SEVERITY_WORDS = ((Severity.ERROR, "error"), (Severity.WARNING, "warning"),
                  (Severity.INFO, "note"))
"""Severities in the order a count lists them, each with its word in a report."""


def share_text(value: float | None) -> str:
    """A share of customers; a share that rounds to 0% or 100% but is not says so.

    >>> share_text(0.25), share_text(0.0004), share_text(0.9996), share_text(None)
    ('25%', 'under 0.1%', 'over 99.9%', 'n/a')
    """
    if value is None:
        return "n/a"
    if 0 < value < 0.001:
        return "under 0.1%"
    if 0.999 < value < 1:
        return "over 99.9%"
    return percent(value)


def wait_text(value: float | None) -> str:
    """An expected wait; infinity is the wait of customers who can be trapped.

    >>> wait_text(4.5), wait_text(0), wait_text(float("inf"))
    ('4.5 min', 'none', 'no limit (customers can be trapped)')
    """
    if value is None or math.isinf(value):
        return "no limit (customers can be trapped)"
    if value <= 0:
        return "none"
    return human_duration(value)


def count_text(value: Any, digits: int = 1) -> str:
    """A count or an expectation; ``None``, ``"unbounded"`` and infinity mean no limit.

    >>> count_text(3), count_text(2.345), count_text("unbounded"), count_text(True)
    ('3', '2.3', 'no limit', 'yes')
    """
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
    return str(value)


def shields_text(metrics: Metrics) -> str:
    """Shield layers on the best route, expected, and on the worst route: ``2 / 2.4 / 5``."""
    if metrics.shields_min is None:
        return f"no route / {count_text(metrics.shields_expected)} / no route"
    return (f"{count_text(metrics.shields_min)} / {count_text(metrics.shields_expected)} / "
            f"{count_text(metrics.shields_max)}")


def severity_counts_text(counts: Mapping[Severity, int]) -> str:
    """Findings counted by severity, most serious first: ``2 errors, 1 note``; else ``none``.

    >>> severity_counts_text({Severity.INFO: 1, Severity.ERROR: 2})
    '2 errors, 1 note'
    """
    parts = [plural(counts[severity], word) for severity, word in SEVERITY_WORDS
             if counts.get(severity)]
    return ", ".join(parts) if parts else "none"


def signed_number(value: float) -> str:
    """A number with its sign, as few digits as it needs: ``+1``, ``0``, ``\u22122``, ``+0.5``.

    >>> signed_number(1), signed_number(0), signed_number(-2), signed_number(0.5)
    ('+1', '0', '\\u22122', '+0.5')
    """
    if value == 0:
        return "0"
    return f"{value:+g}".replace("-", MINUS)


def feeling_text(emotion: float | None) -> str:
    """A feeling on the -2 to +2 scale: face, number and the word of the nearest step.

    >>> feeling_text(-1.4)[1:], feeling_text(None)
    (' \\u22121.4 (unhappy)', 'not recorded')
    """
    if emotion is None:
        return "not recorded"
    nearest = max(-2, min(2, round(emotion)))
    return f"{FEELING_FACES[nearest]} {signed_number(emotion)} ({FEELINGS[nearest]})"


def _change_text(value: float | None, threshold: float, shown: Callable[[float], str]) -> str:
    """``shown(value)`` with a true minus sign.

    ``n/a`` for None, ``no change`` under ``threshold``.
    """
    if value is None:
        return "n/a"
    if abs(value) < threshold:
        return "no change"
    return shown(value).replace("-", MINUS)


def delta_points_text(value: float | None) -> str:
    """A change of a share, in percentage points; under 0.05 points is no change.

    >>> delta_points_text(0.123), delta_points_text(-0.0001), delta_points_text(None)
    ('+12.3 pts', 'no change', 'n/a')
    """
    points = None if value is None else value * 100
    return _change_text(points, 0.05, lambda p: f"{p:+.1f} pts")


def delta_count_text(value: float | None) -> str:
    """A change of an expected count, to two decimals; under 0.005 is no change.

    >>> delta_count_text(-1.5), delta_count_text(0.001)
    ('\\u22121.50', 'no change')
    """
    return _change_text(value, 0.005, lambda v: f"{v:+.2f}")


def delta_wait_text(value: float | None) -> str:
    """A change of an expected wait in minutes; under half a second is no change.

    >>> delta_wait_text(-4.5), delta_wait_text(0.001)
    ('\\u22124.5 min', 'no change')
    """
    return _change_text(value, 1 / 120, signed_duration)


def figure_label(name: str) -> str:
    """The human name of an evidence figure (see ``METRIC_LABELS``), else its name in words.

    >>> figure_label("p_resolution"), figure_label("revisit_cases")
    ('resolution', 'revisit cases')
    """
    return METRIC_LABELS.get(name, name.replace("_", " "))


def figure_text(name: str, value: Any) -> str:
    """An evidence figure's value in the unit its name implies.

    Shares as percentages, waits as durations, feelings with their sign,
    other numbers to two decimals; ``None`` is no limit (or, for
    ``can_resolve``, not known).

    >>> figure_text("p_abandon", 0.3), figure_text("max_wait", 90), figure_text("load", 2)
    ('30%', '90 min', '2')
    """
    if value is None:
        return "n/a" if name == "can_resolve" else "no limit"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        if name in PERCENT_FIGURES:
            return share_text(float(value))
        if name in MINUTE_FIGURES:
            return human_duration(float(value))
        if name.startswith("emotion"):
            return signed_number(float(value))
        return count_text(value, 2)
    return count_text(value)


def route_sentence(route: Route) -> str:
    """One sentence on the most likely route: its share, steps, shield layers, wait, handoffs."""
    shields = plural(route.shields, "shield layer") if route.shields else "no shield layer"
    parts = [plural(len(route.steps), "step"), shields]
    if route.wait > 0:
        parts.append(f"{human_duration(route.wait)} of waiting")
    if route.handoffs:
        parts.append(plural(route.handoffs, "handoff"))
    listed = ", ".join(parts[:-1]) + " and " + parts[-1]
    return (f"The most likely route, taken by {share_text(route.probability)} of customers, "
            f"has {listed}.")


def effort_text(score: Score) -> str:
    """The effort part of a combustion point's score, in the order it ranks by.

    Counts are per 1,000 customers, waiting and shield layers per customer,
    as a client reads them; nothing when the place adds no effort.

    >>> for part in effort_text(Score(lost=0.0, retells=120.0, handoffs=150.0,
    ...                                   wait=3000.0, shields=800.0)).split(", "):
    ...     print(part)
    adds 120 retellings and 150 handoffs in 1,000 customers
    3 min of waiting and 0.8 shield layers per customer
    >>> effort_text(Score(lost=5.0, retells=0.0, handoffs=0.0, wait=0.0, shields=0.0))
    ''
    """
    counted = [f"{x:,.0f} {word}" for x, word in ((score.retells, "retellings"),
                                                  (score.handoffs, "handoffs")) if x >= 0.5]
    each = []
    if score.wait / 1000 >= 0.05:
        each.append(f"{human_duration(score.wait / 1000)} of waiting")
    if score.shields / 1000 >= 0.05:
        each.append(f"{score.shields / 1000:.1f} shield layers")
    parts = []
    if counted:
        parts.append(" and ".join(counted) + " in 1,000 customers")
    if each:
        parts.append(" and ".join(each) + " per customer")
    return "adds " + ", ".join(parts) if parts else ""


def lever_gist(lever: Lever) -> str:
    """A fix in one sentence: what it gains first (the full wording is its ``description``).

    The description is the action, then one sentence per figure it moves,
    customers first; the gist is the first of those, and says when the fix
    also worsens something.
    """
    sentences = [s.strip() for s in lever.description.split(". ") if s.strip()]
    told = [s for s in sentences if s.startswith("It ")]
    gist = told[0].removeprefix("It ").rstrip(".") if told else sentences[0].rstrip(".")
    gist = gist[0].upper() + gist[1:]
    if lever.worsens:
        words = [_WORSENED.get(name, name) for name in lever.worsens]
        listed = ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else words[0]
        gist += f"; it also adds {listed}"
    return gist + "."


_WORSENED = {"p_resolution": "unresolved customers", "retells_expected": "retellings",
             "wait_expected": "waiting", "shields_expected": "shield layers"}
