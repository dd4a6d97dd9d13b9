"""Read an event log (CSV or XES, maybe gzipped) in one streaming pass and count its cases.

An event log has one event per row (CSV) or ``<event>`` (XES): a case id
(one customer's matter), an activity and a timestamp, and optionally a
resource (who did it) and a lifecycle transition (``start``, ``complete``,
…). This module reads such a file once and folds every case into
per-label tallies (:class:`LogStats`): visits, cases, starts, ends,
directly-follows counts, repeat visits, the waits before steps and the
time the steps took. A "label" is the activity itself for ``discover``, or
the journey step an activity stands for in ``conform``; a ``label_of``
function decides, and may return ``None`` to leave an activity out.

Format. What the file holds decides, not its name: gzip data (``1f 8b``) is
unpacked as it is read (the unpacked size bounded like a file's), XML
(``<?xml`` or ``<log``) is read as XES (:mod:`cx_audit.eventlog.xes`), text
as CSV (UTF-8, a byte-order mark dropped). The CSV delimiter (``,`` ``;``
tab or ``|``) is the one that splits the first lines into the same number of
fields as the header (:func:`sniff_delimiter`), unless :class:`LogFormat`
names one; quoting is the usual double quote. Anything else (a binary
file) is refused as neither.

Columns are chosen by name (exact, then ignoring case and surrounding
blanks). A name that heads two columns (the Helpdesk log has two called
``Variant``) must be told apart by position: ``Variant#2`` is the second
column of that name and ``#7`` the seventh column. When a column is not
given, the common names are tried (``case:concept:name``, ``Case ID``,
``concept:name``, ``Activity``, ``time:timestamp``, ``Timestamp``,
``lifecycle:transition``, ``transition``, ``event_type``, …). In XES the
"columns" are attribute keys: the case is the trace's ``concept:name``, the
activity ``concept:name``, the timestamp ``time:timestamp``, the resource
``org:resource`` and the transition ``lifecycle:transition`` of the
events (the standard's keys, so the resource is read without being
named); ``case:KEY`` names an attribute of the trace.

Lifecycles (:data:`LIFECYCLES`). Without a transition column every event is
a completed step, as before. With one, by default (``complete``) only
``complete`` events (or events with an empty transition) are steps and
make the directly-follows pairs; a ``start`` event is matched with the
next ``complete`` of the same activity in the case (first started, first
completed), and then the step's wait runs from the previous step's
completion to this start (not below 0 when steps overlap), and start to
complete is the step's service time (:attr:`LabelStats.service`). Every
other transition (``schedule``, ``assign``, ``suspend``, ``resume``,
``withdraw``, ``ate_abort``, …) is left out and counted by name in
:attr:`LogStats.transitions`; so the time a step was suspended counts as
service. ``all`` reads every event as a step whatever its transition (the
reading before lifecycles were known: start and complete become a
self-loop).

Order. Events of a case are taken in time order; events with equal
timestamps keep their order in the file (a stable sort). The rows of a case
need not be contiguous: state is kept per case id, so a log sorted by
time (cases interleaved) reads as well as one grouped by case. The rows of
one contiguous run of a case are buffered and sorted; a run that continues
a case seen earlier in the file continues from where that case stopped. A
later run that holds an event older than the case's last one cannot be
merged in one pass: the log is refused there with a command that sorts it
by case (or, with ``max_bad_rows``, the run's rows are skipped as bad rows
and counted in :attr:`LogStats.late_rows`).

Memory is bounded by the labels and the cases, never by the events:

- ``A x A`` directly-follows counts for ``A`` distinct labels;
- per label, the waits and the service times (exact up to
  :data:`EXACT_WAITS` values, then a logarithmic histogram with 0.5% wide
  bins, so the median stays within 0.25%), and the resources seen with it
  (``A x R``);
- per open case a constant-size tail: the last label and time, and two bit
  sets of labels visited and revisited (and its started, not yet completed
  steps). Every case is open until the end of the file, because an
  unsorted log may add an event to any case on any row; a case's events
  themselves are held only while its rows are contiguous (in XES: while its
  trace is read);
- two timestamp caches of at most 200,000 entries each;
- one batch of :data:`_BATCH` rows (or XES events), read and converted a
  column at a time before its runs of cases are folded, one fold for CSV
  and XES alike.

Timestamps are read by :class:`~cx_audit.eventlog.timestamps.TimestampParser`;
the order of day and month of ``31.01.2024``-like dates is settled from the
log's first rows (:func:`~cx_audit.eventlog.timestamps.date_order`) or
refused with an example when they do not settle it; ``LogFormat.timestamp_format``
gives the form outright. A log that mixes times with and without a zone is
refused at its first timestamp of the other kind.

Bad input. A missing column, an unreadable file, text that is not UTF-8,
a file that is neither CSV nor XES, an empty file or mixed zones stop the
reading with an :class:`EventLogError`. A bad row (a timestamp that cannot
be read, an empty case id or activity, a row too short to hold the
columns) is skipped and counted; the first :data:`REPORTED_ROWS` are
described as :class:`~cx_audit.core.errors.Problem` values at their CSV line
and column (the 1-based field number; for a record whose quoted field spans
lines, its last line) or at their XES ``<event>`` tag. When more rows are
bad than the caller tolerates (``max_bad_rows``, 0 by default), reading
ends in an :class:`EventLogError` listing them; otherwise they are kept in
:attr:`LogStats.bad_rows` as warnings, and :attr:`LogStats.bad_row_count`
is exactly the number of rows skipped.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import gc
import gzip
import io
import math
import os
import shlex
import statistics
import zlib
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import accumulate, chain, compress, islice, repeat
from operator import add, attrgetter, is_, itemgetter, mul, ne, not_
from typing import Any

from cx_audit.core.errors import EventLogError, Problem
from cx_audit.eventlog.timestamps import (
    EARLIEST,
    LATEST,
    MixedZones,
    TimestampParser,
    date_order,
    iso_column,
    timestamp_problem,
)
from cx_audit.eventlog.xes import XesEvent, XesReader, XesTrace
from cx_audit.io.reading import MAX_LINE_CHARS, MAX_LOG_BYTES, open_input

__all__ = [
    "DELIMITERS",
    "EXACT_WAITS",
    "LIFECYCLES",
    "REPORTED_ROWS",
    "ColumnChoice",
    "EventLogError",
    "LabelStats",
    "LogColumns",
    "LogFormat",
    "LogStats",
    "resolve_columns",
    "scan_log",
    "sniff_delimiter",
]

EXACT_WAITS = 10_000
"""Waits kept exactly per label; beyond this they are binned (median within 0.25%)."""

REPORTED_ROWS = 20
"""Bad rows described one by one; the rest are counted."""

LIFECYCLES = ("complete", "all")
"""How lifecycle transitions are read: only completions are steps, or every event is one."""

DELIMITERS = (",", ";", "\t", "|")
"""The CSV delimiters recognised from a log's first lines, in order of preference."""

SAMPLE_ROWS = 2000
"""Rows looked at (at most; within the first MiB) to settle the delimiter and the date order."""

_SEPARATORS = ("T", " ")
_BIN_RATIO = 1.005
_BIN_SCALE = 1.0 / math.log(_BIN_RATIO)
_ZERO = 0.0

_GUESSES = {
    "case": ("case:concept:name", "case id", "case_id", "caseid", "case", "case number",
             "sr number", "ticket", "ticket id"),
    "activity": ("concept:name", "activity", "activity name", "event", "action", "task"),
    "timestamp": ("time:timestamp", "timestamp", "complete timestamp", "time", "datetime",
                  "date", "change date+time", "end time", "completed"),
    "resource": ("org:resource", "resource", "user", "agent", "owner"),
    "lifecycle": ("lifecycle:transition", "lifecycle", "transition", "event_type",
                  "event type"),
}
_ROLE_OPTION = {"case": "--case", "activity": "--activity", "timestamp": "--timestamp",
                "resource": "--resource", "lifecycle": "--lifecycle-column"}
_ROLES = ("case", "activity", "timestamp", "resource", "lifecycle")
_XES_KEYS = {"case": "case:concept:name", "activity": "concept:name",
             "timestamp": "time:timestamp", "resource": "org:resource",
             "lifecycle": "lifecycle:transition"}
_COMPLETE, _START, _OTHER = 0, 1, -1


