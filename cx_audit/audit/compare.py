"""Before and after: pair the journeys of two versions and say what changed between them.

A redesign is usually a new file with a new id (``telecom-billing-dispute``
becomes ``telecom-billing-dispute-redesigned``), so journeys are paired by
where they come from before their ids. :func:`pair_journeys` pairs, in this
order, each journey in at most one pair:

1. **the same file**: the path of the file relative to its side's root (the
   folder given; a file given is its own root, so two files given are always
   paired, whatever their ids);
2. **replaces**: a to-be journey whose ``replaces:`` names an as-is
   journey's id;
3. **the same id**.

What is left is unpaired and not an error: an as-is journey with no to-be
version was removed, a to-be journey with no as-is version is new. With
``--base REV`` each file is paired with its own version at that revision.

:func:`compare_audits` sets two audits side by side (:class:`Comparison`):
every figure of the metric table before and after, worded for people
(:class:`MetricChange`), and the combustion points fixed, new and remaining
(:class:`PointChange`). Points are matched by place: the same kind and the
same set of steps, else the same kind at the same site (and, for a
transition, the same target), so a loop that lost a step is still that loop.
Step ids name places, so a step renamed in the redesign is another place. A
matched point is *remaining*: smaller or larger by the customers it loses
(differences under 0.1 in 1,000 do not count), then by the effort it adds
across all customers, else unchanged. An as-is point with no match is
*fixed* (its place is gone or no longer above the noise floor), a to-be
point with no match is *new*.
"""

from __future__ import annotations

import math
import os
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from cx_audit.audit.collection import load_paths
from cx_audit.audit.config import Config
from cx_audit.audit.engine import JourneyAudit, audit_journey, unsolvable
from cx_audit.audit.points import NOISE, CombustionPoint, combustion_points
from cx_audit.audit.run import keep_analysed
from cx_audit.core.errors import JourneyError, LoopTooEntangled, Problem
from cx_audit.core.model import Journey
from cx_audit.io.loader import load_journey_bytes
from cx_audit.io.reading import read_stream
from cx_audit.text.formatting import human_duration, percent, signed_duration

__all__ = [
    "FIGURES",
    "LOST_TOLERANCE",
    "PAIRED_BY_WORDS",
    "Comparison",
    "Figure",
    "FigureKind",
    "MetricChange",
    "Pair",
    "PairedBy",
    "PointChange",
    "PointStatus",
    "Sides",
    "Trend",
    "audit_all",
    "compare_audits",
    "load_at_revision",
    "load_sides",
    "match_points",
    "metric_change",
    "pair_journeys",
    "pair_with_reasons",
]

PairedBy = Literal["files", "path", "replaces", "id", "revision"]
"""Why two journeys were paired: the two files given, the same path below the two folders,
``replaces:``, the same id, or the same file at a git revision."""

PAIRED_BY_WORDS: dict[str, str] = {
    "files": "the two files given",
    "path": "the same file name in both folders",
    "replaces": "the to-be journey says it replaces the as-is one",
    "id": "the same journey id",
    "revision": "the same file at the git revision",
}
"""Why two journeys were paired, in the words of a report."""

LOST_TOLERANCE = 1e-4
"""A change in the share of customers a point loses smaller than this (0.1 in 1,000) is none."""


@dataclass(frozen=True, slots=True)
class Pair:
    """One as-is journey and its to-be version; either is ``None`` when unpaired."""

    old: JourneyAudit | None
    new: JourneyAudit | None
    paired_by: PairedBy | None = None
    """Why they are paired (``None`` when one side is missing)."""


def _side_keys(journeys: Sequence[Journey], root: Path | None) -> list[str]:
    """Each journey's file relative to ``root`` (default: its side's common folder).

    A journey read from the root itself (a file given) has the key ``.``; a
    file outside the root is known by its name.
    """
    files = [os.path.abspath(j.file) for j in journeys]
    if root is None:
        if not files:
            return []
        base = os.path.commonpath([os.path.dirname(f) for f in files])
    else:
        base = os.path.abspath(root)
    keys = []
    for file in files:
        relative = os.path.relpath(file, base)
        keys.append(os.path.basename(file) if relative.startswith("..") else
                    Path(relative).as_posix())
    return keys


