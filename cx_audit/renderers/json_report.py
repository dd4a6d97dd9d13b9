"""The JSON report: every metric, per-step figure and finding, for machines.

One serializer: :func:`journey_to_dict` gives a journey's entry as plain
data, and each entry is encoded right after its journey's audit
(:func:`journey_json`, in the worker process that audited it), so that a
run over many files keeps text rather than objects. :func:`render_json`
sets the encoded entries into the report's frame.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cx_audit import __version__
from cx_audit.audit.engine import JourneyAudit
from cx_audit.audit.points import CombustionPoint, combustion_points
from cx_audit.audit.run import AuditRun
from cx_audit.core.findings import Finding, Severity
from cx_audit.core.model import Location
from cx_audit.text.jsonsafe import json_safe
from cx_audit.text.safe import json_printable

__all__ = ["JsonPart", "finding_to_dict", "journey_json", "journey_to_dict", "point_to_dict",
           "render_json"]


def journey_to_dict(audit: JourneyAudit) -> dict[str, Any]:
    """One journey's entry in the report, as plain data."""
    return _entry(audit, steps={step: stats.to_dict()
                                for step, stats in audit.analysis.steps.items()},
                  findings=[finding_to_dict(audit, finding) for finding in audit.findings])


def finding_to_dict(audit: JourneyAudit, finding: Finding) -> dict[str, Any]:
    """One finding of the journey's entry, with the what-if of removing its step."""
    entry = finding.to_dict()
    impact = audit.impact(finding)
    entry["impact"] = impact.to_dict() if impact is not None else None
    return entry


def _entry(audit: JourneyAudit, *, steps: dict[str, Any],
           findings: list[dict[str, Any]]) -> dict[str, Any]:
    """The entry of a journey around its per-step figures and its findings."""
    return {
        "file": audit.journey.file,
        "journey": audit.journey.id,
        "title": audit.journey.title,
        "replaces": audit.journey.replaces,
        "combustion_points": [point_to_dict(point) for point in combustion_points(audit)],
        "sensitivity": [record.to_dict() for record in audit.analysis.sensitivity],
        "metrics": audit.analysis.metrics.to_dict(),
        "steps": steps,
        "findings": findings,
        "suppressed": [{"rule": f.rule, "name": f.name, "step": f.step, "line": f.line,
                        "column": f.column, "message": f.message, "reason": reason}
                       for f, reason in audit.suppressed],
    }


def point_to_dict(point: CombustionPoint) -> dict[str, Any]:
    """One combustion point as plain data."""
    return {
        "rank": point.rank,
        "kind": point.kind,
        "step": point.step,
        "steps": list(point.steps),
        "target": point.target,
        "within": point.within,
        "title": point.title,
        "owners": list(point.owners),
        "signals": list(point.codes),
        "reach": point.reach,
        "lost": point.lost,
        "effort": None if point.effort is None else {
            "wait": point.effort.wait, "shields": point.effort.shields,
            "retells": point.effort.retells, "handoffs": point.effort.handoffs},
        "score": None if point.score is None else {
            "lost": point.score.lost, "retells": point.score.retells,
            "handoffs": point.score.handoffs, "wait": point.score.wait,
            "shields": point.score.shields},
        "evidence": list(point.evidence),
        "levers": [lever.to_dict() for lever in point.levers],
    }


@dataclass(frozen=True, slots=True)
class JsonPart:
    """A journey's entry of the report, encoded: what a JSON run keeps of each journey."""

    id: str
    """The journey's id."""
    location: Location
    """Where the journey is named."""
    counts: dict[Severity, int]
    """Its findings per severity."""
    text: str
    """The entry, as JSON text."""

    def severity_counts(self) -> dict[Severity, int]:
        """Its findings per severity."""
        return self.counts


def journey_json(audit: JourneyAudit) -> JsonPart:
    """Encode one journey's entry right after its audit (the ``keep`` of this format).

    The text is :func:`journey_to_dict` encoded, but its per-step figures and
    findings are encoded a chunk at a time and set into the rest, so that a
    journey of a million steps never holds all their dicts at once (they
    took more memory than the audit itself).
    """
    text = _dumps(_entry(audit, steps={}, findings=[]))
    steps = list(audit.analysis.steps.items())
    members = (_dumps({step: stats.to_dict() for step, stats in steps[at:at + CHUNK]})[1:-1]
               for at in range(0, len(steps), CHUNK))
    text = _set_into(text, '"steps": {}', members)
    findings = audit.findings
    items = (_dumps([finding_to_dict(audit, f) for f in findings[at:at + CHUNK]])[1:-1]
             for at in range(0, len(findings), CHUNK))
    text = _set_into(text, '"findings": []', items)
    return JsonPart(id=audit.id, location=audit.location, counts=audit.severity_counts(),
                    text=text)


CHUNK = 4096
"""Steps or findings encoded at a time."""


def _set_into(text: str, marker: str, parts: Iterable[str]) -> str:
    """``text`` with the empty container that ends ``marker`` (``"key": []``) holding ``parts``.

    The marker's key is a key of the document itself: a string in it cannot
    hold the marker, since its quotes would be escaped.
    """
    at = text.index(marker)
    body = ", ".join(part for part in parts if part)
    return f"{text[:at]}{marker[:-1]}{body}{marker[-1]}{text[at + len(marker):]}"


def _frame(run: AuditRun[Any]) -> dict[str, Any]:
    """The report without its journeys: version, errors and summary."""
    counts = run.counts()
    return {
        "version": __version__,
        "journeys": [],
        "errors": [
            {"file": p.file, "line": p.line, "column": p.column, "message": p.message}
            for p in sorted(run.problems)
        ] + [{"file": m, "line": None, "column": None, "message": "no such file or folder"}
             for m in run.missing],
        "summary": {
            "files": len(run.files),
            "journeys": run.journey_count,
            "findings": sum(counts.values()),
            "by_severity": counts,
            "input_errors": len(run.problems) + len(run.missing),
        },
    }


_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, check_circular=False)
"""Compact, UTF-8, strict about non-finite floats; no cycle check (the data is a fresh tree)."""


def _dumps(data: Any) -> str:
    """Compact JSON at full precision; a non-finite float (which JSON cannot hold) becomes null.

    The bytes of a file name that are not UTF-8 are written as visible escapes.
    """
    try:
        return json_printable(_ENCODER.encode(data))
    except ValueError:
        return json_printable(_ENCODER.encode(json_safe(data)))


def render_json(run: AuditRun[JsonPart]) -> str:
    """The report as one compact JSON document (floats at full precision).

    Compact because the pretty-printer of the standard library is several
    times slower on large audits; ``jq .`` shows it indented. The journeys
    come encoded, one part each, and are set into the frame.
    """
    return _set_into(_dumps(_frame(run)), '"journeys": []',
                     (part.text for part in run.results)) + "\n"