@dataclass(frozen=True)
class LogColumns:
    """Which columns hold the case id, activity, timestamp, resource and lifecycle transition.

    Each is a column name (in XES an attribute key), ``Name#k`` for the k-th
    column of a repeated name, ``#n`` for the n-th column, or ``None`` to
    guess from the common names. The resource is never guessed in a CSV log
    (without it steps get no owner from the log); the lifecycle column is
    guessed and may be absent.
    """

    case: str | None = None
    activity: str | None = None
    timestamp: str | None = None
    resource: str | None = None
    lifecycle: str | None = None

    def over(self, other: LogColumns) -> LogColumns:
        """These columns, with ``other``'s where these give none."""
        return LogColumns(self.case or other.case, self.activity or other.activity,
                          self.timestamp or other.timestamp, self.resource or other.resource,
                          self.lifecycle or other.lifecycle)


@dataclass(frozen=True)
class LogFormat:
    """How to read a log beyond its columns; every field ``None`` or default means "find out".

    ``delimiter``: the CSV field separator (default: sniffed from the first
    lines). ``timestamp_format``: a :func:`time.strptime` format for every
    timestamp (default: the forms of :mod:`cx_audit.eventlog.timestamps`).
    ``lifecycle``: ``"complete"`` (only completions are steps) or ``"all"``
    (every event is one); see the module docstring.
    """

    delimiter: str | None = None
    timestamp_format: str | None = None
    lifecycle: str = "complete"

    def __post_init__(self) -> None:
        if self.lifecycle not in LIFECYCLES:
            raise ValueError(f"lifecycle must be one of {LIFECYCLES}, not {self.lifecycle!r}")
        if self.delimiter is not None and len(self.delimiter) != 1:
            raise ValueError(f"the delimiter must be one character, not {self.delimiter!r}")


@dataclass(frozen=True)
class ColumnChoice:
    """A resolved column: its 0-based index and its header text."""

    index: int
    name: str

    def describe(self) -> str:
        """``'Activity' (column 2)``."""
        return f"'{self.name}' (column {self.index + 1})"


def resolve_columns(header: Sequence[str], columns: LogColumns,
                    file: str) -> dict[str, ColumnChoice]:
    """Role -> column for ``case``, ``activity``, ``timestamp`` and maybe ``resource``.

    Raises :class:`EventLogError` naming the available columns when a
    column is missing, ambiguous or cannot be guessed.
    """
    problems: list[Problem] = []
    chosen: dict[str, ColumnChoice] = {}
    for role in _ROLES:
        spec = getattr(columns, role)
        if spec is None and role == "resource":
            continue
        try:
            index = _find(header, spec, role) if spec is not None else _guess(header, role)
        except ValueError as exc:
            if spec is None and role == "lifecycle":
                continue  # no transition column: every event completes a step
            problems.append(Problem(file, 1, 1, str(exc)))
            continue
        chosen[role] = ColumnChoice(index, header[index])
    taken: dict[int, str] = {}
    for role, choice in chosen.items():
        if choice.index in taken and role not in ("resource", "lifecycle"):
            problems.append(Problem(file, 1, choice.index + 1, (
                f"the {taken[choice.index]} and {role} columns are both {choice.describe()}")))
        taken.setdefault(choice.index, role)
    if problems:
        raise EventLogError(problems)
    return chosen


def _listing(header: Sequence[str]) -> str:
    return ", ".join(f"'{name}'" for name in header)


