"""Timestamps of event logs, read fast: ISO 8601, day-first and month-first dates, epoch numbers.

Accepted without being told (a ``T`` or a space between date and time; the time is optional):

- ``2010-03-31T15:59:42+01:00``, ``2010-03-31 15:59:42``, ``2010-03-31T15:59:42Z``,
  ``2010-03-31T15:59:42.123+0100``, ``2010-03-31T15:59`` — ISO 8601, with
  or without a zone (``Z``, ``UTC``, ``±hh``, ``±hhmm``, ``±hh:mm``) and fractional
  seconds (``.`` or ``,``, any number of digits);
- ``2012/10/9 14:50:17``, ``2012/10/09 08:40:25.000`` — the same with
  slashes and with or without zero padding of month, day and hour;
- ``1700000000`` (9 to 11 digits, maybe with a fraction) — seconds since
  1970-01-01 UTC; ``1700000000123`` (12 to 14 digits) — milliseconds.
  Fewer digits are refused, so a compact date such as ``20240131`` is never
  read as a count of seconds.

Day-first and month-first dates (``31-01-2024``, ``31.01.2024``,
``01/31/2024 1:05 PM``, separators ``-``, ``.`` or ``/``, the year last,
12-hour times with ``AM``/``PM``) are read once the order of day and month
is known (``order="dmy"`` or ``"mdy"``). :func:`date_order` finds it from a
log's first timestamps: a first number above 12 means day-first, a second
one above 12 month-first; when none decides, or the sample holds both, it
refuses with an example rather than guess. ``--timestamp-format`` (a
:func:`time.strptime` format, :data:`TimestampParser` ``fmt``) reads any other
form and settles any ambiguity.

A timestamp is turned into seconds since 1970-01-01 as a float, and must
fall within the years 1 to 9999 once its zone is applied (:data:`EARLIEST`,
:data:`LATEST`): ``9999-12-31T23:59:60`` (a leap second) and ``9999-12-31T24:00``
are past it. A time with a zone is converted to UTC; a time without one is
read as it stands (as if UTC). One log must not mix the two: the
difference between a zoned and a naive time is meaningless, so the parser
remembers which kind the log's first timestamp was (:attr:`TimestampParser.zoned`)
and raises :class:`MixedZones` at the first timestamp of the other kind.
Epoch numbers count as zoned (they are UTC by definition).

Speed: a log repeats its dates and its times of day over and over, so the
parser keeps two caches, date text -> day number and time-of-day text
(with the separator before it, its fraction and its zone) -> seconds. A
typical timestamp then costs two slices and two dictionary look-ups, which
a caller may make itself for a whole column (:attr:`TimestampParser.caches`):
every time key starts with its separator (``T`` or a space), so a hit on
``text[:10]`` and ``text[10:]`` reads exactly what the parser would. A
time's fraction is split off to read the rest, and the whole time is
remembered too. The caches are bounded (:data:`CACHE_LIMIT` entries each; they are emptied
when full), so memory does not grow with the log. Only times of the log's
kind (zoned or naive) are ever cached, so a cache hit never hides a mix.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

__all__ = ["CACHE_LIMIT", "EARLIEST", "EXAMPLES", "LATEST", "MixedZones", "TimestampParser",
           "date_order", "iso_column", "parse_timestamp", "timestamp_problem"]

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
_DAY_FIRST_OR_MONTH_FIRST = re.compile(r"([0-9]{1,2})([-./])([0-9]{1,2})\2([0-9]{4})")
_TIME = re.compile(
    r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?"      # hours, minutes, seconds
    r"(?:\s*([AaPp][Mm]))?"                            # 12-hour clock
    r"\s*(Z|z|UTC|[+-][0-9]{2}(?::?[0-9]{2})?)?")     # zone
_EPOCH = re.compile(r"([0-9]{9,14})(?:\.([0-9]+))?")
_DIGITS = frozenset("0123456789")
_ORDERS = ("dmy", "mdy")


class MixedZones(ValueError):
    """A timestamp with a zone in a log of naive times, or the other way round."""


class TimestampParser:
    """A callable that reads one timestamp text into epoch seconds, or ``None``.

    One parser per log: its caches learn the log's dates and times of day,
    and :attr:`zoned` the log's kind of time. ``order`` (``"dmy"`` or
    ``"mdy"``) reads day-first or month-first dates; ``fmt`` is a
    :func:`time.strptime` format that replaces every built-in form.

    >>> parse = TimestampParser()
    >>> parse("1970-01-02T00:00:30Z"), parse("1970/1/2 1:00:30+01:00")
    (86430.0, 86430.0)
    >>> parse("2012-02-30 10:00") is None, parse("9999-12-31T23:59:60Z") is None
    (True, True)
    >>> TimestampParser(order="dmy")("02.01.1970 1:00 PM")
    133200.0
    """

    __slots__ = ("_date_format", "_days", "_format", "_order", "_time_format", "_times",
                 "_zones", "zoned")

    def __init__(self, fmt: str | None = None, order: str | None = None) -> None:
        if order is not None and order not in _ORDERS:
            raise ValueError(f"order must be one of {_ORDERS}, not {order!r}")
        self._days: dict[str, int] = {}
        self._times: dict[str, float] = {}
        self._zones: dict[str, int] = {}
        self._order = order
        self._format = fmt
        self._date_format, _, self._time_format = (fmt or "").partition(" ")
        self.zoned: bool | None = None
        """Whether the log's times carry a zone; ``None`` until one was read."""

    @property
    def caches(self) -> tuple[dict[str, int], dict[str, float]]:
        """The date cache (date text -> days since 1970-01-01) and the time-of-day
        cache (separator, time text, fraction and zone -> seconds), for callers
        that look them up inline before calling the parser: when ``text[:10]``
        and ``text[10:]`` are both found, ``days * 86400.0 + seconds`` is what
        the parser returns (before the check of the years 1 to 9999). They are
        cleared, never replaced.
        """
        return self._days, self._times

    @property
    def has_format(self) -> bool:
        """Whether an explicit ``fmt`` replaces the built-in forms."""
        return bool(self._format)

    def __call__(self, text: str) -> float | None:
        value = self.unchecked(text)
        return value if value is not None and EARLIEST <= value < LATEST else None

    def _kind(self, zoned: bool) -> None:
        """Fix the log's kind of time, or raise :class:`MixedZones` for the other kind."""
        if self.zoned is None:
            self.zoned = zoned
        elif self.zoned is not zoned:
            raise MixedZones("this timestamp has a zone while the log's first one has none"
                             if zoned else
                             "this timestamp has no zone while the log's first one has one")

    def unchecked(self, text: str) -> float | None:
        """Epoch seconds of ``text``, or ``None``, without the check of the years 1 to 9999."""
        if self._format:
            return self._formatted(text)
        if len(text) > 10 and text[10] in "T ":
            cut = 10
        else:
            space, letter = text.find(" "), text.find("T")
            cut = min(space, letter) if space >= 0 and letter >= 0 else max(space, letter)
        date_text = text if cut < 0 else text[:cut]
        day = self._days.get(date_text)
        if day is None:
            if cut < 0 and date_text[:1] in _DIGITS and (epoch := _epoch(date_text)) is not None:
                self._kind(True)
                return epoch
            day = self._day(date_text)
            if day is None:
                return None
        if cut < 0:
            self._kind(False)
            return day * 86400.0
        key = text[cut:]  # the separator too: see the class docstring
        seconds = self._times.get(key)
        if seconds is None:
            seconds = self._clock(key)
            if seconds is None:
                return None
        return day * 86400.0 + seconds

    def _clock(self, key: str) -> float | None:
        """Seconds of a time of day (``key`` starts with its separator), remembered by ``key``.

        Fractional seconds are split off to read the rest (cached without them
        as well), and added before the whole ``key`` is remembered, so that a
        cached and a fresh reading of one text give the same float.
        """
        rest = key[1:]
        point = rest.find(".")
        if point < 0:
            point = rest.find(",")
        if point < 0:
            seconds = self._time(rest)
            if seconds is not None:
                self._remember_time(key, seconds)
            return seconds
        end, size = point + 1, len(rest)
        while end < size and rest[end] in _DIGITS:
            end += 1
        if end == point + 1:
            return None
        fraction = float("0." + rest[point + 1:end])  # any number of digits
        whole = key[0] + rest[:point] + rest[end:]
        seconds = self._times.get(whole)
        if seconds is None:
            seconds = self._time(whole[1:])
            if seconds is None:
                return None
            self._remember_time(whole, seconds)
        seconds += fraction
        self._remember_time(key, seconds)
        return seconds

    def _day(self, text: str) -> int | None:
        stripped = text.strip()
        match = _DATE.fullmatch(stripped)
        try:
            if match is not None:
                year, month, day = int(match[1]), int(match[3]), int(match[4])
            elif self._order and (other := _DAY_FIRST_OR_MONTH_FIRST.fullmatch(stripped)):
                first, second, year = int(other[1]), int(other[3]), int(other[4])
                day, month = (first, second) if self._order == "dmy" else (second, first)
            else:
                return None
            number = date(year, month, day).toordinal() - _EPOCH_DAY
        except ValueError:
            return None
        self._remember_day(text, number)
        return number

    def _remember_day(self, text: str, number: int) -> None:
        if len(self._days) >= CACHE_LIMIT:
            self._days.clear()
        self._days[text] = number

    def _time(self, text: str) -> float | None:
        zone = text[8:]
        offset = self._zones.get(zone) if text[2:3] == ":" and text[5:6] == ":" else None
        digits = text[:2].isdigit() and text[3:5].isdigit() and text[6:8].isdigit()
        if offset is not None and digits:
            hours, minutes, secs = int(text[:2]), int(text[3:5]), int(text[6:8])
            zoned = bool(zone)
        else:
            match = _TIME.fullmatch(text.strip())
            if match is None:
                return None
            hours, minutes = int(match[1]), int(match[2])
            secs = int(match[3]) if match[3] else 0
            if match[4]:  # 12-hour clock: 12 AM is midnight, 12 PM noon
                if not 1 <= hours <= 12:
                    return None
                hours = hours % 12 + (12 if match[4] in ("PM", "pm", "Pm", "pM") else 0)
            offset = _offset(match[5])
            zoned = match[5] is not None
            if match[3] and match.end(3) == 8 and not match[4]:
                self._zones[text[8:]] = offset
        if hours > 24 or minutes > 59 or secs > 60 or (hours == 24 and minutes + secs):
            return None
        self._kind(zoned)
        return float(hours * 3600 + minutes * 60 + secs) - offset

    def _remember_time(self, text: str, value: float) -> None:
        if len(self._times) >= CACHE_LIMIT:
            self._times.clear()
        self._times[text] = value

    def _formatted(self, text: str) -> float | None:
        """``text`` read with the explicit format (date and time parts cached apart)."""
        if self._time_format:
            date_text, space, time_text = text.partition(" ")
            if not space:
                return None
            day = self._days.get(date_text)
            if day is None:
                moment = _strptime(date_text, self._date_format)
                if moment is None:
                    return None
                day = moment.date().toordinal() - _EPOCH_DAY
                self._remember_day(date_text, day)
            seconds = self._times.get(space + time_text)
            if seconds is None:
                moment = _strptime(time_text, self._time_format)
                if moment is None:
                    return None
                seconds = _seconds_of_day(moment)
                self._kind(moment.tzinfo is not None)
                self._remember_time(space + time_text, seconds)
            return day * 86400.0 + seconds
        moment = _strptime(text, self._format or "")
        if moment is None:
            return None
        self._kind(moment.tzinfo is not None)
        return (moment.date().toordinal() - _EPOCH_DAY) * 86400.0 + _seconds_of_day(moment)


