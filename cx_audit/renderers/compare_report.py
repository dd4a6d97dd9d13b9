"""The ``compare`` views: each as-is journey beside its to-be version, as text or JSON.

The text is for a person and a client: per pair, the two journeys and why
they are paired, every figure that changed in its own unit, and the
combustion points fixed, new and remaining, each by its title; wrapped to
the width given (80 columns by default). The JSON holds the same, with every
figure whether it changed or not (README.md, "Before and after").
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from typing import Any

from cx_audit import __version__
from cx_audit.audit.compare import (
    PAIRED_BY_WORDS,
    Comparison,
    MetricChange,
    PointChange,
    Sides,
    compare_audits,
)
from cx_audit.audit.engine import JourneyAudit
from cx_audit.audit.points import FLOOR_LOST, CombustionPoint
from cx_audit.renderers.phrasing import effort_text
from cx_audit.text.formatting import per_thousand, percent, plural
from cx_audit.text.jsonsafe import json_safe
from cx_audit.text.safe import json_printable, printable, printable_problem

__all__ = ["comparisons", "render_compare_json", "render_compare_text"]



def comparisons(sides: Sides) -> list[tuple[JourneyAudit | None, JourneyAudit | None,
                                             Comparison | None]]:
    """Each pair of ``sides`` with its comparison (``None`` for an unpaired journey)."""
    return [(pair.old, pair.new, None if pair.old is None or pair.new is None
             else compare_audits(pair.old, pair.new, pair.paired_by)) for pair in sides.pairs]


def _wrap(text: str, width: int, indent: int, hang: int = 0) -> list[str]:
    """``text`` wrapped to ``width``, the first line at ``indent``, the rest ``hang`` further."""
    return textwrap.wrap(text, max(30, width), initial_indent=" " * indent,
                         subsequent_indent=" " * (indent + hang), break_on_hyphens=False)


def _journey_line(label: str, audit: JourneyAudit, width: int) -> list[str]:
    journey = audit.journey
    lines = _wrap(f"{label}  {printable(journey.title)}", width, 2, len(label) + 2)
    lines += _wrap(f"{printable(journey.file)} ({printable(journey.id)})", width,
                   4 + len(label))
    return lines


def _metric_lines(changes: Sequence[MetricChange], width: int) -> list[str]:
    """The figures that changed, in columns (label, before → after, change) when they fit."""
    if not changes:
        return ["    No figure changed."]
    label_width = max(len(m.label) for m in changes)
    before_width = max(len(m.before) for m in changes)
    after_width = max(len(m.after) for m in changes)
    rows = [(f"    {change.label:<{label_width}}  {change.before:>{before_width}} \u2192 "
             f"{change.after:<{after_width}}  {change.change or ''}").rstrip()
            for change in changes]
    if max(len(row) for row in rows) <= width:
        return rows
    # too narrow for columns: one sentence each
    return [line for change in changes for line in _wrap(change.wording, width, 4, 2)]


def _lost(share: float) -> str:
    return "no customers" if share == 0 else f"{per_thousand(share)} in 1,000"


def _figures(point: CombustionPoint, *, past: bool) -> str:
    """What a point loses and how many it reaches, in the words of the terminal view.

    The effort it adds is said only when it loses under 1 customer in 1,000:
    then it is what makes the place a point.
    """
    if point.lost is None or point.reach is None:
        return "figures not computed"
    verb = ("lost", "reached", "added") if past else ("loses", "reaches", "adds")
    text = f"{verb[0]} {_lost(point.lost)}, {verb[1]} {percent(point.reach)}"
    if point.within is not None:
        text += f", inside point {point.within}"
    effort = effort_text(point.score) if point.score is not None else ""
    if effort and point.lost < FLOOR_LOST:
        text += f"; {verb[2]} {effort.removeprefix('adds ')}"
    return text


def _moved(before: str, after: str) -> str:
    """``before → after``, or the one value when both read the same."""
    return before if before == after else f"{before} \u2192 {after}"


def _remaining(change: PointChange) -> str:
    old, new = change.old, change.new
    assert old is not None and new is not None
    if old.lost is None or new.lost is None or old.reach is None or new.reach is None:
        return f"{change.trend}"
    lost = _moved(per_thousand(old.lost), per_thousand(new.lost))
    lost = "no customers" if lost == "0" else f"{lost} in 1,000"
    text = (f"{change.trend}: loses {lost}, reaches "
            f"{_moved(percent(old.reach), percent(new.reach))}")
    if new.within is not None:
        text += f", inside point {new.within}"
    effort = effort_text(new.score) if new.score is not None else ""
    if effort and max(old.lost, new.lost) < FLOOR_LOST:
        text += f"; now {effort}"
    return text


def _point_lines(comparison: Comparison, width: int) -> list[str]:
    fixed, new, remaining = (comparison.by_status(s) for s in ("fixed", "new", "remaining"))
    if not comparison.points:
        return ["  Combustion points: none in either version"]
    if all(p.trend == "unchanged" for p in comparison.points):
        same = "the same one, unchanged" if len(remaining) == 1 else (
            f"the same {len(remaining)}, all unchanged")
        return [f"  Combustion points: {same}"]
    head = (f"  Combustion points: {len(fixed)} fixed, {len(new)} new, "
            f"{len(remaining)} remaining")
    lines = [head]
    groups = (("Fixed (as-is rank):", fixed), ("New (to-be rank):", new),
              ("Remaining (to-be rank):", remaining))
    for heading, group in groups:
        if not group:
            continue
        lines.append(f"    {heading}")
        for change in group:
            point = change.point
            lines += _wrap(f"{point.rank:>2}. {printable(point.title)}", width, 5, 4)
            if change.status == "fixed":
                detail = _figures(point, past=True)
            elif change.status == "new":
                detail = _figures(point, past=False)
            else:
                detail = _remaining(change)
            lines += _wrap(detail, width, 9)
    return lines


def _pair_text(old: JourneyAudit | None, new: JourneyAudit | None,
               comparison: Comparison | None, width: int) -> list[str]:
    if comparison is None:
        audit = new or old
        assert audit is not None
        status = ("New journey, with no as-is version to compare it with:" if old is None else
                  "Removed journey, with no to-be version to compare it with:")
        return [status, *_journey_line("to-be" if old is None else "as-is", audit, width)]
    assert old is not None and new is not None
    lines = ["Before and after", *_journey_line("as-is", old, width),
             *_journey_line("to-be", new, width)]
    claimed = new.journey.replaces
    if comparison.paired_by is not None:
        why = f"paired by {PAIRED_BY_WORDS[comparison.paired_by]}"
        if claimed == old.id and comparison.paired_by != "replaces":
            why += ", and the to-be journey says it replaces the as-is one"
        lines += _wrap(why, width, 2, 2)
    if claimed is not None and claimed != old.id:
        lines += _wrap(f"note: the to-be journey says it replaces '{printable(claimed)}', not "
                       f"'{printable(old.id)}'", width, 2, 2)
    lines.append("")
    lines.append("  What customers go through:")
    lines += _metric_lines(comparison.changed_metrics, width)
    lines.append("")
    lines += _point_lines(comparison, width)
    return lines


def render_compare_text(sides: Sides, width: int = 80) -> str:
    """Per pair: the two journeys, the figures that changed, the combustion points; wrapped."""
    lines = [printable_problem(p.file, p.line, p.column, p.message)
             for p in sorted(sides.problems)]
    pairs = comparisons(sides)
    for number, (old, new, comparison) in enumerate(pairs):
        if number or lines:
            lines.append("")
        lines += _pair_text(old, new, comparison, width)
    paired = sum(1 for _, _, c in pairs if c is not None)
    added = sum(1 for old, _, c in pairs if c is None and old is None)
    removed = len(pairs) - paired - added
    lines.append("")
    lines.append(f"{plural(paired, 'pair')} compared, {plural(added, 'new journey')}, "
                 f"{plural(removed, 'removed journey')}.")
    return "\n".join(lines) + "\n"


def _journey_dict(audit: JourneyAudit | None) -> dict[str, Any] | None:
    if audit is None:
        return None
    journey = audit.journey
    return {"file": journey.file, "journey": journey.id, "title": journey.title,
            "replaces": journey.replaces}


def _point_dict(point: CombustionPoint | None) -> dict[str, Any] | None:
    if point is None:
        return None
    return {"rank": point.rank, "title": point.title, "lost": point.lost, "reach": point.reach,
            "within": point.within, "signals": list(point.codes)}


def _change_dict(change: PointChange) -> dict[str, Any]:
    point = change.point
    return {"kind": point.kind, "step": point.step, "steps": list(point.steps),
            "target": point.target, "title": point.title, "trend": change.trend,
            "as_is": _point_dict(change.old), "to_be": _point_dict(change.new)}


def _metric_dict(change: MetricChange) -> dict[str, Any]:
    return {"name": change.name, "label": change.label, "old": change.old, "new": change.new,
            "before": change.before, "after": change.after, "change": change.change,
            "changed": change.changed, "better": change.better, "wording": change.wording}


def render_compare_json(sides: Sides) -> str:
    """The comparison as one JSON document (its shape is in README.md)."""
    entries = []
    summary = {"paired": 0, "new": 0, "removed": 0}
    for old, new, comparison in comparisons(sides):
        entry: dict[str, Any] = {
            "status": "new" if old is None else "removed" if new is None else "paired",
            "paired_by": comparison.paired_by if comparison is not None else None,
            "as_is": _journey_dict(old), "to_be": _journey_dict(new),
            "metrics": [], "points": {"fixed": [], "new": [], "remaining": []},
        }
        if comparison is not None:
            entry["metrics"] = [_metric_dict(m) for m in comparison.metrics]
            for change in comparison.points:
                entry["points"][change.status].append(_change_dict(change))
        entries.append(entry)
        summary[entry["status"]] += 1
    document = {
        "version": __version__,
        "comparisons": entries,
        "errors": [{"file": p.file, "line": p.line, "column": p.column, "message": p.message}
                   for p in sorted(sides.problems)]
        + [{"file": m, "line": None, "column": None, "message": "no such file or folder"}
           for m in sides.missing],
        "summary": summary,
    }
    return json_printable(json.dumps(json_safe(document), indent=2, ensure_ascii=False)) + "\n"