def _pair_keyed(old: Sequence[tuple[str, JourneyAudit]], new: Sequence[tuple[str, JourneyAudit]],
                same_key: PairedBy = "path") -> list[Pair]:
    """Pair by key, then ``replaces:``, then id; to-be order first, then removed journeys."""
    partner: dict[int, tuple[int, PairedBy]] = {}  # new index -> (old index, why)
    taken: set[int] = set()
    by_key: dict[str, int] = {}
    for index, (key, _) in enumerate(old):
        by_key.setdefault(key, index)
    for index, (key, _) in enumerate(new):
        found = by_key.get(key)
        if found is not None and found not in taken:
            partner[index] = (found, "files" if key == "." else same_key)
            taken.add(found)
    for why in ("replaces", "id"):
        by_id: dict[str, int] = {}
        for index, (_, audit) in enumerate(old):
            if index not in taken:
                by_id.setdefault(audit.journey.id, index)
        for index, (_, audit) in enumerate(new):
            wanted = audit.journey.replaces if why == "replaces" else audit.journey.id
            if index in partner or wanted is None:
                continue
            found = by_id.get(wanted)
            if found is not None and found not in taken:
                partner[index] = (found, "replaces" if why == "replaces" else "id")
                taken.add(found)
    pairs = []
    for index, (_, audit) in enumerate(new):
        if index in partner:
            found, why = partner[index]
            pairs.append(Pair(old[found][1], audit, why))
        else:
            pairs.append(Pair(None, audit))
    pairs.extend(Pair(audit, None) for index, (_, audit) in enumerate(old) if index not in taken)
    return pairs


def pair_journeys(old: Sequence[JourneyAudit], new: Sequence[JourneyAudit], *,
                  old_root: Path | None = None, new_root: Path | None = None,
                  ) -> list[tuple[JourneyAudit | None, JourneyAudit | None]]:
    """Pair the as-is journeys ``old`` with the to-be journeys ``new`` (module docstring).

    ``old_root`` and ``new_root`` are the file or folder each side was read
    from; without one, a side's root is the common folder of its files, so
    files are matched by name. Returns ``(old, new)`` pairs in the order of
    ``new``, then the removed journeys in the order of ``old``; an unpaired
    journey has ``None`` beside it.
    """
    return [(pair.old, pair.new) for pair in pair_with_reasons(old, new, old_root, new_root)]


def pair_with_reasons(old: Sequence[JourneyAudit], new: Sequence[JourneyAudit],
                      old_root: Path | None = None, new_root: Path | None = None) -> list[Pair]:
    """:func:`pair_journeys`, each pair saying why it was made."""
    return _pair_keyed(list(zip(_side_keys([a.journey for a in old], old_root), old)),
                       list(zip(_side_keys([a.journey for a in new], new_root), new)))


# -- reading both sides -----------------------------------------------------


@dataclass
class Sides:
    """Both versions read, audited and paired, with the input problems met on either side."""

    pairs: list[Pair] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    """Paths given that do not exist."""


