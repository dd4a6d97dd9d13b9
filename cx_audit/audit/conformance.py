"""Conformance: a journey map (the design) beside an event log (what happened).

:func:`observe` reads the log once and counts it at the level of the map's
steps (:class:`Observations`); :func:`conform` loads the files, observes,
and audits the journey with the observations in the rule context, so that
the conformance rules (CX601-CX606, ``cx_audit/rules/conform_*.py``)
report the differences as findings in an ordinary
:class:`~cx_audit.audit.run.AuditRun[JourneyAudit]` that every output format renders.

Which step an activity stands for, first match wins:

1. ``ignore`` in the mapping: the event is left out, as if not logged;
2. ``steps`` in the mapping (exact activity name, then glob patterns);
3. a step whose ``label`` is the activity (ignoring case and blanks);
4. a step whose id is the activity's slug (``Take in charge ticket`` ->
   ``take-in-charge-ticket``), which is how ``discover`` names steps.

Silent steps (``silent: true`` or ``parallel``: start and end events,
gateways, the ends ``discover`` generates) stand for no activity; the rules
look through them (:func:`~cx_audit.eventlog.footprint.footprint`).

Events of an activity that matches no step are left out of the counts and
reported (CX606), so the customer's walk goes from the step before to the
step after. Consecutive events that stand for the same step are a
self-loop, or one visit with ``repeats: merge`` in the mapping (use it
when several activities stand for one step).

What is compared: a step's observed departures are the transitions out of
it plus the cases that end there; a transition's observed share is its
count over those departures, beside the design's ``(1 - abandon) * p``;
the observed abandon share of a non-terminal step is the cases that end
there over its departures, beside its ``abandon``; the observed wait is the
median time from the previous step's (last) event to the step's event,
beside the design's ``wait`` (or its Erlang C wait).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from cx_audit.audit.config import Config
from cx_audit.audit.engine import JourneyAudit, audit_journey, unsolvable
from cx_audit.audit.run import AuditRun, keep_analysed
from cx_audit.core.errors import (
    EventLogError,
    JourneyError,
    LoopTooEntangled,
    MappingError,
    Problem,
)
from cx_audit.core.model import Journey
from cx_audit.eventlog.discover import slugify
from cx_audit.eventlog.mapping import LogMapping, load_mapping
from cx_audit.eventlog.observations import Observations, StepObservation, observed_loop
from cx_audit.eventlog.reader import LogColumns, LogFormat, scan_log
from cx_audit.io.loader import load_journey

__all__ = [
    "CONFORMANCE_PREFIX",
    "ConformResult",
    "Observations",
    "StepObservation",
    "conform",
    "conformance_config",
    "observe",
    "observed_loop",
    "step_matcher",
]

CONFORMANCE_PREFIX = "CX6"
"""The code prefix of the conformance rules."""


def step_matcher(journey: Journey, mapping: LogMapping) -> Callable[[str], str | None]:
    """The function that gives the step an activity stands for (``None``: none, or ignored).

    Silent steps stand for no activity: a log never shows them.
    """
    shown = {s.id for s in journey.steps.values() if not s.silent}
    by_label = {_key(s.label): s.id for s in journey.steps.values() if s.id in shown}

    def step_of(activity: str) -> str | None:
        if mapping.is_ignored(activity):
            return None
        step = mapping.step_for(activity)
        if step is not None:
            return step if step in shown else None
        step = by_label.get(_key(activity))
        if step is not None:
            return step
        slug = slugify(activity)
        return slug if slug in shown else None

    return step_of


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip()).casefold()


def observe(journey: Journey, log: str | os.PathLike[str], mapping: LogMapping | None = None, *,
            columns: LogColumns | None = None, max_bad_rows: int = 0,
            display_name: str | None = None, log_format: LogFormat | None = None
            ) -> Observations:
    """Read the event log at ``log`` once and count it at the level of ``journey``'s steps.

    ``columns`` win over the mapping's ``columns``; the rest are guessed.
    Raises :class:`~cx_audit.eventlog.reader.EventLogError`.
    """
    mapping = mapping or LogMapping()
    matcher = step_matcher(journey, mapping)
    seen: dict[str, str] = {}

    def label_of(activity: str) -> str | None:
        step = matcher(activity)
        if step is not None:
            seen[activity] = step
        return step

    stats = scan_log(log, (columns or LogColumns()).over(mapping.columns), label_of=label_of,
                     merge_repeats=mapping.merge_repeats, max_bad_rows=max_bad_rows,
                     display_name=display_name, log_format=log_format)
    return Observations.from_stats(stats, mapping, seen)


@dataclass
class ConformResult:
    """A conformance run: the audit run to render, the observations and notes for stderr."""

    run: AuditRun[JourneyAudit]
    observations: Observations | None = None
    notes: list[str] = field(default_factory=list)


def conformance_config(config: Config) -> Config:
    """``config`` with every rule outside the conformance rules (and CX9) switched off."""
    others = tuple(f"CX{n}" for n in range(1, 10) if f"CX{n}" not in (CONFORMANCE_PREFIX, "CX9"))
    return replace(config, ignore=(*config.ignore, *others))


def conform(journey_path: str | os.PathLike[str], log_path: str | os.PathLike[str],
            mapping: LogMapping | str | os.PathLike[str] | None = None, *,
            columns: LogColumns | None = None, config: Config | None = None,
            max_bad_rows: int = 0, design_rules: bool = False,
            log_format: LogFormat | None = None) -> ConformResult:
    """Set the journey at ``journey_path`` beside the event log at ``log_path``.

    ``mapping`` is a :class:`~cx_audit.eventlog.mapping.LogMapping` or the
    path of a mapping file. Only the conformance rules run unless
    ``design_rules`` is true. Input problems (an invalid journey or mapping,
    an unreadable log, too many bad rows) are in ``result.run.problems``,
    so ``result.run.exit_code()`` is 2 for them, as for ``audit``.
    """
    config = config or Config()
    run: AuditRun[JourneyAudit] = AuditRun(files=[Path(journey_path), Path(log_path)],
                                           config=config)
    result = ConformResult(run)
    try:
        journey = load_journey(journey_path)
    except JourneyError as exc:
        run.problems.extend(exc.problems)
        return result
    if mapping is None or isinstance(mapping, LogMapping):
        rules = mapping or LogMapping()
    else:
        run.files.append(Path(mapping))
        try:
            rules = load_mapping(mapping)
        except MappingError as exc:
            run.problems.extend(exc.problems)
            return result
    unknown = sorted({step for _, step in rules.steps if step not in journey.steps})
    silent = sorted({step for _, step in rules.steps
                     if step in journey.steps and journey.steps[step].silent})
    if unknown or silent:
        run.problems.extend(Problem(rules.file or "<mapping>", 1, 1, (
            f"the mapping's 'steps' name '{step}', which journey '{journey.id}' lacks"))
            for step in unknown)
        run.problems.extend(Problem(rules.file or "<mapping>", 1, 1, (
            f"the mapping's 'steps' name '{step}', a silent step of journey '{journey.id}' "
            "that a log never shows")) for step in silent)
        return result
    try:
        observations = observe(journey, log_path, rules, columns=columns,
                               max_bad_rows=max_bad_rows, log_format=log_format)
    except EventLogError as exc:
        run.problems.extend(exc.problems)
        return result
    result.observations = observations
    used = config if design_rules else conformance_config(config)
    try:  # the figures are solved now, so that an unsolvable journey is a located problem
        run.results.append(keep_analysed(audit_journey(journey, used, observed=observations)))
    except LoopTooEntangled as exc:
        run.problems.append(unsolvable(journey, exc))
        return result
    result.notes = _notes(observations)
    return result


def _notes(observations: Observations) -> list[str]:
    notes = [(f"{Path(observations.log).name}: {observations.events:,} events of "
              f"{observations.cases:,} cases matched {len(observations.steps)} steps")]
    if observations.unmatched:
        count = sum(observations.unmatched.values())
        kinds = len(observations.unmatched)
        notes.append(f"{count:,} event{'s' * (count != 1)} of {kinds} "
                     f"activit{'ies' if kinds != 1 else 'y'} "
                     f"match{'es' * (count == 1)} no step (CX606)")
    if observations.ignored:
        notes.append(f"{observations.ignored:,} events left out by the mapping's 'ignore'")
    notes.extend(f"skipped: {problem}" for problem in observations.bad_rows)
    if observations.bad_row_count > len(observations.bad_rows):
        notes.append(f"{observations.bad_row_count:,} bad rows skipped in all")
    return notes