def _strptime(text: str, fmt: str) -> datetime | None:
    try:
        return datetime.strptime(text, fmt)
    except ValueError:
        return None


def _seconds_of_day(moment: datetime) -> float:
    """Seconds since midnight of ``moment``, less its zone's offset."""
    offset = moment.utcoffset()
    shift = offset.total_seconds() if offset is not None else 0.0
    return (moment.hour * 3600 + moment.minute * 60 + moment.second
            + moment.microsecond / 1e6 - shift)


def _epoch(text: str) -> float | None:
    """Seconds of an epoch number: 9 to 11 digits are seconds, 12 to 14 milliseconds."""
    match = _EPOCH.fullmatch(text)
    if match is None:
        return None
    value = float(text)
    return value if len(match[1]) <= 11 else value / 1000.0


def _offset(zone: str | None) -> int:
    """Seconds east of UTC for a zone suffix (``None``, ``Z`` and ``UTC`` are 0)."""
    if not zone or zone in ("Z", "z", "UTC"):
        return 0
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    hours = int(digits[:2])
    minutes = int(digits[2:4]) if len(digits) > 2 else 0
    return sign * (hours * 3600 + minutes * 60)


def date_order(texts: Iterable[str]) -> tuple[str | None, int | None]:
    """The order of day and month the timestamps ``texts`` show: ``(order, example)``.

    ``order`` is ``"dmy"``, ``"mdy"`` or ``None`` (no day-first or
    month-first date in ``texts``). ``example`` is ``None`` when the order is
    settled, or else the index of a text that shows why it is not (a date
    both ways could read, when none decides; a date contradicting an
    earlier deciding one).

    >>> date_order(["31.01.2024", "01.02.2024"]), date_order(["01/02/2024 10:00"])
    (('dmy', None), (None, 0))
    >>> date_order(["2024-01-31"]), date_order(["31-01-2024", "01-31-2024"])
    ((None, None), (None, 1))
    """
    order: str | None = None
    undecided: int | None = None
    for index, text in enumerate(texts):
        match = _DAY_FIRST_OR_MONTH_FIRST.match(text.strip())
        if match is None:
            continue
        first, second = int(match[1]), int(match[3])
        found = "dmy" if first > 12 >= second else "mdy" if second > 12 >= first else None
        if found is None:
            if undecided is None:
                undecided = index
        elif order is None:
            order = found
        elif found != order:
            return None, index
    if order is not None:
        return order, None
    return None, undecided