def _find(header: Sequence[str], spec: str, role: str) -> int:
    """The index of the column ``spec`` names; ``ValueError`` with the reason."""
    if spec.startswith("#") and spec[1:].isdigit():
        number = int(spec[1:])
        if 1 <= number <= len(header):
            return number - 1
        raise ValueError(f"the {role} column {spec} does not exist: the log has "
                         f"{len(header)} columns: {_listing(header)}")
    exact = [i for i, name in enumerate(header) if name == spec]
    if not exact and "#" in spec:
        name, _, nth = spec.rpartition("#")
        same = [i for i, h in enumerate(header) if h == name]
        if nth.isdigit() and same:
            if 1 <= int(nth) <= len(same):
                return same[int(nth) - 1]
            raise ValueError(f"the {role} column '{spec}': there are only {len(same)} "
                             f"columns named '{name}'")
    if not exact:
        key = spec.strip().casefold()
        exact = [i for i, name in enumerate(header) if name.strip().casefold() == key]
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        where = ", ".join(str(i + 1) for i in exact)
        options = " or ".join(f"'{header[exact[0]]}#{k}'" for k in range(1, len(exact) + 1))
        raise ValueError(f"the {role} column '{spec}' is ambiguous: {len(exact)} columns "
                         f"have that name (columns {where}); write {options}")
    close = difflib.get_close_matches(spec, header, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise ValueError(f"no {role} column '{spec}'{hint}; the columns are: {_listing(header)}")


def _guess(header: Sequence[str], role: str) -> int:
    """The first column whose name is a common name for ``role``."""
    keys = [name.strip().casefold() for name in header]
    for guess in _GUESSES[role]:
        if guess in keys:
            return keys.index(guess)
    raise ValueError(f"no {role} column given and none of the usual names found: "
                     f"name it with {_ROLE_OPTION[role]} (the columns are: {_listing(header)})")


@dataclass(frozen=True)
class LabelStats:
    """What the log shows of one label (an activity, or the step it stands for).

    ``visits``: events (or merged visits) with this label; ``cases``: cases
    with at least one; ``revisit_cases``: cases that come back to it after
    a first visit (a repeat right after itself counts); ``starts`` /
    ``ends``: cases whose first / last event it is; ``wait``: median minutes
    between the previous event of the case and this one (``None`` when it
    only ever starts cases); ``wait_samples``: how many such intervals;
    ``position``: its mean 0-based position within its cases; ``resources``:
    resource -> events (empty without a resource column); ``service``:
    median minutes from a start event to its completion (``None`` without
    start events), from ``service_samples`` pairs. With start events the
    wait runs from the previous step's completion to this step's start.
    """

    visits: int
    cases: int
    revisit_cases: int
    starts: int
    ends: int
    wait: float | None
    wait_samples: int
    position: float
    resources: Counter[str] = field(default_factory=Counter)
    service: float | None = None
    service_samples: int = 0

    @property
    def top_resource(self) -> str | None:
        """The most frequent resource (ties: the first in sorted order), or ``None``."""
        if not self.resources:
            return None
        best = max(self.resources.values())
        return min(r for r, n in self.resources.items() if n == best)


@dataclass(frozen=True)
class LogStats:
    """The tallies of one pass over an event log (see the module docstring).

    ``labels`` maps each label to its :class:`LabelStats`, in order of first
    appearance; ``pairs`` maps (label, next label) to how often one directly
    followed the other within a case; ``skipped`` maps each activity left out
    by ``label_of`` to its number of events. ``format`` is ``"csv"`` or
    ``"xes"`` (``delimiter``: the CSV delimiter used); ``transitions`` maps
    each lifecycle transition left out (neither start nor complete) to its
    events; ``open_starts`` counts start events never completed.
    ``late_rows`` counts rows skipped because they came after their case had
    moved past them (see the module docstring); they are among the bad rows.
    """

    file: str
    columns: dict[str, ColumnChoice]
    rows: int
    cases: int
    labels: dict[str, LabelStats]
    pairs: dict[tuple[str, str], int]
    skipped: dict[str, int]
    first_time: float | None
    last_time: float | None
    reordered_cases: int
    split_runs: int
    late_rows: int
    bad_rows: tuple[Problem, ...] = ()
    bad_row_count: int = 0
    format: str = "csv"
    delimiter: str | None = None
    transitions: dict[str, int] = field(default_factory=dict)
    open_starts: int = 0

    def departures(self, label: str) -> dict[str, int]:
        """Next label -> count, for the events that ``label`` was followed by."""
        return {b: n for (a, b), n in self.pairs.items() if a == label}

    @property
    def events(self) -> int:
        """Events kept (rows read, less bad rows and left-out activities)."""
        return sum(s.visits for s in self.labels.values()) if self.labels else 0


class _Waits:
    """The waits into one label: exact values, folded into log bins when many."""

    __slots__ = ("bins", "count", "values", "zeros")

    def __init__(self) -> None:
        self.values: list[float] = []
        self.bins: Counter[int] | None = None
        self.zeros = 0
        self.count = 0

    def fold(self) -> None:
        """Move the exact values into the histogram (a column at a time, at C speed).

        numpy's logarithm may differ from the C library's in the last bit, which
        moves a value on the very edge of a bin into its neighbour (about one in
        five million): the median stays within the bins' 0.25%.
        """
        import numpy as np

        bins = self.bins if self.bins is not None else Counter()
        values = np.array(self.values, dtype=np.float64)
        positive = values[values > _ZERO]
        self.zeros += len(values) - len(positive)
        bins.update(np.floor(np.log(positive) * _BIN_SCALE).astype(np.int64).tolist())
        self.count += len(values)
        self.values.clear()  # the same list: callers hold its append method
        self.bins = bins

    def median(self) -> float | None:
        """The median wait in seconds (exact, or within 0.25% once binned)."""
        if self.bins is None:
            return statistics.median(self.values) if self.values else None
        self.fold()
        total = self.count
        if not total:
            return None
        ranks = ((total - 1) // 2, total // 2)
        found = []
        for rank in ranks:
            if rank < self.zeros:
                found.append(0.0)
                continue
            seen = self.zeros
            for key in sorted(self.bins):
                seen += self.bins[key]
                if seen > rank:
                    found.append(math.exp((key + 0.5) / _BIN_SCALE))
                    break
        return sum(found) / 2

    def samples(self) -> int:
        return self.count + len(self.values)


def scan_log(path: str | os.PathLike[str], columns: LogColumns | None = None, *,
             label_of: Callable[[str], str | None] | None = None, merge_repeats: bool = False,
             max_bad_rows: int = 0, display_name: str | None = None,
             log_format: LogFormat | None = None) -> LogStats:
    """Read the event log at ``path`` once and return its :class:`LogStats`.

    ``label_of(activity)`` gives the label an activity is counted under
    (default: the activity itself), or ``None`` to leave its events out.
    With ``merge_repeats``, consecutive events of a case with the same
    label are one visit (its wait runs from the previous label's last
    event); otherwise each is a visit and the repeat a self-loop.
    ``log_format`` says how to read what the file does not settle.
    Raises :class:`EventLogError` (see the module docstring).
    """
    name = display_name if display_name is not None else os.fspath(path)
    options = log_format or LogFormat()
    raw = open_input(path, name, error=_ReadingStopped, what="log", limit=MAX_LOG_BYTES)
    scanner = _Scanner(name, label_of, merge_repeats, max_bad_rows, options)
    with raw, _no_cycle_collection():
        try:
            source, packed = _unpacked(io.BufferedReader(raw, _BUFFER), name)
            head = source.peek(_SNIFF)[:_SNIFF]
            kind = _content_kind(head, name)
            chunks = iter(lambda: source.read(_BUFFER), b"")
            if kind == "xes":
                return scanner.run_xes(XesReader(chunks, name), columns or LogColumns())
            lines = _Lines(chunks, name)
            return scanner.run_csv(lines, columns or LogColumns(), packed)
        except _ReadingStopped as exc:  # too large, or a pipe that fell silent: say where
            raise EventLogError([Problem(name, scanner.line_after(), 1,
                                         exc.problem.message)]) from None
        except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
            raise EventLogError([Problem(name, 1, 1, (
                f"the log is gzip data that cannot be unpacked: {exc}"))]) from None
        except csv.Error as exc:
            raise EventLogError([Problem(name, scanner.line_after(), 1,
                                         f"not a CSV file: {exc}")]) from None


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector while a log is read, then restore it.

    A pass allocates millions of short-lived lists and tuples (rows, pairs)
    and makes no reference cycles; with the collector on, every batch of
    rows that survives a young collection is promoted and scanned again (15
    to 25% of the pass in one measurement). Memory is freed by reference counting
    as before.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _ReadingStopped(EventLogError):
    """The log could not be read on (see :func:`cx_audit.io.reading.open_input`)."""


_BUFFER = 1024 * 1024
"""Bytes read from the log at a time."""

_SNIFF = 64 * 1024
"""Bytes looked at to tell gzip, XES and CSV apart."""

_TEXT_CONTROLS = frozenset(range(32)) - {9, 10, 12, 13}


def _unpacked(source: io.BufferedReader, name: str) -> tuple[io.BufferedReader, bool]:
    """``source``, or its unpacked bytes when it is gzip data (and whether it was)."""
    if source.peek(2)[:2] != b"\x1f\x8b":
        return source, False
    inner = gzip.GzipFile(fileobj=source, mode="rb")
    return io.BufferedReader(_Capped(inner, name), _BUFFER), True


class _Capped(io.RawIOBase):
    """The unpacked bytes of a gzip stream, at most :data:`MAX_LOG_BYTES` of them."""

    def __init__(self, inner: gzip.GzipFile, name: str) -> None:
        super().__init__()
        self.inner, self.name, self.count = inner, name, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        got = self.inner.readinto(buffer)
        self.count += got
        if self.count > MAX_LOG_BYTES:
            raise _ReadingStopped([Problem(self.name, 1, 1, (
                f"the unpacked log is larger than {MAX_LOG_BYTES // 1024 ** 3} GiB; "
                "larger logs are not read"))])
        return got


def _content_kind(head: bytes, name: str) -> str:
    """``"xes"`` or ``"csv"`` from a file's first bytes; refuse what is neither."""
    start = head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    if start.startswith((b"<?xml", b"<log", b"<!", b"\xff\xfe<", b"\xfe\xff\x00<")) or (
            start[:1] == b"<" and start[1:2].isalpha()):
        return "xes"
    binary = next((i for i, byte in enumerate(head[:4096]) if byte in _TEXT_CONTROLS), None)
    if binary is not None:
        shown = " ".join(f"{byte:02x}" for byte in head[:4])
        raise EventLogError([Problem(name, 1, 1, (
            f"neither a CSV nor an XES event log: the file is not text (it starts with the "
            f"bytes {shown}, and byte {binary + 1} is 0x{head[binary]:02x}); give a CSV "
            "file, an XES file, or either one gzipped"))])
    return "csv"


class _Lines:
    """The text lines of a CSV log, decoded from UTF-8 and bounded in length.

    Lines are split at ``\\n`` only (so a quoted field keeps its line breaks
    and ``\\r\\n`` stays whole), a block at a time, and handed to
    :mod:`csv` through :func:`itertools.chain` so that no Python code runs
    per line. ``lines_read`` counts the lines handed out, for messages about
    a failure between rows.
    """

    def __init__(self, chunks: Iterator[bytes], name: str) -> None:
        self.chunks = chunks
        self.name = name
        self.lines_read = 0
        self.first = ""

    def blocks(self) -> Iterator[list[str]]:
        decoder = codecs.getincrementaldecoder("utf-8-sig")()
        carry = ""
        limit = MAX_LINE_CHARS
        for data in chain(self.chunks, [b""]):
            try:
                text = decoder.decode(data, final=not data)
            except UnicodeDecodeError as exc:
                line = self.lines_read + carry.count("\n") + data.count(b"\n", 0, exc.start) + 1
                byte = exc.object[exc.start]
                raise EventLogError([Problem(self.name, line, 1, (
                    f"not UTF-8 text: byte 0x{byte:02x} cannot be decoded"))]) from None
            text = carry + text
            lines = text.split("\n")
            carry = lines.pop()
            if len(carry) > limit:
                line = self.lines_read + len(lines) + 1
                raise _ReadingStopped([Problem(self.name, line, 1, (
                    f"line {line} is longer than {limit:,} characters"))])
            if lines:
                self.lines_read += len(lines)
                yield list(map(add, lines, repeat("\n")))
        if carry:
            self.lines_read += 1
            yield [carry]

    def sample(self) -> list[str]:
        """The first lines (up to :data:`SAMPLE_ROWS`), without consuming them."""
        self._blocks = self.blocks()
        self._held = next(self._blocks, [])
        return self._held[:SAMPLE_ROWS]

    def __iter__(self) -> Iterator[str]:
        return chain(self._held, chain.from_iterable(self._blocks))


def sniff_delimiter(lines: Sequence[str]) -> str:
    """The delimiter of :data:`DELIMITERS` that splits ``lines`` most consistently.

    The header (the first line) must split into at least two fields; the
    delimiter whose split gives the most following lines with exactly the
    header's number of fields wins (ties: the one with more fields, then the earlier in
    :data:`DELIMITERS`).
    With no line to judge by, ``,``.

    >>> sniff_delimiter(["case;activity;time\\n", "1;\\"a;b\\";2024-01-01\\n"])
    ';'
    >>> sniff_delimiter(["case,activity\\n", "1,x\\n"])
    ','
    """
    best, best_score = ",", (-1, 0)
    for delimiter in DELIMITERS:
        try:
            rows = list(csv.reader(lines[:50], delimiter=delimiter))
        except csv.Error:
            continue
        rows = [row for row in rows if row]
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        score = (sum(1 for row in rows[1:] if len(row) == width), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _sort_command(file: str, delimiter: str, column: int, packed: bool) -> str:
    """A shell command that writes the log grouped by case (stable, header first)."""
    quoted = shlex.quote(file)
    shown = "$'\\t'" if delimiter == "\t" else shlex.quote(delimiter)
    reader = "gzip -dc" if packed else "cat"
    target = shlex.quote(file.removesuffix(".gz").removesuffix(".csv") + "-by-case.csv")
    return (f"({reader} {quoted} | head -n 1; {reader} {quoted} | tail -n +2 | "
            f"sort -s -t {shown} -k {column},{column}) > {target}")


_BATCH = 16_384
"""Rows (or XES events) converted together, a column at a time (larger batches spread
numpy's cost per call over more rows: 16,384 took a sixth less time than 4,096 on a
million events; 65,536 gained nothing more)."""

_PAIR = 1 << 32
"""Two indexes (labels, or a label and a resource) as one integer: ``first * _PAIR + second``."""

_KINDS_KEPT = 1000
"""Distinct transition texts remembered with their kind."""

_DATE_PART = itemgetter(slice(None, 10))
_TIME_PART = itemgetter(slice(10, None))
_PLACE = attrgetter("line", "column")

_Where = Callable[[int, int], tuple[int, int]]
"""``where(index, column)``: the line and column of a batch's event, for a message."""


def _csv_where(batch: list[list[str]], before: int, after: int) -> _Where:
    """Where the rows of ``batch`` are, read after line ``before`` up to line ``after``.

    A row ends one line after the previous one, plus the line breaks inside
    its quoted fields; counted only when the batch holds such a row.
    """
    if after - before == len(batch):
        return lambda index, column: (before + index + 1, column)
    ends: list[int] = []

    def where(index: int, column: int) -> tuple[int, int]:
        if not ends:
            ends.extend(accumulate((1 + sum(field.count("\n") for field in row)
                                    for row in batch), initial=before))
        return ends[index + 1], column

    return where


def _moved(where: _Where, kept: list[int]) -> _Where:
    """``where`` for a batch of which only the events at ``kept`` remain."""
    return lambda index, column: where(kept[index], column)


class _Run:
    """A contiguous run of one case's events, as columns, and where it starts."""

    __slots__ = ("first", "key", "kinds", "numbers", "resources", "stamps", "where")

    def __init__(self, key: Any, stamps: list[float], numbers: list[int],
                 resources: list[str] | None, kinds: list[int] | None, where: _Where,
                 first: int) -> None:
        self.key, self.stamps, self.numbers = key, stamps, numbers
        self.resources, self.kinds, self.where, self.first = resources, kinds, where, first

    def extend(self, stamps: list[float], numbers: list[int], resources: list[str] | None,
               kinds: list[int] | None, end: int) -> None:
        """Continue the run with the first ``end`` events of the next batch."""
        self.stamps += stamps[:end]
        self.numbers += numbers[:end]
        if self.resources is not None and resources is not None:
            self.resources += resources[:end]
        if self.kinds is not None and kinds is not None:
            self.kinds += kinds[:end]


class _XesBatch:
    """The events of some XES traces, gathered as columns (one key per trace)."""

    def __init__(self) -> None:
        self.serial = 0
        self.clear()

    def clear(self) -> None:
        self.events: list[XesEvent] = []
        self.keys: list[int] = []
        self.names: dict[int, str] = {}
        self.times: list[str | None] = []
        self.activities: list[str | None] = []
        self.resources: list[str] | None = None
        self.transitions: list[str] | None = None

    def add(self, trace: XesTrace, case: str, keys: dict[str, str], lifecycle: bool) -> None:
        """Gather one trace (the case ``case``) with the attribute ``keys`` of each role."""
        events = trace.events
        self.serial += 1
        self.names[self.serial] = case
        self.events += events
        self.keys += repeat(self.serial, len(events))
        self.times += _xes_column(trace, keys["timestamp"], None)
        self.activities += _xes_column(trace, keys["activity"], None)
        if "resource" in keys:
            if self.resources is None:
                self.resources = []
            self.resources += _xes_column(trace, keys["resource"], "")
        if lifecycle:
            if self.transitions is None:
                self.transitions = []
            self.transitions += _xes_column(trace, keys["lifecycle"], "")


class _Scanner:
    """One pass over the events; the per-case state lives in ``tails``."""

    def __init__(self, file: str, label_of: Callable[[str], str | None] | None,
                 merge: bool, max_bad_rows: int, options: LogFormat) -> None:
        self.file = file
        self.label_of = label_of
        self.merge = merge
        self.max_bad_rows = max_bad_rows
        self.options = options
        self.lines: _Lines | None = None
        self.reader: Any = None
        self.time_column = self.case_column = self.activity_column = 1
        self.activity_missing = "the activity is empty"
        self.time_missing = "the timestamp is missing"
        self.parse = TimestampParser(options.timestamp_format)
        self.late_hint = ""
        self.bad: list[Problem] = []
        self.bad_count = 0
        self.lifecycle = False
        # per label (index), grown by _label()
        self.names: list[str] = []
        self.bits: list[int] = []
        self.visits: list[int] = []
        self.cases_with: list[int] = []
        self.revisits: list[int] = []
        self.starts: list[int] = []
        self.position: list[int] = []
        self.waits: list[_Waits] = []
        self.service: list[_Waits] = []
        # directly-follows pairs and (label, resource) pairs, each coded as first * _PAIR + second
        self.pairs: Counter[int] = Counter()
        self.owned: Counter[int] = Counter()
        self.skipped: Counter[str] = Counter()
        self.resource_index: dict[str, int] = {}  # resource -> code, in order of first sight
        self.resource_names: list[str] = []
        self.transitions: Counter[str] = Counter()
        self.index_of: dict[str, int] = {}  # activity -> label index, -2 to leave out
        self.kind_of: dict[str, int] = {}  # transition text -> _COMPLETE, _START or _OTHER
        self.held: _Run | None = None  # the last run of a batch, continued by the next one
        self.case_names: dict[int, str] = {}  # XES: trace number -> case id
        self.label_index: dict[str, int] = {}
        # per case: (last label, last time, visited bits, revisited bits, events so far)
        self.tails: dict[str, tuple[int, float, int, int, int]] = {}
        self.open: dict[str, dict[int, deque[float]]] = {}  # started, not yet completed
        self.cases = 0
        self.first_time = math.inf
        self.last_time = -math.inf
        self.reordered = 0
        self.split = 0
        self.late = 0

    def line_after(self) -> int:
        """The line after the last one read (where reading failed)."""
        if self.reader is not None:
            return int(self.reader.line_num) + 1
        return (self.lines.lines_read if self.lines is not None else 0) + 1

    def _label(self, name: str) -> int:
        index = len(self.names)
        self.names.append(name)
        self.bits.append(1 << index)
        for tally in (self.visits, self.cases_with, self.revisits, self.starts, self.position):
            tally.append(0)
        self.waits.append(_Waits())
        self.service.append(_Waits())
        return index

    def label(self, activity: str) -> int:
        """The label index of ``activity`` (-2: left out), learnt on first sight."""
        found = self.index_of.get(activity)
        if found is not None:
            return found
        name = self.label_of(activity) if self.label_of is not None else activity
        if name is None:
            found = -2
        else:
            found = self.label_index.get(name, -1)
            if found < 0:
                found = self.label_index[name] = self._label(name)
        self.index_of[activity] = found
        return found

    def _bad_row(self, line: int, column: int, message: str) -> None:
        """Count a bad row; the first :data:`REPORTED_ROWS` of the file are described.

        Batches report their rows a little out of file order (a run is judged
        when it ends), so the description keeps the earliest rows by place.
        """
        self.bad_count += 1
        self.bad.append(Problem(self.file, line, column, message))
        if len(self.bad) >= 2 * REPORTED_ROWS:
            self._earliest_bad()

    def _earliest_bad(self) -> None:
        self.bad.sort(key=_PLACE)
        del self.bad[REPORTED_ROWS:]

    # -- CSV ------------------------------------------------------------------------------

    def run_csv(self, lines: _Lines, columns: LogColumns, packed: bool) -> LogStats:
        self.lines = lines
        sample = lines.sample()
        delimiter = self.options.delimiter or sniff_delimiter(sample)
        reader = csv.reader(lines, delimiter=delimiter)
        try:
            header = next(reader)
        except StopIteration:
            raise EventLogError([Problem(self.file, 1, 1, "the log is empty: "
                                         "no header row")]) from None
        self.reader = reader
        chosen = resolve_columns(header, columns, self.file)
        case_i = chosen["case"].index
        time_i = chosen["timestamp"].index
        act_i = chosen["activity"].index
        self.time_column, self.case_column, self.activity_column = time_i + 1, case_i + 1, act_i + 1
        res_i = chosen["resource"].index if "resource" in chosen else -1
        life_i = chosen["lifecycle"].index if "lifecycle" in chosen else -1
        self.lifecycle = life_i >= 0 and self.options.lifecycle == "complete"
        if self.options.timestamp_format is None:
            self.parse = self._ordered_parser(sample, delimiter, time_i)
        self.late_hint = ("; sort it by case first: " + _sort_command(
            self.file, delimiter, case_i + 1, packed))
        indexes = (case_i, act_i, time_i, res_i, life_i if self.lifecycle else -1)
        rows = self._csv_batches(reader, header, indexes)
        return self._finish(chosen, rows, "csv", delimiter, reader.line_num)

    def _ordered_parser(self, sample: list[str], delimiter: str, time_i: int) -> TimestampParser:
        """A parser that knows the log's order of day and month, settled from ``sample``."""
        texts: list[str] = []
        lines: list[int] = []
        try:
            sample_reader = csv.reader(sample, delimiter=delimiter)
            next(sample_reader, None)
            for row in sample_reader:
                if len(row) > time_i:
                    texts.append(row[time_i])
                    lines.append(sample_reader.line_num)
        except csv.Error:
            pass  # the main pass reports it where it is
        order, example = date_order(texts)
        if example is not None:
            text = texts[example]
            raise EventLogError([Problem(self.file, lines[example], time_i + 1, (
                f"the timestamp '{text[:40]}' can be read day-first or month-first and the "
                f"first {len(texts):,} rows do not settle which (or show both): give "
                f"--timestamp-format, e.g. {_format_choices(text)}"))])
        return TimestampParser(order=order)

    def _csv_batches(self, reader: Any, header: Sequence[str],
                     indexes: tuple[int, int, int, int, int]) -> int:
        """Read the rows a batch at a time, column by column; return the number of rows."""
        case_i, act_i, time_i, res_i, life_i = indexes
        used = [i for i in indexes if i >= 0]
        need = max(used) + 1
        get_case, get_activity, get_time = map(itemgetter, (case_i, act_i, time_i))
        get_resource = itemgetter(res_i) if res_i >= 0 else None
        get_transition = itemgetter(life_i) if life_i >= 0 else None
        rows = 0
        before = reader.line_num
        while True:
            batch = list(islice(reader, _BATCH))
            if not batch:
                break
            where = _csv_where(batch, before, reader.line_num)
            before = reader.line_num
            rows += len(batch)
            if min(map(len, batch)) < need:
                kept, blank = self._short_rows(batch, need, used, header, where)
                rows -= blank
                if not kept:
                    continue
                batch = [batch[i] for i in kept]
                where = _moved(where, kept)
            self._take(list(map(get_case, batch)), list(map(get_time, batch)),
                       list(map(get_activity, batch)),
                       list(map(get_resource, batch)) if get_resource is not None else None,
                       list(map(get_transition, batch)) if get_transition is not None else None,
                       where)
        self._end_runs()
        return rows

    def _short_rows(self, batch: list[list[str]], need: int, used: list[int],
                    header: Sequence[str], where: _Where) -> tuple[list[int], int]:
        """Report the rows too short for the columns; the indexes of the others, and blanks."""
        kept: list[int] = []
        blank = 0
        for index, row in enumerate(batch):
            if len(row) >= need:
                kept.append(index)
            elif not row or (len(row) == 1 and not row[0].strip()):
                blank += 1
            else:
                missing = min(i for i in used if i >= len(row))
                self._bad_row(*where(index, len(row) + 1), (
                    f"the row has {len(row)} field{'s' * (len(row) != 1)}: column "
                    f"'{header[missing]}' (column {missing + 1}) is missing"))
        return kept, blank

    # -- XES ------------------------------------------------------------------------------

    def run_xes(self, traces: XesReader, columns: LogColumns) -> LogStats:
        keys: dict[str, str] | None = None
        chosen: dict[str, ColumnChoice] = {}
        rows = 0
        self.late_hint = ": each case must be one trace"
        line = 1
        batch = _XesBatch()
        try:
            for trace in traces:
                line = trace.line
                if keys is None:
                    keys, chosen = _xes_keys(trace, columns, self.file)
                    self.lifecycle = ("lifecycle" in keys
                                      and self.options.lifecycle == "complete")
                    self.activity_missing = f"the event has no '{keys['activity']}'"
                    self.time_missing = f"the event has no '{keys['timestamp']}'"
                rows += len(trace.events)
                case = _xes_value(trace, None, keys["case"])
                if not case:
                    self._take_xes(batch)
                    for event in trace.events:
                        self._bad_row(event.line, event.column, (
                            f"the event's trace has no '{keys['case']}' (the case id)"))
                    continue
                batch.add(trace, case, keys, self.lifecycle)
                if len(batch.events) >= _BATCH:
                    self._take_xes(batch)
            self._take_xes(batch)
        except MixedZones as exc:
            raise EventLogError([Problem(self.file, line, 1, (
                f"{exc}: a log must not mix times with and without a zone"))]) from None
        if keys is None:
            raise EventLogError([Problem(self.file, 1, 1, "the XES log holds no trace")])
        self._end_runs()
        if traces.stray_events:
            self._bad_row(1, 1, f"{traces.stray_events:,} events outside any trace belong "
                                "to no case")
            self.bad_count += traces.stray_events - 1
        return self._finish(chosen, rows, "xes", None, line)

    def _take_xes(self, batch: _XesBatch) -> None:
        """Hand the traces gathered in ``batch`` to :meth:`_take`, and empty it."""
        if not batch.events:
            return
        self.case_names.update(batch.names)
        events = batch.events
        self._take(batch.keys, batch.times, batch.activities, batch.resources,
                   batch.transitions, lambda index, _column: (events[index].line,
                                                            events[index].column))
        batch.clear()

    # -- one batch, column by column ------------------------------------------------------

    def _take(self, keys: list[Any], texts: list[Any], activities: list[Any],
              resources: list[str] | None, transitions: list[str] | None,
              where: _Where) -> None:
        """Check and convert one batch of events a column at a time, then fold its runs.

        ``keys`` say which events belong together: a CSV row's case id, an
        XES trace's number (its case id is in :attr:`case_names`). The other
        columns are the events' timestamp texts, activities, resources and
        lifecycle transitions (``None``: not read); ``where(index, column)``
        locates an event for a message. Bad events are reported and left out
        before the runs are cut, so that they never split a case.
        """
        count = len(keys)
        problems: dict[int, tuple[int, str]] = {}
        stamps = self._stamps(texts, problems, where)
        if not all(keys):  # an empty case id (XES keys are trace numbers, never 0)
            for index in compress(range(count), map(not_, keys)):
                problems.setdefault(index, (self.case_column, "the case id is empty"))
        numbers: list[Any] = list(map(self.index_of.get, activities))
        if None in numbers:
            label = self.label
            for index in compress(range(count), map(is_, numbers, repeat(None))):
                if index in problems:
                    continue
                activity = activities[index]
                if activity:
                    numbers[index] = label(activity)
                else:
                    problems[index] = (self.activity_column, self.activity_missing)
        kinds: list[int] | None = None
        if transitions is not None:
            kind_of = self.kind_of
            found: list[int | None] = list(map(kind_of.get, transitions))
            if None in found:
                for index in compress(range(count), map(is_, found, repeat(None))):
                    text = transitions[index]
                    found[index] = _transition_kind(text)
                    if len(kind_of) < _KINDS_KEPT:
                        kind_of[text] = _transition_kind(text)
            kinds = found  # type: ignore[assignment]  # no None is left
        if problems or -2 in numbers or (kinds is not None and _OTHER in kinds):
            kept = self._sift(problems, activities, numbers, transitions, kinds, where)
            keys = [keys[i] for i in kept]
            stamps = [stamps[i] for i in kept]
            numbers = [numbers[i] for i in kept]
            resources = [resources[i] for i in kept] if resources is not None else None
            kinds = [kinds[i] for i in kept] if kinds is not None else None
            where = _moved(where, kept)
        if keys:
            self._runs(keys, stamps, numbers, resources, kinds, where)

    def _stamps(self, texts: list[Any], problems: dict[int, tuple[int, str]],
                where: _Where) -> list[float]:
        """Epoch seconds of ``texts`` (NaN where unreadable, told in ``problems``).

        The parser's caches are looked up for the whole column at once; only
        the texts they miss are parsed one by one.
        """
        count = len(texts)
        if None in texts:  # an XES event without the timestamp attribute
            for index in compress(range(count), map(is_, texts, repeat(None))):
                problems[index] = (self.time_column, self.time_missing)
            texts = ["" if text is None else text for text in texts]
        parse = self.parse
        fast = iso_column(texts, parse)
        if fast is not None:
            if ((fast < EARLIEST) | (fast >= LATEST)).any():
                return self._outside(fast.tolist(), texts, problems)
            return fast.tolist()  # type: ignore[no-any-return]
        days_of, seconds_of = parse.caches
        days = list(map(days_of.get, map(_DATE_PART, texts)))
        seconds = list(map(seconds_of.get, map(_TIME_PART, texts)))
        if None in days or None in seconds:
            missed = {*compress(range(count), map(is_, days, repeat(None))),
                      *compress(range(count), map(is_, seconds, repeat(None)))}
            for index in sorted(missed):
                days[index] = 0
                value = math.nan
                if index not in problems:
                    try:
                        found = parse(texts[index])
                    except MixedZones as exc:
                        raise EventLogError([Problem(self.file, *where(index, self.time_column), (
                            f"{exc}: a log must not mix times with and without a "
                            "zone"))]) from None
                    if found is None:
                        problems[index] = (self.time_column, timestamp_problem(
                            texts[index], self.options.timestamp_format))
                    else:
                        value = found
                seconds[index] = value
        stamps = list(map(add, map(mul, days, repeat(86400.0)), seconds))
        if any(map(EARLIEST.__gt__, stamps)) or any(map(LATEST.__le__, stamps)):
            return self._outside(stamps, texts, problems)
        return stamps

    def _outside(self, stamps: list[float], texts: list[str],
                 problems: dict[int, tuple[int, str]]) -> list[float]:
        """``stamps``, with those a zone pushed past the years 1 to 9999 told in ``problems``."""
        for index, stamp in enumerate(stamps):
            if not EARLIEST <= stamp < LATEST and stamp == stamp:
                problems.setdefault(index, (self.time_column, timestamp_problem(
                    texts[index], self.options.timestamp_format)))
        return stamps

    def _sift(self, problems: dict[int, tuple[int, str]], activities: list[Any],
              numbers: list[Any], transitions: list[str] | None, kinds: list[int] | None,
              where: _Where) -> list[int]:
        """Report the bad events, count the ones left out; the indexes of those kept."""
        for index in sorted(problems):
            column, message = problems[index]
            self._bad_row(*where(index, column), message)
        kept: list[int] = []
        skipped, left_out = self.skipped, self.transitions
        for index, number in enumerate(numbers):
            if index in problems:
                continue
            if number < 0:
                skipped[activities[index]] += 1
            elif kinds is not None and transitions is not None and kinds[index] == _OTHER:
                left_out[transitions[index].strip().lower()] += 1
            else:
                kept.append(index)
        return kept

    # -- runs and cases -------------------------------------------------------------------

    def _runs(self, keys: list[Any], stamps: list[float], numbers: list[int],
              resources: list[str] | None, kinds: list[int] | None, where: _Where) -> None:
        """Cut a batch into runs of one key and fold them; the last waits for the next batch."""
        count = len(keys)
        cuts = [0, *compress(range(1, count), map(ne, islice(keys, 1, None), keys)), count]
        held, self.held = self.held, None
        first = 0
        if held is not None and held.key == keys[0]:
            held.extend(stamps, numbers, resources, kinds, cuts[1])
            if cuts[1] == count:
                self.held = held
                return
            first = 1
        start, end = cuts[first], cuts[-2]
        run_keys = [keys[cut] for cut in islice(cuts, first, len(cuts) - 2)]
        offsets = [cut - start for cut in islice(cuts, first, len(cuts) - 2)]
        places: list[tuple[_Where, int]] = [(where, cut) for cut in
                                            islice(cuts, first, len(cuts) - 2)]
        columns = (stamps[start:end], numbers[start:end],
                   resources[start:end] if resources is not None else None,
                   kinds[start:end] if kinds is not None else None)
        if held is not None:
            size = len(held.stamps)
            run_keys.insert(0, held.key)
            offsets = [0, *(offset + size for offset in offsets)]
            places.insert(0, (held.where, held.first))
            columns = (held.stamps + columns[0], held.numbers + columns[1],
                       held.resources + columns[2] if held.resources is not None
                       and columns[2] is not None else held.resources,
                       held.kinds + columns[3] if held.kinds is not None
                       and columns[3] is not None else held.kinds)
        if run_keys:
            self._fold_runs(run_keys, offsets, *columns, places)
        self.held = _Run(keys[end], stamps[end:], numbers[end:],
                         resources[end:] if resources is not None else None,
                         kinds[end:] if kinds is not None else None, where, end)

    def _end_runs(self) -> None:
        """Fold the run still held at the end of the log."""
        held, self.held = self.held, None
        if held is not None:
            self._fold_runs([held.key], [0], held.stamps, held.numbers, held.resources,
                            held.kinds, [(held.where, held.first)])

    def _fold_runs(self, keys: list[Any], offsets: list[int], stamps: list[float],
                   numbers: list[int], resources: list[str] | None, kinds: list[int] | None,
                   places: list[tuple[_Where, int]]) -> None:
        """Fold runs of events (run ``i`` starts at ``offsets[i]``; its key is ``keys[i]``).

        Runs of different cases are independent and are folded together, a
        column at a time (:meth:`_fold_wave`); a case with several runs here
        has them folded one wave after another, in file order.
        """
        import numpy as np

        cases = keys if not self.case_names else list(map(self.case_names.pop, keys))
        lengths: Any = np.diff(np.array([*offsets, len(stamps)], dtype=np.int64))
        run_of = np.repeat(np.arange(len(keys), dtype=np.int64), lengths)
        owners = None
        if resources is not None:
            owner_of = self.resource_index
            codes = list(map(owner_of.get, resources))
            if None in codes:
                codes = [owner_of.setdefault(text, len(owner_of)) for text in resources]
                self.resource_names.extend(islice(owner_of, len(self.resource_names), None))
            owners = np.array(codes, dtype=np.int64)
        columns = (np.array(stamps, dtype=np.float64), np.array(numbers, dtype=np.int64),
                   owners, np.array(kinds, dtype=np.int8) if kinds is not None else None)
        late: list[tuple[int, str, int]] = []
        if len(set(cases)) == len(cases):
            self._fold_wave(cases, list(range(len(cases))), run_of, columns, late)
        else:
            seen: Counter[Any] = Counter()
            waves: list[list[int]] = []
            for index, case in enumerate(cases):
                wave = seen[case]
                seen[case] += 1
                if wave == len(waves):
                    waves.append([])
                waves[wave].append(index)
            for wave_runs in waves:
                chosen = np.zeros(len(cases), dtype=bool)
                chosen[wave_runs] = True
                mask = chosen[run_of]
                renumber = np.cumsum(chosen) - 1
                picked = [None if column is None else column[mask] for column in columns]
                self._fold_wave([cases[i] for i in wave_runs], wave_runs, renumber[run_of[mask]],
                                (picked[0], picked[1], picked[2], picked[3]), late)
        for index, case, events in sorted(late):
            where, first = places[index]
            self._late(case, events, where(first, self.time_column))
        for sample in chain(self.waits, self.service):
            if len(sample.values) >= EXACT_WAITS:
                sample.fold()

    def _fold_wave(self, cases: list[Any], indexes: list[int], run_of: Any,
                   columns: tuple[Any, Any, Any, Any], late: list[tuple[int, str, int]]) -> None:
        """Count runs of distinct cases into the tallies, each run's events in time order.

        ``run_of`` gives each event's run (0-based, ascending); ``columns`` are
        numpy arrays of the events' times, labels, resource codes and kinds
        (``None``: not read). Runs older than their case's last event are
        added to ``late`` (with their index among ``indexes``) instead.
        """
        import numpy as np

        stamps, labels, owners, kinds = columns
        runs = len(cases)
        heads = np.flatnonzero(np.r_[True, run_of[1:] != run_of[:-1]])
        backwards = (stamps[1:] < stamps[:-1]) & (run_of[1:] == run_of[:-1])
        unordered = np.zeros(runs, dtype=bool)
        if backwards.any():  # a stable sort by time within each run: equal times keep file order
            unordered[run_of[1:][backwards]] = True
            order = np.argsort(stamps, kind="stable")
            order = order[np.argsort(run_of[order], kind="stable")]
            stamps, labels = stamps[order], labels[order]
            owners = owners[order] if owners is not None else None
            kinds = kinds[order] if kinds is not None else None
        tails = list(map(self.tails.get, cases))
        last_times = _tail_column(tails, 1, -math.inf, np.float64)
        is_late = stamps[heads] < last_times
        if is_late.any():
            sizes = np.diff(np.r_[heads, len(stamps)])
            for run in np.flatnonzero(is_late).tolist():
                late.append((indexes[run], cases[run], int(sizes[run])))
            keep = ~is_late
            mask = keep[run_of]
            cases = [case for case, kept in zip(cases, keep.tolist()) if kept]
            tails = [tail for tail, kept in zip(tails, keep.tolist()) if kept]
            unordered = unordered[keep]
            run_of = (np.cumsum(keep) - 1)[run_of[mask]]
            stamps, labels = stamps[mask], labels[mask]
            owners = owners[mask] if owners is not None else None
            kinds = kinds[mask] if kinds is not None else None
            runs = len(cases)
            if not runs:
                return
            heads = np.flatnonzero(np.r_[True, run_of[1:] != run_of[:-1]])
        self.first_time = min(self.first_time, float(stamps.min()))
        self.last_time = max(self.last_time, float(stamps.max()))
        arrive = stamps
        began = None
        if kinds is not None and ((kinds == _START).any() or
                                  any(case in self.open for case in cases)):
            stamps, labels, owners, began, run_of, cases, tails, unordered = self._pairs(
                cases, tails, unordered, heads, stamps, labels, owners, kinds)
            runs = len(cases)
            if not runs:
                return
            heads = np.flatnonzero(np.r_[True, run_of[1:] != run_of[:-1]])
            timed = ~np.isnan(began)
            self._add_samples(self.service, labels[timed], (stamps - began)[timed])
            arrive = np.where(timed, began, stamps)
        if owners is not None:  # counted in C, one code per event: label, then resource
            self.owned.update((labels * _PAIR + owners).tolist())
        events = len(stamps)
        ends = np.r_[heads[1:], events]
        has_tail = np.array(list(map(bool, tails)), dtype=bool)
        previous = _tail_column(tails, 0, -1, np.int64)
        before = np.empty(events, dtype=np.int64)
        before[1:] = labels[:-1]
        before[heads] = previous
        # a visit starts at every event (merged: where the label changes)
        starts = np.flatnonzero(labels != before) if self.merge else np.arange(events)
        visits = labels[starts]
        visit_run = run_of[starts]
        per_run = np.bincount(visit_run, minlength=runs)
        first_visit = np.cumsum(per_run) - per_run
        leave = stamps[np.minimum(np.r_[starts[1:], events], ends[visit_run]) - 1]
        opening = np.r_[True, visit_run[1:] != visit_run[:-1]]
        # a run's events before its first visit continue the case's last visit
        first_start = np.where(per_run > 0, starts[np.minimum(first_visit, len(starts) - 1)],
                               ends) if len(starts) else ends
        last_times = _tail_column(tails, 1, 0.0, np.float64)
        continued = first_start > heads
        last_times[continued] = stamps[first_start[continued] - 1]
        came_from = np.where(opening, previous[visit_run], np.r_[-1, visits[:-1]])
        waited = np.where(opening, arrive[starts] - last_times[visit_run],
                          arrive[starts] - np.r_[0.0, leave[:-1]])
        follows = came_from >= 0
        labels_now = len(self.names)
        self.pairs.update((came_from[follows] * _PAIR + visits[follows]).tolist())
        self._add_samples(self.waits, visits[follows], np.maximum(waited[follows], 0.0))
        so_far = _tail_column(tails, 4, 0, np.int64)
        place = so_far[visit_run] + np.arange(len(starts)) - first_visit[visit_run]
        _add(self.visits, np.bincount(visits, minlength=labels_now))
        _add(self.position, np.bincount(visits, weights=place, minlength=labels_now))
        new = ~has_tail
        _add(self.starts, np.bincount(visits[opening & new[visit_run]], minlength=labels_now))
        self.cases += int(new.sum())
        self.split += runs - int(new.sum())
        self.reordered += int((unordered & new).sum())
        # cases with each label, and cases that come back to it: bit sets of labels per case
        kind = np.int64 if labels_now <= 62 else object
        bits = np.array(self.bits, dtype=kind)
        visited = _tail_column(tails, 2, 0, kind)
        revisited = _tail_column(tails, 3, 0, kind)
        found, repeats = np.unique(visit_run * labels_now + visits, return_counts=True)
        found_run, found_label = np.divmod(found, labels_now)
        bit = bits[found_label]
        seen = (visited[found_run] & bit) != 0
        back = ((revisited[found_run] & bit) == 0) & (seen | (repeats > 1))
        _add(self.cases_with, np.bincount(found_label[~seen], minlength=labels_now))
        _add(self.revisits, np.bincount(found_label[back], minlength=labels_now))
        if len(found):
            groups = np.flatnonzero(np.r_[True, found_run[1:] != found_run[:-1]])
            owner = found_run[groups]
            visited[owner] |= np.bitwise_or.reduceat(bit, groups)
            revisited[owner] |= np.bitwise_or.reduceat(np.where(back, bit, 0).astype(kind),
                                                       groups)
        last_label = np.where(per_run > 0, visits[np.maximum(first_visit + per_run - 1, 0)]
                              if len(starts) else previous, previous)
        self.tails.update(zip(cases, zip(last_label.tolist(), stamps[ends - 1].tolist(),
                                         visited.tolist(), revisited.tolist(),
                                         (so_far + per_run).tolist())))

    def _pairs(self, cases: list[Any], tails: list[Any], unordered: Any, heads: Any, stamps: Any,
               labels: Any, owners: Any, kinds: Any) -> tuple[Any, ...]:
        """Pair each run's starts with its completions (:meth:`_pair`), as columns again.

        Runs left with no completion are dropped (they fold nothing).
        """
        import numpy as np

        bounds = [*heads.tolist(), len(stamps)]
        times, numbers = stamps.tolist(), labels.tolist()
        codes = owners.tolist() if owners is not None else None
        marks = kinds.tolist()
        kept_times: list[float] = []
        kept_numbers: list[int] = []
        kept_owners: list[int] = []
        kept_began: list[float] = []
        kept_runs: list[int] = []
        kept: list[int] = []
        for run, case in enumerate(cases):
            start, end = bounds[run], bounds[run + 1]
            done, done_numbers, done_owners, began = self._pair(
                case, times[start:end], numbers[start:end],
                codes[start:end] if codes is not None else None, marks[start:end])
            if not done:
                continue
            kept_runs += repeat(len(kept), len(done))
            kept.append(run)
            kept_times += done
            kept_numbers += done_numbers
            if done_owners is not None:
                kept_owners += done_owners
            kept_began += (math.nan if moment is None else moment for moment in began)
        return (np.array(kept_times, dtype=np.float64), np.array(kept_numbers, dtype=np.int64),
                np.array(kept_owners, dtype=np.int64) if codes is not None else None,
                np.array(kept_began, dtype=np.float64), np.array(kept_runs, dtype=np.int64),
                [cases[run] for run in kept], [tails[run] for run in kept], unordered[kept])

    @staticmethod
    def _add_samples(samples: list[_Waits], labels: Any, values: Any) -> None:
        """Add ``values`` (a numpy array) to the samples of their ``labels``."""
        import numpy as np

        if not len(labels):
            return
        order = np.argsort(labels, kind="stable")
        ordered = labels[order]
        numbers = values[order].tolist()
        cuts = [*np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]]).tolist(), len(numbers)]
        for start, end in zip(cuts, islice(cuts, 1, None)):
            samples[int(ordered[start])].values.extend(numbers[start:end])

    def _pair(self, case: str, stamps: list[float], numbers: list[int],
              resources: list[int] | None, kinds: list[int]
              ) -> tuple[list[float], list[int], list[int] | None, list[float | None]]:
        """The completions of a run, and the time each one's step started (``None``: no start)."""
        started = self.open.pop(case, None)
        done: list[float] = []
        labels: list[int] = []
        owners: list[int] | None = [] if resources is not None else None
        began: list[float | None] = []
        for index, (stamp, number, kind) in enumerate(zip(stamps, numbers, kinds)):
            if kind == _START:
                if started is None:
                    started = {}
                started.setdefault(number, deque()).append(stamp)
                continue
            waiting = started.get(number) if started is not None else None
            began.append(waiting.popleft() if waiting else None)
            done.append(stamp)
            labels.append(number)
            if owners is not None and resources is not None:
                owners.append(resources[index])
        if started is not None and any(started.values()):
            self.open[case] = started
        return done, labels, owners, began

    def _late(self, case: str, events: int, where: tuple[int, int]) -> None:
        """A run older than where its case stands: skip it as bad rows, once told why."""
        hint, self.late_hint = self.late_hint, ""
        self.late += events
        self._bad_row(where[0], where[1], (
            f"case '{case}' has an event here older than its events on earlier, separate "
            f"rows: the log is neither grouped by case nor sorted by time{hint}"))
        self.bad_count += events - 1

    def _finish(self, chosen: dict[str, ColumnChoice], rows: int, kind: str,
                delimiter: str | None, line: int) -> LogStats:
        self._earliest_bad()
        if self.bad_count > self.max_bad_rows:
            problems = list(self.bad)
            if self.bad_count > len(problems):
                problems.append(Problem(self.file, line, 1, (
                    f"{self.bad_count - len(problems)} more bad rows "
                    f"({self.bad_count} in all)")))
            raise EventLogError(problems)
        return self._result(chosen, rows, kind, delimiter)

    def _result(self, chosen: dict[str, ColumnChoice], rows: int, kind: str,
                delimiter: str | None) -> LogStats:
        ends = [0] * len(self.names)
        for tail in self.tails.values():
            ends[tail[0]] += 1
        owners: list[Counter[str]] = [Counter() for _ in self.names]
        names = self.resource_names
        for code, count in self.owned.items():
            number, resource = divmod(code, _PAIR)
            if names[resource]:
                owners[number][names[resource]] = count
        labels = {}
        for i, name in enumerate(self.names):
            median = self.waits[i].median()
            took = self.service[i].median()
            labels[name] = LabelStats(
                visits=self.visits[i], cases=self.cases_with[i], revisit_cases=self.revisits[i],
                starts=self.starts[i], ends=ends[i],
                wait=median / 60.0 if median is not None else None,
                wait_samples=self.waits[i].samples(),
                position=self.position[i] / self.visits[i] if self.visits[i] else 0.0,
                resources=owners[i],
                service=took / 60.0 if took is not None else None,
                service_samples=self.service[i].samples())
        pairs = {(self.names[a], self.names[b]): n
                 for a, b, n in sorted((*divmod(code, _PAIR), n) for code, n in self.pairs.items())}
        return LogStats(
            file=self.file, columns=chosen, rows=rows, cases=self.cases, labels=labels,
            pairs=pairs, skipped=dict(self.skipped),
            first_time=self.first_time if self.cases else None,
            last_time=self.last_time if self.cases else None,
            reordered_cases=self.reordered, split_runs=self.split,
            late_rows=self.late, bad_rows=tuple(self.bad), bad_row_count=self.bad_count,
            format=kind, delimiter=delimiter, transitions=dict(self.transitions),
            open_starts=sum(len(q) for started in self.open.values()
                            for q in started.values()))


