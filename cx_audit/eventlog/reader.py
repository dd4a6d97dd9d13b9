"""Read an event log (CSV) in one streaming pass and count what customers went through.

An event log has one row per event: a case id (one customer's matter), an
activity and a timestamp, and optionally a resource (who did it). This
module reads such a file once, row by row, with the :mod:`csv` module
(``utf-8-sig``, so a byte-order mark is dropped) and folds every case into
per-label tallies (:class:`LogStats`): visits, cases, starts, ends,
directly-follows counts, repeat visits and the time between events. A
"label" is the activity itself for ``discover``, or the journey step an
activity stands for in ``conform``; a ``label_of`` function decides, and may
return ``None`` to leave an activity out.

Columns are chosen by name (exact, then ignoring case and surrounding
blanks). A name that heads two columns (the Helpdesk log has two called
``Variant``) must be told apart by position: ``Variant#2`` is the second
column of that name and ``#7`` the seventh column. When a column is not
given, the common names are tried (``case:concept:name``, ``Case ID``,
``concept:name``, ``Activity``, ``time:timestamp``, ``Timestamp``, …).

Order. Events of a case are taken in time order; events with equal
timestamps keep their order in the file (a stable sort). The rows of a case
need not be contiguous: state is kept per case id, so a log sorted by
time (cases interleaved) reads as well as one grouped by case. The rows of
one contiguous run of a case are buffered and sorted; a run that continues
a case seen earlier in the file continues from where that case stopped. A
later run that holds an event older than the case's last one cannot be
merged in one pass: it is a bad row (below), taken in file order when
tolerated, and counted in :attr:`LogStats.late_rows`. Sort such a log by
case or by time first.

Memory is bounded by the labels and the cases, never by the events:

- ``A x A`` directly-follows counts for ``A`` distinct labels;
- per label, the waits (exact up to :data:`EXACT_WAITS` values, then a
  logarithmic histogram with 0.5% wide bins, so the median stays within
  0.25%), and the resources seen with it (``A x R``);
- per open case a constant-size tail: the last label and time, and two bit
  sets of labels visited and revisited. Every case is open until the end of
  the file, because an unsorted log may add an event to any case on any row;
  a case's events themselves are held only while its rows are contiguous;
- two timestamp caches of at most 200,000 entries each.

Bad input. A missing column, an unreadable file, text that is not UTF-8 or
an empty file stop the reading with an :class:`EventLogError`. A bad row (a
timestamp that cannot be read, an empty case id or activity, a row too short
to hold the columns) is skipped and counted; the first
:data:`REPORTED_ROWS` are described as :class:`~cx_audit.io.yamlsource.Problem`
values at their CSV line and column (the 1-based field number; for a
record whose quoted field spans lines, its last line). When more
rows are bad than the caller tolerates (``max_bad_rows``, 0 by default),
reading ends in an :class:`EventLogError` listing them; otherwise they are
kept in :attr:`LogStats.bad_rows` as warnings.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import os
import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from cx_audit.core.errors import EventLogError, Problem
from cx_audit.eventlog.timestamps import (
    EARLIEST,
    LATEST,
    TimestampParser,
    timestamp_problem,
)
from cx_audit.io.reading import MAX_LOG_BYTES, open_input, read_lines

__all__ = [
    "EXACT_WAITS",
    "REPORTED_ROWS",
    "ColumnChoice",
    "EventLogError",
    "LabelStats",
    "LogColumns",
    "LogStats",
    "resolve_columns",
    "scan_log",
]

EXACT_WAITS = 10_000
"""Waits kept exactly per label; beyond this they are binned (median within 0.25%)."""

REPORTED_ROWS = 20
"""Bad rows described one by one; the rest are counted."""

_SEPARATORS = ("T", " ")
_FOLD_CHECK = 4096
_BIN_RATIO = 1.005
_BIN_SCALE = 1.0 / math.log(_BIN_RATIO)

_GUESSES = {
    "case": ("case:concept:name", "case id", "case_id", "caseid", "case", "case number",
             "sr number", "ticket", "ticket id"),
    "activity": ("concept:name", "activity", "activity name", "event", "action", "task"),
    "timestamp": ("time:timestamp", "timestamp", "complete timestamp", "time", "datetime",
                  "date", "change date+time", "end time", "completed"),
    "resource": ("org:resource", "resource", "user", "agent", "owner"),
}
_ROLE_OPTION = {"case": "--case", "activity": "--activity", "timestamp": "--timestamp",
                "resource": "--resource"}



@dataclass(frozen=True)
class LogColumns:
    """Which columns hold the case id, activity, timestamp and (optionally) resource.

    Each is a column name, ``Name#k`` for the k-th column of a repeated name,
    ``#n`` for the n-th column, or ``None`` to guess from the common names
    (the resource is never guessed: without it steps get no owner from the log).
    """

    case: str | None = None
    activity: str | None = None
    timestamp: str | None = None
    resource: str | None = None

    def over(self, other: LogColumns) -> LogColumns:
        """These columns, with ``other``'s where these give none."""
        return LogColumns(self.case or other.case, self.activity or other.activity,
                          self.timestamp or other.timestamp, self.resource or other.resource)


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
    for role in ("case", "activity", "timestamp", "resource"):
        spec = getattr(columns, role)
        if spec is None and role == "resource":
            continue
        try:
            index = _find(header, spec, role) if spec is not None else _guess(header, role)
        except ValueError as exc:
            problems.append(Problem(file, 1, 1, str(exc)))
            continue
        chosen[role] = ColumnChoice(index, header[index])
    taken: dict[int, str] = {}
    for role, choice in chosen.items():
        if choice.index in taken and role != "resource":
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
    resource -> events (empty without a resource column).
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
    by ``label_of`` to its number of events.
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
        self.bins: dict[int, int] | None = None
        self.zeros = 0
        self.count = 0

    def fold(self) -> None:
        """Move the exact values into the histogram."""
        bins = self.bins if self.bins is not None else {}
        log, scale = math.log, _BIN_SCALE
        for value in self.values:
            if value <= 0:
                self.zeros += 1
            else:
                key = math.floor(log(value) * scale)
                bins[key] = bins.get(key, 0) + 1
        self.count += len(self.values)
        self.values = []
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
             max_bad_rows: int = 0, display_name: str | None = None) -> LogStats:
    """Read the event log at ``path`` once and return its :class:`LogStats`.

    ``label_of(activity)`` gives the label an activity is counted under
    (default: the activity itself), or ``None`` to leave its events out.
    With ``merge_repeats``, consecutive events of a case with the same
    label are one visit (its wait runs from the previous label's last
    event); otherwise each is a visit and the repeat a self-loop.
    Raises :class:`EventLogError` (see the module docstring).
    """
    name = display_name if display_name is not None else os.fspath(path)
    raw = open_input(path, name, error=_ReadingStopped, what="log", limit=MAX_LOG_BYTES)
    handle = io.TextIOWrapper(io.BufferedReader(raw, _BUFFER), encoding="utf-8-sig",
                              newline="")
    with handle:
        scanner = _Scanner(name, label_of, merge_repeats, max_bad_rows)
        try:
            return scanner.run(csv.reader(read_lines(handle, name, error=EventLogError)),
                               columns or LogColumns())
        except _ReadingStopped as exc:  # too large, or a pipe that fell silent: say where
            raise EventLogError([Problem(name, scanner.line_after(), 1,
                                         exc.problem.message)]) from None
        except UnicodeDecodeError as exc:
            byte = exc.object[exc.start]
            raise EventLogError([Problem(name, scanner.line_after(), 1, (
                f"not UTF-8 text: byte 0x{byte:02x} cannot be decoded"))]) from None
        except csv.Error as exc:
            raise EventLogError([Problem(name, scanner.line_after(), 1,
                                         f"not a CSV file: {exc}")]) from None