def timestamp_problem(text: str, fmt: str | None = None) -> str:
    """Why ``text`` is not an accepted timestamp, for the message of a bad row."""
    shown = text if len(text) <= 40 else f"{text[:30]}… ({len(text):,} characters)"
    try:
        readable = TimestampParser(fmt).unchecked(text) is not None
    except MixedZones:
        readable = False
    if readable:
        return f"the timestamp '{shown}' falls outside the years 1 to 9999"
    if fmt:
        return f"the timestamp '{shown}' does not have the --timestamp-format '{fmt}'"
    if _DAY_FIRST_OR_MONTH_FIRST.match(text.strip()):
        return (f"cannot read the timestamp '{shown}' as a date of the log's order of day and "
                "month (give the format with --timestamp-format, e.g. '%d/%m/%Y %H:%M')")
    return (f"cannot read the timestamp '{shown}' (use ISO 8601, Y/M/D H:MM:SS or epoch "
            f"seconds, e.g. {EXAMPLES}; or give the format with --timestamp-format)")


def parse_timestamp(text: str) -> float | None:
    """Epoch seconds of one timestamp, or ``None`` (a parser without a shared cache).

    >>> parse_timestamp("1970-01-01T00:01:00.5")
    60.5
    """
    return TimestampParser()(text)