def load_at_revision(path: Path, revision: str) -> tuple[list[Journey], list[Problem]]:
    """The journeys of ``path`` (a file) as committed at git ``revision``.

    A file that did not exist at that revision gives no journeys (everything
    in it is new). Problems name the file as ``REV:path``.
    """
    folder = path.resolve().parent
    name = f"{revision}:{path}"
    try:
        top = subprocess.run(["git", "-C", str(folder), "rev-parse", "--show-toplevel"],
                             capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return [], [Problem(str(path), 1, 1, "--base needs the file to be in a git repository")]
    relative = path.resolve().relative_to(Path(top).resolve()).as_posix()
    verify = subprocess.run(["git", "-C", top, "rev-parse", "--verify", "--quiet",
                             f"{revision}^{{commit}}"], capture_output=True, text=True, check=False)
    if verify.returncode != 0:
        return [], [Problem(str(path), 1, 1, f"unknown git revision '{revision}'")]
    try:
        data = _show_blob(top, revision, relative, name)
    except JourneyError as exc:
        return [], list(exc.problems)
    if data is None:
        return [], []  # not in that revision: every journey in it is new
    try:
        return [load_journey_bytes(data, name)], []
    except JourneyError as exc:
        return [], list(exc.problems)


def _show_blob(top: str, revision: str, relative: str, name: str) -> bytes | None:
    """The file ``relative`` as committed at ``revision``, or None when it is not there.

    Read as any input is, at most :data:`~cx_audit.io.reading.MAX_INPUT_BYTES`:
    git is stopped past the limit rather than a huge blob being held whole.
    """
    with subprocess.Popen(["git", "-C", top, "show", f"{revision}:{relative}"],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as shown:
        assert shown.stdout is not None
        try:
            data = read_stream(shown.stdout, name, error=JourneyError)
        except JourneyError:
            shown.kill()
            raise
        return data if shown.wait() == 0 else None


def audit_all(journeys: Iterable[Journey], config: Config,
              problems: list[Problem]) -> list[JourneyAudit]:
    """Each journey audited with its figures solved; one that cannot be solved is a problem."""
    audits = []
    for journey in journeys:
        try:
            audits.append(keep_analysed(audit_journey(journey, config)))
        except LoopTooEntangled as exc:
            problems.append(unsolvable(journey, exc))
    return audits


def load_sides(paths: Sequence[Path], base: str | None, config: Config) -> Sides:
    """Read, audit and pair ``AS-IS TO-BE`` (two files or folders), or ``paths`` against ``base``.

    With ``base`` (a git revision), every file of ``paths`` is paired with its
    own version at that revision; otherwise ``paths`` must be two, and the
    journeys below them are paired as :func:`pair_journeys` says.
    """
    sides = Sides()
    if base is not None:
        now = load_paths(paths)
        sides.problems.extend(now.problems)
        sides.missing = list(now.missing)
        current = {journey.file: journey for journey in now.journeys}
        broken = {problem.file for problem in now.problems}
        old: list[tuple[str, JourneyAudit]] = []
        new: list[tuple[str, JourneyAudit]] = []
        for file in now.files:
            if str(file) in broken:
                continue  # its problems are reported; the old version alone would read as removed
            before, found = load_at_revision(file, base)
            sides.problems.extend(found)
            old.extend((str(file), a) for a in audit_all(before, config, sides.problems))
            if str(file) in current:
                new.extend((str(file), a) for a in audit_all([current[str(file)]], config,
                                                              sides.problems))
        sides.pairs = _pair_keyed(old, new, same_key="revision")
        return sides
    as_is, to_be = load_paths([paths[0]]), load_paths([paths[1]])
    sides.problems.extend(as_is.problems + to_be.problems)
    sides.missing = as_is.missing + to_be.missing
    sides.pairs = pair_with_reasons(audit_all(as_is.journeys, config, sides.problems),
                                    audit_all(to_be.journeys, config, sides.problems),
                                    paths[0], paths[1])
    return sides


# -- the figures, before and after ------------------------------------------

FigureKind = Literal["share", "wait", "bound", "average"]


@dataclass(frozen=True, slots=True)
class Figure:
    """A metric as a comparison words it: its name, label, unit and which way is better."""

    name: str
    """The metric's name in the JSON report (``p_resolution``)."""
    label: str
    """What a client reads (``chance of resolution``)."""
    kind: FigureKind
    """``share`` (a percentage), ``wait`` (a duration), ``bound`` (a whole count or no
    limit) or ``average`` (an expected count per customer)."""
    better: Literal["higher", "lower"] | None
    """Which way is an improvement; ``None`` for the size of the map."""


FIGURES: tuple[Figure, ...] = (
    Figure("p_resolution", "chance of resolution", "share", "higher"),
    Figure("p_first_time", "first-time resolution", "share", "higher"),
    Figure("p_abandon", "chance of giving up", "share", "lower"),
    Figure("p_stranded", "chance of being stranded", "share", "lower"),
    Figure("p_trapped", "chance of being trapped", "share", "lower"),
    Figure("wait_expected", "expected wait", "wait", "lower"),
    Figure("shields_min", "shield layers on the best route", "bound", "lower"),
    Figure("shields_expected", "shield layers per customer", "average", "lower"),
    Figure("shields_max", "shield layers on the worst route", "bound", "lower"),
    Figure("retells_expected", "retellings per customer", "average", "lower"),
    Figure("retells_max", "retellings on the worst route", "bound", "lower"),
    Figure("handoffs_expected", "handoffs per customer", "average", "lower"),
    Figure("paths", "routes", "bound", None),
    Figure("steps", "steps", "bound", None),
    Figure("transitions", "transitions", "bound", None),
)
"""The figures a comparison shows, in the order it shows them."""

_SHOWN_CHANGE = {"share": 0.0005, "wait": 1 / 120, "average": 0.0005}
"""The smallest change shown, by kind: 0.05 points, half a second, 0.0005 of a count."""


def _share(value: float) -> str:
    if 0 < value < 0.001:
        return "under 0.1%"
    if 0.999 < value < 1:
        return "over 99.9%"
    return percent(value)


def _average(value: float) -> str:
    """An expected count per customer: three significant figures, no exponent."""
    if math.isinf(value):
        return "no limit"
    if value == 0:
        return "0"
    if value < 0.001:
        return "under 0.001"
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _shown(figure: Figure, value: Any) -> str:
    """A figure's value in its unit; infinite and unbounded are "no limit"."""
    if value is None:
        return "none" if figure.name == "paths" else "no route"
    if value == "unbounded" or (isinstance(value, float) and math.isinf(value)):
        return "no limit"
    if figure.kind == "share":
        return _share(float(value))
    if figure.kind == "wait":
        return human_duration(float(value)) if value > 0 else "none"
    if figure.kind == "average":
        return _average(float(value))
    return str(value)


def _finite(value: Any) -> float | None:
    """The value as a number to subtract, ``None`` when it is none, unbounded or infinite."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return None if math.isinf(value) else float(value)


def _change(figure: Figure, old: Any, new: Any) -> str | None:
    """The change in words (``+63 points``); ``None`` when either side has no finite value."""
    before, after = _finite(old), _finite(new)
    if before is None or after is None:
        return None
    delta = after - before
    if figure.kind == "share":
        points = f"{delta * 100:+.1f}".removesuffix(".0")
        return f"{points} point{'' if points in ('+1', '-1') else 's'}"
    if figure.kind == "wait":
        return signed_duration(delta)
    if figure.kind == "average":
        sign = "+" if delta > 0 else "-"
        return sign + _average(abs(delta))
    return f"{int(delta):+d}"


def _order(value: Any) -> float | None:
    """The value on a line where unbounded is above every number; ``None``: no route."""
    if value == "unbounded":
        return math.inf
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _changed(figure: Figure, old: Any, new: Any) -> bool:
    """True when the change shows at the precision the figure is written in."""
    before, after = _finite(old), _finite(new)
    if before is None or after is None or figure.kind == "bound":
        return bool(old != new)
    return abs(after - before) >= _SHOWN_CHANGE[figure.kind]


@dataclass(frozen=True, slots=True)
class MetricChange:
    """One figure before and after, with the words a client reads.

    ``old`` and ``new`` are the values of the JSON report's metrics (shares
    from 0 to 1, waits in minutes, ``"unbounded"`` or ``math.inf`` for no
    limit, ``None`` for no route). Falls are written with ``-``.
    """

    figure: Figure
    old: Any
    new: Any
    before: str
    """The old value in its unit: ``35.3%``, ``3.95 d``, ``no limit``."""
    after: str
    change: str | None
    """The difference in its unit (``+63 points``, ``-3.87 d``, ``-8``); ``None`` when a side
    has no finite value (``no limit → 2`` says it all)."""
    changed: bool
    """False when the figure is the same at the precision it is written in."""
    better: bool | None
    """True for an improvement, False for a deterioration, ``None`` when unchanged, when
    neither way is better, or when a side has no route."""

    @property
    def name(self) -> str:
        """The metric's name (``p_resolution``)."""
        return self.figure.name

    @property
    def label(self) -> str:
        """The figure's name for people (``chance of resolution``)."""
        return self.figure.label

    @property
    def wording(self) -> str:
        """The whole change in one line: ``chance of resolution 35.3% → 98.4%, +63 points``."""
        if not self.changed:
            return f"{self.label} {self.after}, unchanged"
        change = f", {self.change}" if self.change else ""
        return f"{self.label} {self.before} \u2192 {self.after}{change}"


def metric_change(figure: Figure, old: Any, new: Any) -> MetricChange:
    """``figure`` gone from ``old`` to ``new`` (values as in the JSON report's metrics)."""
    changed = _changed(figure, old, new)
    better = None
    before, after = _order(old), _order(new)
    if changed and figure.better is not None and before is not None and after is not None:
        better = after > before if figure.better == "higher" else after < before
    return MetricChange(figure=figure, old=old, new=new, before=_shown(figure, old),
                        after=_shown(figure, new), change=_change(figure, old, new),
                        changed=changed, better=better)


# -- combustion points, before and after -------------------------------------

PointStatus = Literal["fixed", "new", "remaining"]
Trend = Literal["smaller", "larger", "unchanged"]


@dataclass(frozen=True, slots=True)
class PointChange:
    """A combustion point of either version: fixed, new, or remaining (and how it moved)."""

    status: PointStatus
    old: CombustionPoint | None
    """The as-is point (``None`` for a new one)."""
    new: CombustionPoint | None
    """The to-be point (``None`` for a fixed one)."""
    trend: Trend | None = None
    """For a remaining point: smaller or larger (customers lost, then effort), or unchanged."""

    @property
    def point(self) -> CombustionPoint:
        """The point as it is now, or as it was when fixed."""
        found = self.new or self.old
        assert found is not None
        return found

    @property
    def title(self) -> str:
        """The point's title in the journey's labels (the to-be one when both exist)."""
        return self.point.title


def _place(point: CombustionPoint) -> tuple[str, frozenset[str]]:
    return point.kind, frozenset(point.steps)


def _site(point: CombustionPoint) -> tuple[str, str, str | None]:
    return point.kind, point.step, point.target


def _trend(old: CombustionPoint, new: CombustionPoint) -> Trend:
    """Smaller or larger by customers lost, then by the ranking's effort key."""
    if old.lost is not None and new.lost is not None and (
            abs(new.lost - old.lost) >= LOST_TOLERANCE):
        return "smaller" if new.lost < old.lost else "larger"
    if old.score is None or new.score is None:
        return "unchanged"
    for was, now in zip(old.score.key()[1:], new.score.key()[1:]):
        if abs(now - was) > NOISE * max(1.0, abs(was)):
            return "smaller" if now < was else "larger"
    return "unchanged"


def match_points(old: Sequence[CombustionPoint],
                 new: Sequence[CombustionPoint]) -> list[PointChange]:
    """The points of two versions matched by place (module docstring).

    Remaining and new points in the to-be ranking, then the fixed ones in
    the as-is ranking.
    """
    partner: dict[int, int] = {}  # new index -> old index
    taken: set[int] = set()
    for place in (_place, _site):
        free: dict[object, int] = {}
        for index, point in enumerate(old):
            if index not in taken:
                free.setdefault(place(point), index)
        for index, point in enumerate(new):
            found = free.get(place(point))
            if index not in partner and found is not None and found not in taken:
                partner[index] = found
                taken.add(found)
    changes = []
    for index, point in enumerate(new):
        if index in partner:
            was = old[partner[index]]
            changes.append(PointChange("remaining", was, point, _trend(was, point)))
        else:
            changes.append(PointChange("new", None, point))
    changes.extend(PointChange("fixed", point, None) for index, point in enumerate(old)
                   if index not in taken)
    return changes


@dataclass(frozen=True, slots=True)
class Comparison:
    """Two versions of a journey side by side: every figure, and the combustion points."""

    old: JourneyAudit
    """The as-is journey's audit."""
    new: JourneyAudit
    """The to-be journey's audit."""
    metrics: tuple[MetricChange, ...]
    """Every figure of :data:`FIGURES`, in that order, changed or not."""
    points: tuple[PointChange, ...]
    """Remaining and new points in the to-be ranking, then the fixed ones."""
    paired_by: PairedBy | None = None

    @property
    def changed_metrics(self) -> tuple[MetricChange, ...]:
        """The figures that changed at the precision they are written in."""
        return tuple(m for m in self.metrics if m.changed)

    def by_status(self, status: PointStatus) -> tuple[PointChange, ...]:
        """The points fixed, new or remaining."""
        return tuple(p for p in self.points if p.status == status)


def compare_audits(old: JourneyAudit, new: JourneyAudit,
                   paired_by: PairedBy | None = None) -> Comparison:
    """Compare the as-is audit ``old`` with the to-be audit ``new`` (their figures are solved).

    ``paired_by`` records why the two were paired, for the reader.
    """
    before = old.analysis.metrics.to_dict()
    after = new.analysis.metrics.to_dict()
    metrics = tuple(metric_change(f, before[f.name], after[f.name]) for f in FIGURES)
    points = match_points(combustion_points(old), combustion_points(new))
    return Comparison(old=old, new=new, metrics=metrics, points=tuple(points),
                      paired_by=paired_by)
