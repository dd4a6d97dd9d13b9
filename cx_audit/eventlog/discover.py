"""Discover a journey from an event log: what customers actually went through.

:func:`discover` reads the log once (:func:`~cx_audit.eventlog.reader.scan_log`)
and :func:`build_journey` turns the tallies into a journey document, plain
data for :func:`cx_audit.io.writer.dump_journey`, that loads and audits like a
hand-written journey:

- every activity becomes a step: a slug id (or the id the mapping's
  ``steps`` gives it), the activity's name as its ``label``;
- directly-follows pairs become transitions. ``p`` is the observed share of
  the step's departures, rounded by the largest-remainder method to
  multiples of 0.0001 so that a step's ``p`` values sum to exactly 1 (when
  a rare transition would round to 0, finer multiples are used, down to
  0.000001, and failing that it keeps the smallest one, taken from the
  largest). Repeats and loops stay as they happened: an activity repeated
  right after itself is a self-loop (unless the mapping says
  ``repeats: merge``);
- ``wait`` is the median time from the previous event of the case to the
  step's event, so it sits on the TARGET side of each interval. The first
  event of a case has no wait;
- cases that end at an activity that is neither a resolution nor an abandon
  are abandonment: an ``abandon:`` share on that step (cases ended there /
  visits). An activity that no case ever leaves becomes an ``abandon``
  step itself (a generated abandon step, ``<id>-end``, when it is an
  entry and so cannot be terminal);
- a resolution or abandon activity that no case leaves is a terminal step
  of that kind. One that cases do leave (a ticket reopened after
  ``Closed``) stays a step, and the cases that end there move on to a
  generated terminal step ``<id>-end`` of its kind;
- entries get ``share``: the share of cases that start there (largest
  remainder again, summing to 1). Cases that start elsewhere (under
  :data:`ENTRY_FLOOR`, at a resolution or abandon activity, or at one the
  mapping does not list as an entry) enter through a generated silent
  entry ``start`` that leads to those activities;
- generated steps are ``silent: true``: no event stands for them, so that
  ``conform`` looks through them and a discovered journey conforms to its
  own log with no findings;
- ``owner``: the mapping's ``owners``, else the resource that handles the
  activity most often (when a resource column is given); a transition
  between steps of different owners is a ``warm`` handoff, or ``cold`` if
  the mapping's ``handoffs`` says so;
- ``shield``: the mapping's ``shields``;
- ``evidence``: the observed counts ("412 of 4,580 cases; 530 events;
  median wait 2.3 h").

Defaults without a mapping: the entries are the activities that at least
1% of the cases start with (:data:`ENTRY_FLOOR`; the most common first
activity when none reaches it), and the resolution is the activity that
most cases end with among those whose name does not say the matter failed
(refused, not solvable: :data:`cx_audit.text.words.FAILURE_WORDS`, negations
read); an activity whose name does, and that cases end with, is an abandon.
Words of giving up or cancelling are left out here: in a cancellation
journey, the cancellation confirmed is the resolution.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cx_audit.core.errors import EventLogError, Problem
from cx_audit.eventlog.mapping import LogMapping, matches
from cx_audit.eventlog.reader import LogColumns, LogFormat, LogStats, scan_log
from cx_audit.io.loader import MAX_DURATION_MINUTES
from cx_audit.io.writer import journey_id_problem, yaml_duration
from cx_audit.text import words
from cx_audit.text.formatting import human_duration

__all__ = ["apportion", "build_journey", "discover", "slugify"]

_PLACES = (4, 5, 6)

ENTRY_FLOOR = 0.01
"""Without a mapping, an activity is an entry when at least this share of cases start there."""


def discover(path: str | os.PathLike[str], columns: LogColumns | None = None,
             mapping: LogMapping | None = None, *, max_bad_rows: int = 0,
             journey_id: str | None = None, display_name: str | None = None,
             log_format: LogFormat | None = None) -> tuple[dict[str, Any], list[str]]:
    """Build a journey from the event log at ``path``.

    ``columns`` (from the command line) win over the mapping's ``columns``;
    a column given by neither is guessed from the common names. Returns
    ``(document, notes)``: the journey as plain data and comment lines for
    the top of the file (where it came from, how to read it, and warnings).
    Write it with ``dump_journey(document, notes)``. Raises
    :class:`~cx_audit.eventlog.reader.EventLogError`.
    """
    mapping = mapping or LogMapping()
    chosen = (columns or LogColumns()).over(mapping.columns)
    stats = scan_log(path, chosen, label_of=_activity_filter(mapping),
                     merge_repeats=mapping.merge_repeats, max_bad_rows=max_bad_rows,
                     display_name=display_name, log_format=log_format)
    return build_journey(stats, mapping, journey_id=journey_id)


def _activity_filter(mapping: LogMapping):  # type: ignore[no-untyped-def]
    if not mapping.ignore:
        return None
    return lambda activity: None if mapping.is_ignored(activity) else activity


def slugify(text: str) -> str:
    """A step id for an activity name: transliterated lower case, other runs as ``-``.

    The same ids as every importer's (:func:`cx_audit.text.words.slugify`),
    never cut: ``ß`` gives ``ss``, ``é`` ``e``.

    >>> slugify("Take in charge ticket"), slugify("Accepted-Wait - User"), slugify("??")
    ('take-in-charge-ticket', 'accepted-wait-user', 'step')
    >>> slugify("Prüfung Straße")
    'prufung-strasse'
    """
    return words.slugify(text)


def apportion(counts: Sequence[int]) -> list[float]:
    """Shares of ``counts`` that sum to exactly 1, none of a positive count 0.

    Largest-remainder rounding to multiples of 0.0001 (ties: the larger
    count, then the earlier one); finer multiples (down to 0.000001) when a
    positive count would get 0, and failing that one unit taken from the
    largest share.

    >>> apportion([1, 1, 1])
    [0.3334, 0.3333, 0.3333]
    >>> apportion([1, 99999])
    [1e-05, 0.99999]
    """
    total = sum(counts)
    if total <= 0:
        raise ValueError("nothing to apportion")
    units: list[int] = []
    unit = 1
    for places in _PLACES:
        unit = 10 ** places
        units = [c * unit // total for c in counts]
        remainders = [c * unit % total for c in counts]
        short = unit - sum(units)
        order = sorted(range(len(counts)), key=lambda i: (-remainders[i], -counts[i], i))
        for i in order[:short]:
            units[i] += 1
        if all(u > 0 for u, c in zip(units, counts, strict=True) if c > 0):
            break
    for i, count in enumerate(counts):
        if count > 0 and units[i] == 0:
            units[units.index(max(units))] -= 1
            units[i] = 1
    return [round(u / unit, _PLACES[-1]) for u in units]


def _date(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d")


def build_journey(stats: LogStats, mapping: LogMapping | None = None, *,
                  journey_id: str | None = None) -> tuple[dict[str, Any], list[str]]:
    """The journey document and header notes for already-scanned tallies (see :func:`discover`).

    Raises :class:`ValueError` when ``journey_id`` is not a valid journey id.
    """
    problem = journey_id_problem(journey_id) if journey_id is not None else None
    if problem is not None:
        raise ValueError(problem)
    mapping = mapping or LogMapping()
    if not stats.labels:
        raise EventLogError([Problem(stats.file, 1, 1, "the log holds no events to discover "
                                     "a journey from")])
    return _Builder(stats, mapping).build(journey_id)


class _Builder:
    def __init__(self, stats: LogStats, mapping: LogMapping) -> None:
        self.stats = stats
        self.mapping = mapping
        self.warnings: list[str] = []
        self.extra_notes: list[str] = []
        labels = stats.labels
        self.out: dict[str, dict[str, int]] = {a: {} for a in labels}
        for (a, b), n in stats.pairs.items():
            self.out[a][b] = n
        for key in ("entries", "resolutions", "abandons"):
            for name in getattr(mapping, key):
                if not any(matches(a, (name,)) for a in labels):
                    self.warnings.append(f"the mapping's {key} name '{name}', which matches "
                                         "no activity of the log")
        # without a mapping, names that say the matter failed ("Ticket nicht lösbar",
        # "Rejected") are abandons when cases end there, never the resolution; a
        # cancellation is left alone: in a cancellation journey it is the resolution
        said_abandon = {a for a in labels
                        if words.outcome_of(a, words.FAILURE_WORDS) == "abandon"}
        self.resolutions = {a for a in labels if mapping.has_role(a, "resolutions")}
        if not mapping.resolutions:
            candidates = [a for a in labels if a not in said_abandon] or list(labels)
            self.resolutions = {max(candidates, key=lambda a: (labels[a].ends, labels[a].visits,
                                                              _reverse(a)))}
        if mapping.abandons:
            self.abandons = {a for a in labels if mapping.has_role(a, "abandons")}
        else:
            self.abandons = {a for a in said_abandon if labels[a].ends}
        self.abandons -= self.resolutions
        terminal_roles = self.resolutions | self.abandons
        if mapping.entries:
            self.entries = {a for a in labels if mapping.has_role(a, "entries")}
        else:
            starting = [a for a in labels if labels[a].starts and a not in terminal_roles]
            floor = ENTRY_FLOOR * stats.cases
            self.entries = {a for a in starting if labels[a].starts >= floor}
            if starting and not self.entries:
                self.entries = {max(starting, key=lambda a: labels[a].starts)}
        self.ids = self._ids()
        self.owners = {a: mapping.owner_of(a) or labels[a].top_resource for a in labels}

    def _ids(self) -> dict[str, str]:
        ids: dict[str, str] = {}
        used: set[str] = set()
        for activity in self.stats.labels:
            base = self.mapping.step_for(activity) or slugify(activity)
            if not re.match(r"[a-z0-9]", base):
                base = "step-" + base
            slug, n = base, 1
            while slug in used:
                n += 1
                slug = f"{base}-{n}"
            used.add(slug)
            ids[activity] = slug
        self.used = used
        return ids

    def _end_id(self, activity: str) -> str:
        return self._generated_id(f"{self.ids[activity]}-end")

    def _generated_id(self, base: str) -> str:
        slug, n = base, 1
        while slug in self.used:
            n += 1
            slug = f"{base}-{n}"
        self.used.add(slug)
        return slug

    def _after_entries(self, steps: dict[str, dict[str, Any]], key: str,
                       step: dict[str, Any]) -> dict[str, dict[str, Any]]:
        """``steps`` with ``step`` added after the entry steps (which come first)."""
        entries = {self.ids[a] for a in self.entries}
        ordered = {k: v for k, v in steps.items() if k in entries}
        ordered[key] = step
        ordered.update((k, v) for k, v in steps.items() if k not in entries)
        return ordered

    def owner(self, activity: str) -> str | None:
        return self.owners[activity]

    def build(self, journey_id: str | None) -> tuple[dict[str, Any], list[str]]:
        stats, labels = self.stats, self.stats.labels
        total_cases = stats.cases
        steps: dict[str, dict[str, Any]] = {}
        generated: dict[str, dict[str, Any]] = {}
        entry_list = sorted(self.entries, key=lambda a: (-labels[a].starts, labels[a].position))
        starts = [labels[a].starts for a in entry_list]
        shares = apportion(starts) if sum(starts) else [0.0] * len(entry_list)
        share_of = dict(zip(entry_list, shares, strict=True))
        others = sorted((a for a in labels if labels[a].starts and a not in self.entries),
                        key=lambda a: (-labels[a].starts, labels[a].position, a))
        outside = sum(labels[a].starts for a in others)
        if outside:
            shares = apportion([*starts, outside])
            share_of = dict(zip(entry_list, shares, strict=False))
        for activity in self._order():
            info = labels[activity]
            out = self.out[activity]
            departures = sum(out.values())
            step: dict[str, Any] = {}
            is_entry = activity in self.entries
            role = ("resolution" if activity in self.resolutions
                    else "abandon" if activity in self.abandons else None)
            end_target: str | None = None
            if is_entry:
                step["kind"] = "entry"
            elif departures == 0:
                step["kind"] = role or "abandon"
            if activity != self.ids[activity]:
                step["label"] = activity
            owner = self.owner(activity)
            if owner:
                step["owner"] = owner
            shield = self.mapping.shield_of(activity)
            if shield:
                step["shield"] = shield
            if info.wait is not None:
                wait = info.wait
                if wait > MAX_DURATION_MINUTES:  # a journey may not hold it: say so, keep the cap
                    self.warnings.append(
                        f"the median wait at '{activity}' ({human_duration(wait)}) is longer "
                        "than a journey may hold; written as 100 years")
                    wait = MAX_DURATION_MINUTES
                step["wait"] = yaml_duration(wait)
            if is_entry and share_of[activity] > 0:
                step["share"] = share_of[activity]
            targets: list[tuple[str, int]] = sorted(out.items(), key=lambda kv: (-kv[1], kv[0]))
            ends = info.ends
            if step.get("kind") not in ("resolution", "abandon"):
                if ends and (role is not None or departures == 0):
                    end_target = self._end_id(activity)
                    generated[end_target] = {
                        "kind": role or "abandon",
                        "label": f"Case ends after {activity}",
                        "silent": True,
                        "evidence": [(f"{ends:,} of {total_cases:,} cases end here "
                                      f"({_pct(ends, total_cases)})")]}
                elif ends:
                    step["abandon"] = apportion([ends, departures])[0]
                items: list[tuple[str, int, str | None]] = [
                    (self.ids[b], n, b) for b, n in targets]
                if end_target:
                    items.append((end_target, ends, None))
                if items:
                    shares_out = apportion([n for _, n, _ in items])
                    nexts = []
                    for (target, _count, target_activity), p in zip(items, shares_out, strict=True):
                        item: dict[str, Any] = {"to": target, "p": p}
                        if target_activity is not None:
                            handoff = self.mapping.handoff(owner, self.owner(target_activity))
                            if handoff:
                                item["handoff"] = handoff
                        nexts.append(item)
                    step["next"] = nexts
            step["evidence"] = self._evidence(activity, departures)
            steps[self.ids[activity]] = step
        if outside:
            start = self._generated_id("start")
            steps = self._after_entries(steps, start, {
                "kind": "entry", "label": "Case starts at another activity", "silent": True,
                "share": shares[-1],
                "next": [{"to": self.ids[a], "p": p} for a, p in
                         zip(others, apportion([labels[a].starts for a in others]),
                             strict=True)],
                "evidence": [(f"{outside:,} of {total_cases:,} cases "
                              f"({_pct(outside, total_cases)}) start at an activity that is "
                              "not an entry")]})
            self.extra_notes.append(
                f"{outside:,} case{'s' * (outside != 1)} start at an activity that is not an "
                f"entry: they enter through the silent step '{start}'.")
        steps.update(generated)
        journey = journey_id or self.mapping.journey or slugify(_log_name(stats.file))
        title = self.mapping.title or f"Observed journey: {Path(stats.file).name}"
        document: dict[str, Any] = {"journey": journey, "version": 1, "title": title,
                                    "steps": steps}
        return document, self._notes()

    def _order(self) -> list[str]:
        """Entries first, then by mean position in the cases, terminal steps last."""
        labels = self.stats.labels

        def rank(activity: str) -> tuple[int, float, str]:
            if activity in self.entries:
                group = 0
            elif not self.out[activity]:
                group = 2
            else:
                group = 1
            return (group, labels[activity].position, activity)

        return sorted(labels, key=rank)

    def _evidence(self, activity: str, departures: int) -> list[str]:
        info, total = self.stats.labels[activity], self.stats.cases
        first = (f"{info.cases:,} of {total:,} cases ({_pct(info.cases, total)}); "
                 f"{info.visits:,} event{'s' * (info.visits != 1)}")
        if info.wait is not None:
            samples = info.wait_samples
            first += (f"; median wait {human_duration(info.wait)} "
                      f"({samples:,} interval{'s' * (samples != 1)})")
        lines = [first]
        if info.service is not None:  # start and complete events: the step's own time
            pairs = info.service_samples
            lines.append(f"median service {human_duration(info.service)} from start to "
                         f"complete ({pairs:,} event{'s' * (pairs != 1)})")
        extra = []
        if info.starts:
            extra.append(_cases(info.starts, "starts here", "start here"))
        if info.ends:
            extra.append(_cases(info.ends, "ends here", "end here"))
        if info.revisit_cases:
            extra.append(_cases(info.revisit_cases, "comes back to it", "come back to it"))
        if extra:
            lines.append("; ".join(extra))
        return lines

    def _notes(self) -> list[str]:
        stats = self.stats
        columns = ", ".join(f"{role} = '{c.name}'" for role, c in stats.columns.items())
        notes = [
            (f"Discovered from {Path(stats.file).name}: {stats.events:,} events of "
             f"{stats.cases:,} cases, {_date(stats.first_time)} to {_date(stats.last_time)}."),
            f"Columns: {columns}.",
            ("p: observed share of each step's departures; wait: median time from the "
             "previous completion to the step's start (its service time is in its evidence);"
             if any(label.service_samples for label in stats.labels.values()) else
             "p: observed share of each step's departures; wait: median time since the "
             "previous event of the case;"),
            "abandon: share of the step's visits after which the case ended unresolved.",
        ]
        if stats.skipped:
            left = sum(stats.skipped.values())
            notes.append(f"Left out: {left:,} event{'s' * (left != 1)} of "
                         f"{len(stats.skipped)} ignored "
                         f"activit{'ies' if len(stats.skipped) != 1 else 'y'}.")
        if stats.bad_row_count:
            notes.append(f"Warning: {stats.bad_row_count:,} bad rows were skipped.")
        if stats.late_rows:
            notes.append(f"Warning: {stats.late_rows:,} of them came after their case had moved "
                         "past them (the log is not grouped by case).")
        if stats.transitions:
            left = sum(stats.transitions.values())
            kinds = ", ".join(f"{name or 'empty'} {n:,}" for name, n in
                              sorted(stats.transitions.items()))
            notes.append(f"Left out: {left:,} events of other lifecycle transitions ({kinds}).")
        notes.extend(self.extra_notes)
        notes.extend(f"Warning: {w}." for w in self.warnings)
        return notes


def _log_name(file: str) -> str:
    """The log's file name without its format's suffixes (``gen.xes.gz`` is ``gen``)."""
    name = Path(file).name
    for suffix in (".gz", ".xes", ".csv", ".tsv", ".txt"):
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            name = name[:-len(suffix)]
    return name


def _cases(count: int, one: str, many: str) -> str:
    return f"1 case {one}" if count == 1 else f"{count:,} cases {many}"


def _pct(part: int, whole: int) -> str:
    if not whole:
        return "0%"
    value = 100.0 * part / whole
    shown = f"{value:.1f}" if value >= 0.1 or value == 0 else f"{value:.2g}"
    return f"{shown.removesuffix('.0')}%"


def _reverse(text: str) -> tuple[int, ...]:
    """A key that sorts names backwards, so that ``max`` breaks ties by the first name."""
    return tuple(-ord(ch) for ch in text)