ISO_CHUNK = 4096
"""Texts :func:`iso_column` reads at once. Its character matrices of 4,096 texts stay in
a processor's cache: a third less time per text than 16,384 at once (best of 15
interleaved runs), and no gain from 2,048."""


def iso_column(texts: list[str], parser: TimestampParser) -> Any:
    """Epoch seconds of a column of ISO 8601 ``texts`` at C speed, or ``None``.

    Every text must have the shape ``YYYY-MM-DD``, maybe followed by ``T``
    or a space and ``HH:MM``, then maybe ``:SS`` and a fraction of one to
    six digits, then maybe a zone ``Z``, ``±hh``, ``±hhmm`` or ``±hh:mm``;
    the date must exist (from the year 1) and the time of day be at most
    23:59:59. All must be of the log's kind (zoned or naive;
    :attr:`TimestampParser.zoned` is set if it was not). When one text does
    not fit, ``None`` says to read the column text by text with ``parser``,
    which also tells why a text is bad; ``parser.zoned`` is then as it was.
    The values are the floats ``parser`` gives (the day, then the rest of
    the time, added as it adds them); whether a zone moves them past the
    year 9999 is left to the caller.

    The texts are read as one matrix of character codes, and each field is
    computed from its digits by arithmetic on whole columns (the day number
    by the proleptic Gregorian count of days from 1970-01-01), so that no
    text is parsed on its own.
    """
    import numpy as np

    if not texts or parser.has_format:
        return None
    if len(texts) > ISO_CHUNK:  # a piece at a time: its matrices stay in the processor's cache
        kind, pieces = parser.zoned, []
        for at in range(0, len(texts), ISO_CHUNK):
            piece = iso_column(texts[at:at + ISO_CHUNK], parser)
            if piece is None:
                parser.zoned = kind  # as if nothing was read: the parser reads them all
                return None
            pieces.append(piece)
        return np.concatenate(pieces)
    joined = "".join(texts)
    if not joined.isascii() or "\x00" in joined:  # a NUL would read as the padding
        return None
    column = np.array(texts, dtype="S")
    width = column.dtype.itemsize
    if width < 10 or width > 40:
        return None
    count = len(texts)
    codes = np.zeros((count, max(width, 26) + 8), dtype=np.uint8)  # room to look past the end
    codes[:, :width] = column.view(np.uint8).reshape(count, width)
    lengths = np.strings.str_len(column)
    value = codes - np.uint8(48)  # a digit's value; anything else wraps round past 9
    digit = value < 10

    def number(*at: int) -> Any:
        result = value[:, at[0]].astype(np.int64)
        for position in at[1:]:
            result = result * 10 + value[:, position]
        return result

    fits = digit[:, [0, 1, 2, 3, 5, 6, 8, 9]].all(axis=1) & (codes[:, 4] == 45)
    fits &= codes[:, 7] == 45
    timed = lengths > 10
    fits &= ~timed | (((codes[:, 10] == 84) | (codes[:, 10] == 32)) & (lengths >= 16)
                      & digit[:, [11, 12, 14, 15]].all(axis=1) & (codes[:, 13] == 58))
    rows = np.arange(count)
    after = codes[:, 16:27]  # a zone starts at 26 at the latest (after six fraction digits)
    signs = (after == 43) | (after == 45)
    signed = signs.any(axis=1) & timed
    utc = timed & (codes[rows, np.maximum(lengths - 1, 0)] == 90)
    zone_at = np.where(signed, 16 + signs.argmax(axis=1), np.where(utc, lengths - 1, lengths))
    offsets = np.zeros(count, dtype=np.int64)
    if signed.any():  # ±hh, ±hhmm or ±hh:mm, then the end
        size = lengths - zone_at
        flat, start = codes.ravel(), rows * codes.shape[1] + zone_at
        zone = [flat.take(start + k) for k in range(6)]  # the sign, then up to five characters
        got = [(character - np.uint8(48)).astype(np.int64) for character in zone]
        near = [number < 10 for number in got]
        fits &= ~signed | (near[1] & near[2] & (
            (size == 3) | ((size == 5) & near[3] & near[4])
            | ((size == 6) & (zone[3] == 58) & near[4] & near[5])))
        minutes = np.where(size == 6, got[4] * 10 + got[5],
                           np.where(size == 5, got[3] * 10 + got[4], 0))
        sign = np.where(zone[0] == 45, -1, 1)
        offsets = np.where(signed, sign * ((got[1] * 10 + got[2]) * 3600 + minutes * 60), 0)
    # between the minutes and the zone: nothing, ':SS', or ':SS' and '.' with 1 to 6 digits
    clock = np.where(timed, zone_at - 16, 0)
    seconds = (clock == 0) | ((clock == 3) | ((clock >= 5) & (clock <= 10))) & (
        codes[:, 16] == 58) & digit[:, 17] & digit[:, 18]
    fraction = clock >= 5
    places = clock - 4  # fraction digits: up to six, at 20 to 25
    in_fraction = [places > k for k in range(6)]
    good = codes[:, 19] == 46
    for k, inside in enumerate(in_fraction):
        good &= digit[:, 20 + k] | ~inside
    seconds &= ~fraction | good
    fits &= seconds
    if not fits.all():
        return None
    zoned = zone_at < lengths
    kind = bool(zoned[0])
    if (zoned != kind).any() or (parser.zoned is not None and parser.zoned is not kind):
        return None
    year, month, day = number(0, 1, 2, 3), number(5, 6), number(8, 9)
    hour = np.where(timed, number(11, 12), 0)
    minute = np.where(timed, number(14, 15), 0)
    second = np.where(clock >= 3, number(17, 18), 0)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    if ((month < 1) | (month > 12)).any():
        return None
    last_day = month_days[month] + (leap & (month == 2))
    if ((year < 1) | (day < 1) | (day > last_day) | (hour > 23) | (minute > 59)
            | (second > 59)).any():
        return None
    micros = np.zeros(count, dtype=np.int64)
    for k, inside in enumerate(in_fraction):
        micros = micros * 10 + np.where(inside, value[:, 20 + k], 0)
    # days from 1970-01-01 in the proleptic Gregorian calendar (years counted from March)
    shifted = year - (month <= 2)
    era = shifted // 400
    of_era = shifted - era * 400
    of_year = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    days = era * 146097 + of_era * 365 + of_era // 4 - of_era // 100 + of_year - 719468
    parser.zoned = kind
    rest = (hour * 3600 + minute * 60 + second - offsets).astype(np.float64) + micros / 1e6
    return days * 86400.0 + rest
