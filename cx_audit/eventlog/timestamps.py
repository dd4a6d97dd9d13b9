"""Timestamps of event logs, read fast: ISO 8601 and the unpadded ``Y/M/D H:MM:SS`` form.

Accepted (a ``T`` or a space between date and time; the time is optional):

- ``2010-03-31T15:59:42+01:00``, ``2010-03-31 15:59:42``, ``2010-03-31T15:59:42Z``,
  ``2010-03-31T15:59:42.123+0100``, ``2010-03-31T15:59`` — ISO 8601, with
  or without a zone (``Z``, ``±hh``, ``±hhmm``, ``±hh:mm``) and fractional
  seconds (``.`` or ``,``, any number of digits);
- ``2012/10/9 14:50:17``, ``2012/10/09 08:40:25.000`` — the same with
  slashes and with or without zero padding of month, day and hour.

A timestamp is turned into seconds since 1970-01-01 as a float, and must
fall within the years 1 to 9999 once its zone is applied (:data:`EARLIEST`,
:data:`LATEST`), the range every date library shows: ``9999-12-31T23:59:60``
(a leap second) and ``9999-12-31T24:00`` are past it. A time
with a zone is converted to UTC; a time without one is read as it stands
(as if UTC), so differences between events of one log are right as long as
the log does not mix zoned and unzoned times (nor crosses a daylight-saving
change without a zone, which no reader could repair).

Speed: a log repeats its dates and its times of day over and over, so the
parser keeps two caches, date text -> day number and time-of-day text
(with its zone) -> seconds. A typical timestamp then costs two slices and
two dictionary look-ups; fractional seconds are split off before the look-up.
The caches are bounded (:data:`CACHE_LIMIT` entries each; they are emptied
when full), so memory does not grow with the log.
"""

from __future__ import annotations

import re
from datetime import date

__all__ = ["CACHE_LIMIT", "EARLIEST", "EXAMPLES", "LATEST", "TimestampParser", "parse_timestamp",
           "timestamp_problem"]

CACHE_LIMIT = 200_000
"""Most entries each cache holds (the date cache needs one per day of the log)."""

EXAMPLES = "2010-03-31T15:59:42+01:00, 2010-03-31 15:59:42.123 or 2012/10/9 14:50:17"
"""What an accepted timestamp looks like, for error messages."""

_EPOCH_DAY = date(1970, 1, 1).toordinal()

EARLIEST = (date.min.toordinal() - _EPOCH_DAY) * 86400.0
"""Epoch seconds of 0001-01-01T00:00:00 UTC, the earliest timestamp accepted."""
LATEST = (date.max.toordinal() + 1 - _EPOCH_DAY) * 86400.0
"""Epoch seconds of the end of 9999-12-31 UTC; every timestamp accepted is before it."""
_DATE = re.compile(r"([0-9]{4})([-/])([0-9]{1,2})\2([0-9]{1,2})")
_TIME = re.compile(
    r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?"      # hours, minutes, seconds
    r"\s*(Z|z|UTC|[+-][0-9]{2}(?::?[0-9]{2})?)?")     # zone
_DIGITS = frozenset("0123456789")