def _tail_column(tails: list[Any], field: int, absent: Any, dtype: Any) -> Any:
    """One field of the cases' tails as a numpy column; ``absent`` for a case not seen before.

    Most runs begin a case, so only the tails that exist are read one by one.
    """
    import numpy as np

    column = np.full(len(tails), absent, dtype=dtype)
    seen = list(compress(range(len(tails)), tails))
    if seen:
        column[seen] = [tails[index][field] for index in seen]
    return column


def _add(tally: list[int], counts: Any) -> None:
    """Add a numpy array of counts (one per label; maybe float sums of whole numbers)."""
    for index, number in enumerate(counts.tolist()):
        if number:
            tally[index] += int(number)


def _transition_kind(text: str) -> int:
    """Complete (also an empty transition), start, or another transition."""
    word = text.strip().lower()
    if word in ("", "complete", "completed"):
        return _COMPLETE
    if word in ("start", "started"):
        return _START
    return _OTHER


def _format_choices(text: str) -> str:
    """The two strptime formats that read an ambiguous ``text`` day-first and month-first."""
    date_text, _, time_text = text.strip().partition(" ")
    separator = next((c for c in date_text if c in "-./"), "/")
    clock = ""
    if time_text:
        twelve = time_text.rstrip().lower().endswith(("am", "pm"))
        hours = "%I" if twelve else "%H"
        clock = f" {hours}:%M" + (":%S" if time_text.count(":") >= 2 else "")
        clock += " %p" if twelve else ""
    day_first = separator.join(("%d", "%m", "%Y"))
    month_first = separator.join(("%m", "%d", "%Y"))
    return f"'{day_first}{clock}' or '{month_first}{clock}'"


