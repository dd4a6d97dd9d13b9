"""Numbers and durations as people read them, in reports and messages.

Durations are in minutes throughout the code base (the unit of the journey
format); a rule's message, a terminal table and a client report all show
them through :func:`human_duration`, so one wait reads the same everywhere.
"""

from __future__ import annotations

import math

__all__ = ["human_duration", "per_thousand", "percent", "plural", "signed_duration"]


def human_duration(minutes: float) -> str:
    """A duration in minutes, in the unit a reader expects, to three significant figures.

    Seconds under a minute, minutes up to two hours, hours up to two days,
    then days.

    An infinite duration (customers who can wait without end) is "no limit".

    >>> human_duration(0.75), human_duration(4.5), human_duration(150), human_duration(4320)
    ('45 s', '4.5 min', '2.5 h', '3 d')
    >>> human_duration(float("inf"))
    'no limit'
    """
    if minutes == math.inf:
        return "no limit"
    if minutes < 1:
        return f"{minutes * 60:.0f} s"
    if minutes < 120:
        return f"{minutes:.3g} min"
    if minutes < 2880:
        return f"{minutes / 60:.3g} h"
    return f"{minutes / 1440:.3g} d"


def signed_duration(minutes: float, minus: str = "-") -> str:
    """A change of duration with its sign; ``minus`` is the sign written for a fall.

    >>> signed_duration(-90), signed_duration(0.5), signed_duration(-3, minus="\\u2212")
    ('-90 min', '+30 s', '\\u22123 min')
    """
    return (minus if minutes < 0 else "+") + human_duration(abs(minutes))


def percent(share: float) -> str:
    """A share between 0 and 1 as a percentage to one decimal, without a trailing ``.0``.

    >>> percent(0.125), percent(0.4), percent(1 / 3)
    ('12.5%', '40%', '33.3%')
    """
    shown = f"{share * 100:.1f}"
    return f"{shown.removesuffix('.0')}%"


def plural(count: int, word: str, plural_word: str | None = None) -> str:
    """``count`` and ``word``, in the plural (``word`` + s unless given) unless the count is 1.

    >>> plural(1, "step"), plural(3, "step"), plural(2, "query", "queries")
    ('1 step', '3 steps', '2 queries')
    """
    return f"{count} {word if count == 1 else (plural_word or word + 's')}"


def per_thousand(share: float) -> str:
    """A share of customers as a count per 1,000, as a client reads it.

    >>> per_thousand(0.3504), per_thousand(0.0092), per_thousand(0.0)
    ('350', '9.2', '0')
    """
    count = share * 1000
    return f"{count:,.0f}" if count >= 10 or count == 0 else f"{count:.1f}"