class _ReadingStopped(EventLogError):
    """The log could not be read on (see :func:`cx_audit.io.reading.open_input`)."""


_BUFFER = 1024 * 1024
"""Bytes read from the log at a time."""


class _Scanner:
    """One pass over the rows; the per-case state lives in ``tails``."""

    def __init__(self, file: str, label_of: Callable[[str], str | None] | None,
                 merge: bool, max_bad_rows: int) -> None:
        self.file = file
        self.label_of = label_of
        self.merge = merge
        self.max_bad_rows = max_bad_rows
        self.reader: Any = None
        self.time_column = 1
        self.bad: list[Problem] = []
        self.bad_count = 0
        # per label (index), grown by _label()
        self.names: list[str] = []
        self.visits: list[int] = []
        self.cases_with: list[int] = []
        self.revisits: list[int] = []
        self.starts: list[int] = []
        self.position: list[int] = []
        self.waits: list[_Waits] = []
        self.follows: list[dict[int, int]] = []
        self.resources: list[Counter[str]] = []
        self.skipped: Counter[str] = Counter()
        # per case: (last label, last time, visited bits, revisited bits, events so far)
        self.tails: dict[str, tuple[int, float, int, int, int]] = {}
        self.cases = 0
        self.first_time = math.inf
        self.last_time = -math.inf
        self.pending = 0
        self.reordered = 0
        self.split = 0
        self.late = 0

    def line_after(self) -> int:
        """The line after the last one read (where reading failed)."""
        return (self.reader.line_num if self.reader is not None else 0) + 1

    def _label(self, name: str) -> int:
        index = len(self.names)
        self.names.append(name)
        for tally in (self.visits, self.cases_with, self.revisits, self.starts, self.position):
            tally.append(0)
        self.waits.append(_Waits())
        self.follows.append({})
        self.resources.append(Counter())
        return index

    def _bad_row(self, line: int, column: int, message: str) -> None:
        self.bad_count += 1
        if len(self.bad) < REPORTED_ROWS:
            self.bad.append(Problem(self.file, line, column, message))

    def run(self, reader: csv.Reader, columns: LogColumns) -> LogStats:  # type: ignore[name-defined]
        try:
            header = next(reader)
        except StopIteration:
            raise EventLogError([Problem(self.file, 1, 1, "the log is empty: "
                                         "no header row")]) from None
        chosen = resolve_columns(header, columns, self.file)
        case_i = chosen["case"].index
        act_i = chosen["activity"].index
        time_i = chosen["timestamp"].index
        self.time_column = time_i + 1
        res_i = chosen["resource"].index if "resource" in chosen else -1
        width = max(case_i, act_i, time_i, res_i) + 1
        parse = TimestampParser()
        days, times = parse.caches
        label_of = self.label_of
        index_of: dict[str, int | None] = {}  # activity -> label index, None to skip
        label_index: dict[str, int] = {}
        skipped = self.skipped
        add_run = self._add_run
        rows = 0
        current = ""  # no case: an empty case id is a bad row
        run: list[tuple[float, int, str, int]] = []
        ordered = True
        previous_time = -math.inf
        self.reader = reader
        for row in reader:
            if len(row) < width:
                line = reader.line_num
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue  # a blank line
                rows += 1
                missing = min(i for i in (case_i, act_i, time_i, res_i) if i >= len(row))
                self._bad_row(line, len(row) + 1, (
                    f"the row has {len(row)} field{'s' * (len(row) != 1)}: column "
                    f"'{header[missing]}' (column {missing + 1}) is missing"))
                continue
            rows += 1
            case = row[case_i]
            activity = row[act_i]
            text = row[time_i]
            # the parser's own caches, looked up inline for the common ISO layout
            day = days.get(text[:10])
            if day is not None and text[10:11] in _SEPARATORS:
                seconds = times.get(text[11:])
                stamp = day * 86400.0 + seconds if seconds is not None else parse(text)
            else:
                stamp = parse(text)
            if stamp is None or not EARLIEST <= stamp < LATEST:
                self._bad_row(reader.line_num, time_i + 1, timestamp_problem(row[time_i]))
                continue
            if not case:
                self._bad_row(reader.line_num, case_i + 1, "the case id is empty")
                continue
            if not activity:
                self._bad_row(reader.line_num, act_i + 1, "the activity is empty")
                continue
            label = index_of.get(activity, -1)
            if label == -1:
                name = label_of(activity) if label_of is not None else activity
                if name is None:
                    label = None
                else:
                    label = label_index.get(name)
                    if label is None:
                        label = label_index[name] = self._label(name)
                index_of[activity] = label
            if label is None:
                skipped[activity] += 1
                continue
            if case != current:
                if run:
                    add_run(current, run, ordered)
                current = case
                run = []
                ordered = True
            elif stamp < previous_time:
                ordered = False
            previous_time = stamp
            run.append((stamp, label, row[res_i] if res_i >= 0 else "", reader.line_num))
        if run:
            add_run(current, run, ordered)
        if self.bad_count > self.max_bad_rows:
            problems = list(self.bad)
            if self.bad_count > len(problems):
                problems.append(Problem(self.file, reader.line_num, 1, (
                    f"{self.bad_count - len(problems)} more bad rows "
                    f"({self.bad_count} in all)")))
            raise EventLogError(problems)
        for waits in self.waits:
            if len(waits.values) >= EXACT_WAITS:
                waits.fold()
        return self._result(chosen, rows, self.first_time, self.last_time)

    def _add_run(self, case: str, run: list[tuple[float, int, str, int]], ordered: bool) -> None:
        """Fold one contiguous run of a case's rows into the tallies."""
        if not ordered:
            run.sort(key=itemgetter(0))  # stable: equal times keep file order
        self.first_time = min(self.first_time, run[0][0])
        self.last_time = max(self.last_time, run[-1][0])
        tail = self.tails.get(case)
        visits, cases_with, revisits = self.visits, self.cases_with, self.revisits
        follows, waits, position = self.follows, self.waits, self.position
        merge = self.merge
        if tail is None:
            self.cases += 1
            if not ordered:
                self.reordered += 1
            previous, last_time, visited, revisited, count = -1, 0.0, 0, 0, 0
            self.starts[run[0][1]] += 1
        else:
            self.split += 1
            previous, last_time, visited, revisited, count = tail
            if run[0][0] < last_time:
                self.late += 1
                self._bad_row(run[0][3], self.time_column, (
                    f"case '{case}' has an event here older than its event on an earlier, "
                    "separate row: sort the log by case or by time (taken in file order)"))
        if run[0][2]:
            resources = self.resources
            for _stamp, label, resource, _line in run:
                seen = resources[label]
                seen[resource] = seen.get(resource, 0) + 1
        for stamp, label, _resource, _line in run:
            if previous >= 0:
                if label == previous and merge:
                    last_time = stamp
                    continue
                after = follows[previous]
                after[label] = after.get(label, 0) + 1
                waits[label].values.append(stamp - last_time)
            visits[label] += 1
            position[label] += count
            count += 1
            bit = 1 << label
            if visited & bit:
                if not revisited & bit:
                    revisits[label] += 1
                    revisited |= bit
            else:
                visited |= bit
                cases_with[label] += 1
            previous = label
            last_time = stamp
        self.tails[case] = (previous, last_time, visited, revisited, count)
        self.pending += len(run)
        if self.pending >= _FOLD_CHECK:
            self.pending = 0
            for sample in waits:
                if len(sample.values) >= EXACT_WAITS:
                    sample.fold()

    def _result(self, chosen: dict[str, ColumnChoice], rows: int, first_time: float,
                last_time: float) -> LogStats:
        ends = [0] * len(self.names)
        for tail in self.tails.values():
            ends[tail[0]] += 1
        labels = {}
        for i, name in enumerate(self.names):
            median = self.waits[i].median()
            labels[name] = LabelStats(
                visits=self.visits[i], cases=self.cases_with[i], revisit_cases=self.revisits[i],
                starts=self.starts[i], ends=ends[i],
                wait=median / 60.0 if median is not None else None,
                wait_samples=self.waits[i].samples(),
                position=self.position[i] / self.visits[i] if self.visits[i] else 0.0,
                resources=self.resources[i])
        pairs = {(self.names[a], self.names[b]): n
                 for a, after in enumerate(self.follows) for b, n in after.items()}
        return LogStats(
            file=self.file, columns=chosen, rows=rows, cases=self.cases, labels=labels,
            pairs=pairs, skipped=dict(self.skipped),
            first_time=first_time if self.cases else None,
            last_time=last_time if self.cases else None,
            reordered_cases=self.reordered, split_runs=self.split,
            late_rows=self.late, bad_rows=tuple(self.bad), bad_row_count=self.bad_count)