class TimestampParser:
    """A callable that reads one timestamp text into epoch seconds, or ``None``.

    One parser per log: its caches learn the log's dates and times of day.

    >>> parse = TimestampParser()
    >>> parse("1970-01-02T00:00:30Z"), parse("1970/1/2 1:00:30+01:00")
    (86430.0, 86430.0)
    >>> parse("2012-02-30 10:00") is None, parse("9999-12-31T23:59:60") is None
    (True, True)
    """

    __slots__ = ("_days", "_times", "_zones")

    def __init__(self) -> None:
        self._days: dict[str, int] = {}
        self._times: dict[str, float] = {}
        self._zones: dict[str, int] = {}

    @property
    def caches(self) -> tuple[dict[str, int], dict[str, float]]:
        """The date cache (date text -> days since 1970-01-01) and the time-of-day
        cache (time text with its zone -> seconds), for callers that look them up
        inline before calling the parser. They are cleared, never replaced.
        """
        return self._days, self._times

    def __call__(self, text: str) -> float | None:
        value = self.unchecked(text)
        return value if value is not None and EARLIEST <= value < LATEST else None

    def unchecked(self, text: str) -> float | None:
        """Epoch seconds of ``text``, or ``None``, without the check of the years 1 to 9999."""
        if len(text) > 10 and text[10] in "T ":
            cut = 10
        else:
            space, letter = text.find(" "), text.find("T")
            cut = min(space, letter) if space >= 0 and letter >= 0 else max(space, letter)
        date_text = text if cut < 0 else text[:cut]
        day = self._days.get(date_text)
        if day is None:
            day = self._day(date_text)
            if day is None:
                return None
        if cut < 0:
            return day * 86400.0
        rest = text[cut + 1:]
        seconds = self._times.get(rest)
        if seconds is not None:
            return day * 86400.0 + seconds
        fraction = 0.0
        point = rest.find(".")
        if point < 0:
            point = rest.find(",")
        if point >= 0:
            end, size = point + 1, len(rest)
            while end < size and rest[end] in _DIGITS:
                end += 1
            if end == point + 1:
                return None
            fraction = float("0." + rest[point + 1:end])  # any number of digits
            rest = rest[:point] + rest[end:]
            seconds = self._times.get(rest)
        if seconds is None:
            seconds = self._time(rest)
            if seconds is None:
                return None
        return day * 86400.0 + seconds + fraction

    def _day(self, text: str) -> int | None:
        match = _DATE.fullmatch(text.strip())
        if match is None:
            return None
        try:
            day = date(int(match[1]), int(match[3]), int(match[4])).toordinal() - _EPOCH_DAY
        except ValueError:
            return None
        if len(self._days) >= CACHE_LIMIT:
            self._days.clear()
        self._days[text] = day
        return day

    def _time(self, text: str) -> float | None:
        zone = text[8:]
        offset = self._zones.get(zone) if text[2:3] == ":" and text[5:6] == ":" else None
        digits = text[:2].isdigit() and text[3:5].isdigit() and text[6:8].isdigit()
        if offset is not None and digits:
            hours, minutes, secs = int(text[:2]), int(text[3:5]), int(text[6:8])
        else:
            match = _TIME.fullmatch(text.strip())
            if match is None:
                return None
            hours, minutes = int(match[1]), int(match[2])
            secs = int(match[3]) if match[3] else 0
            offset = _offset(match[4])
            if match[3] and match.end(3) == 8:
                self._zones[text[8:]] = offset
        if hours > 24 or minutes > 59 or secs > 60 or (hours == 24 and minutes + secs):
            return None
        value = float(hours * 3600 + minutes * 60 + secs) - offset
        if len(self._times) >= CACHE_LIMIT:
            self._times.clear()
        self._times[text] = value
        return value


def _offset(zone: str | None) -> int:
    """Seconds east of UTC for a zone suffix (``None``, ``Z`` and ``UTC`` are 0)."""
    if not zone or zone in ("Z", "z", "UTC"):
        return 0
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    hours = int(digits[:2])
    minutes = int(digits[2:4]) if len(digits) > 2 else 0
    return sign * (hours * 3600 + minutes * 60)


def timestamp_problem(text: str) -> str:
    """Why ``text`` is not an accepted timestamp, for the message of a bad row."""
    shown = text if len(text) <= 40 else f"{text[:30]}… ({len(text):,} characters)"
    if TimestampParser().unchecked(text) is not None:
        return f"the timestamp '{shown}' falls outside the years 1 to 9999"
    return f"cannot read the timestamp '{shown}' (use ISO 8601 or Y/M/D H:MM:SS, e.g. {EXAMPLES})"


def parse_timestamp(text: str) -> float | None:
    """Epoch seconds of one timestamp, or ``None`` (a parser without a shared cache).

    >>> parse_timestamp("1970-01-01T00:01:00.5")
    60.5
    """
    return TimestampParser()(text)
