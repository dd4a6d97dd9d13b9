"""GitLab Code Quality: a JSON array of issues for ``artifacts:reports:codequality``.

Each finding is one issue: ``description`` (the message), ``check_name``
(code and name, ``CX301 cold-handoff``), ``severity``, ``location.path``
(relative, forward slashes) with ``lines.begin``/``lines.end``, and a
``fingerprint``.

Severities: error -> ``critical``, warning -> ``major``, info -> ``info``.
Input problems are ``blocker`` issues with ``check_name`` ``input-error``
(the file could not be audited at all); a path that does not exist is one
too, at line 1 of that path.

GitLab shows an issue once per fingerprint, so the fingerprint hashes the
finding's own identity (rule, journey, step, message) together with its
path, line and column, and a counter for the rare finding repeated at the
very same place: no two issues of one report share a fingerprint.

The text is JSON without a byte-order mark; the bytes of a file name that
are not UTF-8 are written as visible escapes (``\\xe9``).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from cx_audit.audit.engine import JourneyAudit
from cx_audit.audit.run import AuditRun
from cx_audit.core.findings import Finding, Severity
from cx_audit.renderers.sarif import INPUT_RULE_ID, relative_path
from cx_audit.text.safe import json_printable

__all__ = ["SEVERITIES", "render_gitlab"]

SEVERITIES = {Severity.ERROR: "critical", Severity.WARNING: "major", Severity.INFO: "info"}
INPUT_SEVERITY = "blocker"


def _issue(description: str, check_name: str, severity: str, path: str, line: int,
           identity: str) -> dict[str, Any]:
    line = max(line, 1)
    return {
        "description": description or check_name,
        "check_name": check_name,
        "fingerprint": identity,
        "severity": severity,
        "location": {"path": path, "lines": {"begin": line, "end": line}},
    }


def _digest(*parts: object) -> str:
    key = "\x1f".join(str(p) for p in parts)
    # surrogatepass: a file name that is not UTF-8 hashes too
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def render_gitlab(run: AuditRun[JourneyAudit]) -> str:
    """The run as a Code Quality report (a JSON array, ending in a newline)."""
    raw: list[tuple[str, int, int, str, dict[str, Any]]] = []
    for problem in sorted(run.problems):
        path = relative_path(problem.file)
        raw.append((path, problem.line, problem.column, INPUT_RULE_ID, _issue(
            problem.message, INPUT_RULE_ID, INPUT_SEVERITY, path, problem.line,
            _digest(INPUT_RULE_ID, path, problem.line, problem.column, problem.message))))
    for missing in run.missing:
        path = relative_path(missing)
        raw.append((path, 1, 1, INPUT_RULE_ID, _issue(
            f"{missing}: no such file or folder", INPUT_RULE_ID, INPUT_SEVERITY, path, 1,
            _digest(INPUT_RULE_ID, path, "missing"))))
    for finding in sorted(run.findings, key=Finding.sort_key):
        path = relative_path(finding.file)
        raw.append((path, finding.line, finding.column, finding.rule, _issue(
            finding.message, f"{finding.rule} {finding.name}",
            SEVERITIES.get(finding.severity, "major"), path, finding.line,
            _digest(finding.fingerprint, path, finding.line, finding.column))))
    raw.sort(key=lambda item: item[:4])

    issues = []
    used: set[str] = set()
    for *_, issue in raw:
        base = issue["fingerprint"]
        count = 1
        while issue["fingerprint"] in used:
            count += 1
            issue["fingerprint"] = _digest(base, count)
        used.add(issue["fingerprint"])
        issues.append(issue)
    return json_printable(json.dumps(issues, indent=2, ensure_ascii=False)) + "\n"
