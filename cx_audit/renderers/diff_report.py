"""The ``diff`` views: metric changes and findings gained or fixed, as text or JSON."""

from __future__ import annotations

import json
import math
from typing import Any

from cx_audit.audit.diff import DiffResult, JourneyDiff
from cx_audit.core.findings import Finding
from cx_audit.text.formatting import human_duration, plural, signed_duration
from cx_audit.text.safe import json_printable, printable, printable_problem

__all__ = ["render_diff_json", "render_diff_text"]

_SHARES = {"p_resolution", "p_first_time", "p_abandon", "p_stranded", "p_trapped"}


def _value(name: str, value: Any) -> str:
    if value is None:
        return "none" if name in ("paths", "shields_min") else "∞"
    if isinstance(value, str):
        return value
    if isinstance(value, float) and math.isinf(value):
        return "unbounded"
    if name in _SHARES:
        return f"{value:.1%}"
    if name == "wait_expected":
        return human_duration(value) if value > 0 else "0 s"
    if isinstance(value, float):
        return f"{value:.2f}" if abs(value) >= 0.005 or value == 0 else f"{value:.2g}"
    return str(value)


def _change(name: str, old: Any, new: Any) -> str:
    if not isinstance(old, int | float) or not isinstance(new, int | float):
        return ""
    if math.isinf(old) or math.isinf(new):
        return ""
    if name in _SHARES:
        return f"{(new - old) * 100:+.1f} pts"
    delta = new - old
    if name == "wait_expected":
        return signed_duration(delta)
    if isinstance(delta, int):
        return f"{delta:+d}"
    return f"{delta:+.2f}" if abs(delta) >= 0.005 else f"{delta:+.2g}"


def _finding(sign: str, finding: Finding) -> str:
    where = f"{finding.file}:{finding.line}:{finding.column}"
    return (f"  {sign} {finding.rule} {finding.severity.value:<7} {printable(where)}  "
            f"{printable(finding.message)}")


def _name(diff: JourneyDiff) -> str:
    """The journey's id; ``old -> new`` when a redesign has another id."""
    old = diff.old_journey
    shown = diff.journey if old is None or old == diff.journey else f"{old} -> {diff.journey}"
    return printable(shown)


def _journey_text(diff: JourneyDiff) -> list[str]:
    status = "worse" if diff.worse else "not worse"
    unchanged = (diff.old is not None and diff.new is not None and not diff.reasons
                 and not diff.added and not diff.fixed and not diff.metric_changes())
    if unchanged:
        return [f"{_name(diff)}: no change"]
    if diff.old is None:
        lines = [f"{_name(diff)}: new journey ({status})"]
    elif diff.new is None:
        lines = [f"{_name(diff)}: removed"]
    else:
        lines = [f"{_name(diff)}: {status}"]
    for reason in diff.reasons:
        lines.append(f"  ! {reason}")
    changes = diff.metric_changes()
    if changes:
        width = max(len(name) for name, _, _ in changes)
        for name, old, new in changes:
            lines.append(f"    {name:<{width}}  {_value(name, old):>9} -> {_value(name, new):<9} "
                         f"{_change(name, old, new)}".rstrip())
    lines.extend(_finding("+", f) for f in diff.added)
    lines.extend(_finding("-", f) for f in diff.fixed)
    return lines


def render_diff_text(result: DiffResult) -> str:
    """Per journey: what got worse, metric changes, new (+) and fixed (-) findings."""
    lines = [printable_problem(p.file, p.line, p.column, p.message)
             for p in sorted(result.problems)]
    for diff in result.journeys:
        lines.extend(_journey_text(diff))
    worse = sum(1 for d in result.journeys if d.worse)
    added = sum(len(d.added) for d in result.journeys)
    fixed = sum(len(d.fixed) for d in result.journeys)
    lines.append(f"{plural(len(result.journeys), 'journey')} compared: "
                 f"{worse} worse, {plural(added, 'new finding')}, {fixed} fixed.")
    return "\n".join(lines) + "\n"


def render_diff_json(result: DiffResult) -> str:
    """The comparison as one JSON document."""
    journeys = []
    for diff in result.journeys:
        journeys.append({
            "journey": diff.journey,
            "old_journey": diff.old_journey,
            "status": "new" if diff.old is None else "removed" if diff.new is None else "changed",
            "worse": diff.worse,
            "reasons": list(diff.reasons),
            "metrics": {name: {"old": old, "new": new} for name, old, new in diff.metric_changes()},
            "new_findings": [f.to_dict() | {"file": f.file} for f in diff.added],
            "fixed_findings": [f.to_dict() | {"file": f.file} for f in diff.fixed],
        })
    document = {
        "journeys": journeys,
        "errors": [{"file": p.file, "line": p.line, "column": p.column, "message": p.message}
                   for p in sorted(result.problems)],
        "worse": result.worse,
    }
    return json_printable(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"