def _xes_keys(trace: XesTrace, columns: LogColumns,
              file: str) -> tuple[dict[str, str], dict[str, ColumnChoice]]:
    """Role -> attribute key for an XES log, checked against its first trace."""
    seen = ["case:" + key for key in trace.attributes]
    for event in trace.events:
        seen.extend(key for key in event.attributes if key not in seen)
    problems: list[Problem] = []
    keys: dict[str, str] = {}
    for role in _ROLES:
        spec = getattr(columns, role)
        key = spec or _XES_KEYS[role]
        if role == "case" and not key.startswith("case:"):
            key = "case:" + key
        if spec is not None and spec.startswith("#"):
            problems.append(Problem(file, 1, 1, (
                f"the {role} of an XES log is named by its key, not by position ({spec}); "
                f"the keys are: {_listing(seen)}")))
        elif key in seen:
            keys[role] = key
        elif spec is not None or role in ("case", "activity", "timestamp"):
            close = difflib.get_close_matches(key, seen, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            problems.append(Problem(file, trace.line, trace.column, (
                f"the first trace has no {role} attribute '{key}'{hint}; its keys are: "
                f"{_listing(seen)}")))
    if problems:
        raise EventLogError(problems)
    chosen = {role: ColumnChoice(seen.index(key), key) for role, key in keys.items()}
    return keys, chosen


def _xes_column(trace: XesTrace, key: str, default: str | None) -> Iterable[Any]:
    """The value of ``key`` for each event of ``trace`` (``case:KEY``: the trace's own)."""
    if key.startswith("case:"):
        return repeat(trace.attributes.get(key[5:], default), len(trace.events))
    return map(dict.get, map(_ATTRIBUTES, trace.events), repeat(key), repeat(default))


_ATTRIBUTES = attrgetter("attributes")


def _xes_value(trace: XesTrace, attributes: dict[str, str] | None, key: str) -> str | None:
    """The value of ``key`` (``case:KEY`` reads the trace) for one event."""
    if key.startswith("case:"):
        return trace.attributes.get(key[5:])
    return attributes.get(key) if attributes is not None else None
