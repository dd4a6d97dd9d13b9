"""The JSON report: every metric, per-step figure and finding, for machines."""

from __future__ import annotations

import json
import math
from typing import Any

from cx_audit import __version__
from cx_audit.run import AuditRun

__all__ = ["render_json", "run_to_dict"]


def run_to_dict(run: AuditRun) -> dict[str, Any]:
    """The report as plain data (the JSON document's structure)."""
    journeys = []
    for audit in run.audits:
        analysis = audit.analysis.to_dict()
        journeys.append({
            "file": audit.journey.file,
            "journey": audit.journey.id,
            "title": audit.journey.title,
            "metrics": analysis["metrics"],
            "steps": analysis["steps"],
            "findings": [f.to_dict() for f in audit.findings],
        })
    counts = run.counts()
    return {
        "version": __version__,
        "journeys": journeys,
        "errors": [
            {"file": p.file, "line": p.line, "column": p.column, "message": p.message}
            for p in sorted(run.problems)
        ] + [{"file": m, "line": None, "column": None, "message": "no such file or folder"}
             for m in run.missing],
        "summary": {
            "files": len(run.files),
            "journeys": len(run.audits),
            "findings": sum(counts.values()),
            "by_severity": counts,
            "input_errors": len(run.problems) + len(run.missing),
        },
    }


def _clean(value: Any) -> Any:
    """Replace non-finite floats (which JSON cannot hold) with None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def render_json(run: AuditRun) -> str:
    """The report as one compact JSON document (floats at full precision).

    Compact because the pretty-printer of the standard library is several
    times slower on large audits; ``jq .`` shows it indented.
    """
    document = run_to_dict(run)
    try:
        return json.dumps(document, ensure_ascii=False, allow_nan=False) + "\n"
    except ValueError:  # a non-finite float slipped through: JSON cannot hold it
        return json.dumps(_clean(document), ensure_ascii=False) + "\n"
