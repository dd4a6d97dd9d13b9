"""The JSON report: every metric, per-step figure and finding, for machines."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from json.encoder import encode_basestring
from typing import Any

from cx_audit import __version__
from cx_audit.audit.engine import JourneyAudit
from cx_audit.audit.run import AuditRun
from cx_audit.core.findings import Evidence, Finding

__all__ = ["journey_to_dict", "render_journey_json", "render_json", "run_to_dict"]


def journey_to_dict(audit: JourneyAudit) -> dict[str, Any]:
    """One journey's entry in the report, as plain data."""
    analysis = audit.analysis.to_dict()
    return {
        "file": audit.journey.file,
        "journey": audit.journey.id,
        "title": audit.journey.title,
        "metrics": analysis["metrics"],
        "steps": analysis["steps"],
        "findings": [f.to_dict() for f in audit.findings],
    }


def _frame(run: AuditRun) -> dict[str, Any]:
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


def run_to_dict(run: AuditRun) -> dict[str, Any]:
    """The report as plain data (the JSON document's structure)."""
    document = _frame(run)
    if run.rendered:
        document["journeys"] = [json.loads(part.text) for part in run.rendered]
    else:
        document["journeys"] = [journey_to_dict(audit) for audit in run.audits]
    return document


def _clean(value: Any) -> Any:
    """Replace non-finite floats (which JSON cannot hold) with None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, check_circular=False)
"""Compact, UTF-8, strict about non-finite floats; no cycle check (the data is a fresh tree)."""


def _dumps(data: Any) -> str:
    """Compact JSON at full precision; a non-finite float (which JSON cannot hold) becomes null."""
    try:
        return _ENCODER.encode(data)
    except ValueError:
        return _ENCODER.encode(_clean(data))


def render_journey_json(audit: JourneyAudit) -> str:
    """One journey's entry of the report, as JSON text (the part a worker renders).

    The same text as encoding :func:`journey_to_dict`, written faster: the
    findings, which are most of a report, are assembled from their encoded
    pieces, and what several findings share (a rule's code, name and
    severity; a step's what-if impact) is encoded once.
    """
    analysis = audit.analysis.to_dict()
    journey = audit.journey
    frame = _dumps({
        "file": journey.file,
        "journey": journey.id,
        "title": journey.title,
        "metrics": analysis["metrics"],
        "steps": analysis["steps"],
    })
    return f'{frame[:-1]}, "findings": [{_findings_json(audit.findings)}]}}'


def _scalar_json(value: Any) -> str | None:
    """A text, number, boolean or null as the encoder writes it; None for anything else."""
    kind = value.__class__
    if kind is str:
        return encode_basestring(value)
    if kind is float:
        return float.__repr__(value) if math.isfinite(value) else "null"
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    return None


def _flat_json(mapping: Mapping[str, Any]) -> str | None:
    """A mapping of text keys to scalars as ``_dumps`` writes it; None when not that simple.

    Encoding many tiny mappings one call at a time costs more in the calls
    than in the encoding, so the usual shapes are written here.
    """
    items = []
    for key, value in mapping.items():
        text = _scalar_json(value)
        if text is None or key.__class__ is not str:
            return None
        items.append(f"{encode_basestring(key)}: {text}")
    return "{" + ", ".join(items) + "}"


def _texts_json(texts: Iterable[Any]) -> str | None:
    """A sequence of texts as a JSON array; None when an item is not text."""
    items = []
    for text in texts:
        if text.__class__ is not str:
            return None
        items.append(encode_basestring(text))
    return "[" + ", ".join(items) + "]"


def _evidence_json(evidence: Evidence) -> str:
    """The evidence as ``_dumps(evidence.to_dict())`` writes it."""
    metrics = _flat_json(evidence.metrics)
    route = _texts_json(evidence.route)
    loop = _texts_json(evidence.loop)
    notes = _texts_json(evidence.notes)
    if metrics is None or route is None or loop is None or notes is None:
        return _dumps(evidence.to_dict())
    return f'{{"metrics": {metrics}, "route": {route}, "loop": {loop}, "notes": {notes}}}'


_NO_EVIDENCE_JSON = '{"metrics": {}, "route": [], "loop": [], "notes": []}'


def _findings_json(findings: Iterable[Finding]) -> str:
    """The findings as the items of a JSON array, each exactly as ``_dumps(f.to_dict())``."""
    quote = encode_basestring  # a JSON string, non-ASCII kept: as the encoder writes it
    heads: dict[tuple[str, str, object], str] = {}
    impacts: dict[int, str] = {}
    parts = []
    for finding in findings:
        key = (finding.rule, finding.name, finding.severity)
        head = heads.get(key)
        if head is None:
            head = heads[key] = (f'{{"rule": {quote(key[0])}, "name": {quote(key[1])}, '
                                 f'"severity": {quote(str(key[2]))}, "step": ')
        evidence = finding.evidence
        if evidence.metrics or evidence.route or evidence.loop or evidence.notes:
            evidence_json = _evidence_json(evidence)
        else:
            evidence_json = _NO_EVIDENCE_JSON
        impact = finding.impact
        if impact is None:
            impact_json = "null"
        else:  # one mapping per step, shared by the step's findings
            impact_json = impacts.get(id(impact), "")
            if not impact_json:
                impact_json = impacts[id(impact)] = _flat_json(impact) or _dumps(dict(impact))
        step = "null" if finding.step is None else quote(finding.step)
        location = finding.location
        parts.append(f'{head}{step}, "line": {int(location.line)}, '
                     f'"column": {int(location.column)}, "message": {quote(finding.message)}, '
                     f'"evidence": {evidence_json}, "impact": {impact_json}}}')
    return ", ".join(parts)


def render_json(run: AuditRun) -> str:
    """The report as one compact JSON document (floats at full precision).

    Compact because the pretty-printer of the standard library is several
    times slower on large audits; ``jq .`` shows it indented. The journeys
    are written one by one (or come already written, as the run's rendered
    parts) and set into the frame.
    """
    if run.rendered:
        journeys = [part.text for part in run.rendered]
    else:
        journeys = [render_journey_json(audit) for audit in run.audits]
    frame = _dumps(_frame(run))
    marker = '"journeys": []'
    at = frame.index(marker)
    return f"{frame[:at]}\"journeys\": [{', '.join(journeys)}]{frame[at + len(marker):]}\n"
