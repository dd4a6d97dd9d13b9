"""SARIF 2.1.0: the audit as a static-analysis log, for GitHub code scanning.

One run; ``tool.driver.rules`` lists only the rules that produced a result,
sorted by id. Results are sorted by path, line, column, rule and message,
so the same input always gives the same log.

Severities map to SARIF levels as error -> ``error``, warning ->
``warning``, info -> ``note`` (SARIF has no ``info`` level); a rule's
``problem.severity`` property is ``error``, ``warning`` or
``recommendation`` respectively.

Input problems (a file that cannot be read or is not a valid journey) are
results of a dedicated rule, :data:`INPUT_RULE_ID` (level ``error``), at
the problem's line, so code scanning shows them beside the file. Paths that
do not exist have no file to point at: they become ``error`` notifications
of the run's invocation, which is then marked unsuccessful.

Regions are one character wide (``endColumn`` is the column after the
start): the model keeps where a finding starts, not where its text ends.
``partialFingerprints`` is left to ``upload-sarif``, which computes it from
the source line; ``fingerprints["cx-audit/v1"]`` carries the finding's own
identity (rule, journey, step and message, which survives lines moving);
when several findings share it, the later ones get a numbered variant, so
no two results of a log claim to be the same result.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

from cx_audit import __version__
from cx_audit.analysis.whatif import Impact
from cx_audit.audit.engine import JourneyAudit
from cx_audit.audit.run import AuditRun
from cx_audit.core.errors import Problem
from cx_audit.core.findings import Finding, Severity
from cx_audit.rules import RULES, Rule
from cx_audit.text.jsonsafe import json_safe
from cx_audit.text.safe import json_printable

__all__ = ["INFORMATION_URI", "INPUT_RULE_ID", "SARIF_SCHEMA", "relative_path", "render_sarif"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/cx-audit/"
"""Where the tool is described (``tool.driver.informationUri``)."""

INPUT_RULE_ID = "input-error"
"""The rule id of input problems; not a rule code, so it can never clash with one."""

FINGERPRINT_KEY = "cx-audit/v1"

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
PROBLEM_SEVERITY = {Severity.ERROR: "error", Severity.WARNING: "warning",
                    Severity.INFO: "recommendation"}

# The code's hundreds, as the catalogue groups them.
CATEGORIES = {"1": "structure", "2": "shields", "3": "handoffs-and-loops",
              "4": "people-and-ownership", "5": "waits-and-outcomes", "9": "audit"}

DESCRIPTION_LIMIT = 1024


def relative_path(file: str) -> str:
    """``file`` with forward slashes, relative to the working directory when it lies below it.

    CI tools resolve report paths against the repository root, where the
    audit normally runs; a path outside the working directory is kept as
    given.
    """
    if os.path.isabs(file):
        here = os.getcwd()
        absolute = os.path.normpath(file)
        try:
            inside = os.path.commonpath([here, absolute]) == here
        except ValueError:  # another drive
            inside = False
        if not inside:
            return PurePath(absolute).as_posix()
        file = os.path.relpath(absolute, here)
    return PurePath(os.path.normpath(file)).as_posix()


def artifact_uri(file: str) -> str:
    """A SARIF ``artifactLocation.uri``: a percent-encoded relative reference, else a file URI."""
    path = relative_path(file)
    if PurePath(path).is_absolute():
        return Path(path).as_uri()
    return quote(path, safe="/", errors="surrogateescape")  # bytes not UTF-8: as themselves


def _one_line(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """Paragraphs of ``text`` unwrapped, at most ``limit`` characters."""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    joined = "\n\n".join(p for p in paragraphs if p)
    return joined if len(joined) <= limit else joined[: limit - 1].rstrip() + "…"


def _rule_markdown(rule: Rule) -> str:
    lines = [f"**{rule.code} {rule.name}**: {rule.summary}.", ""]
    for heading, body in rule.sections().items():
        lines.extend([f"## {heading}", body, ""])
    return "\n".join(lines).rstrip() + "\n"


def _rule_text(rule: Rule) -> str:
    lines = [f"{rule.code} {rule.name}: {rule.summary}.", ""]
    for heading, body in rule.sections().items():
        lines.extend([heading, body, ""])
    return "\n".join(lines).rstrip() + "\n"


def _descriptor(rule: Rule, severity: Severity) -> dict[str, Any]:
    what = rule.sections().get("What it does") or rule.summary
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": _one_line(rule.summary) or rule.code},
        "fullDescription": {"text": _one_line(what) or rule.code},
        "help": {"text": _rule_text(rule), "markdown": _rule_markdown(rule)},
        "defaultConfiguration": {"level": LEVELS[severity]},
        "properties": {
            "tags": ["customer-journey", CATEGORIES.get(rule.code[2:3], "other")],
            "precision": "high",
            "problem.severity": PROBLEM_SEVERITY[severity],
        },
    }


_INPUT_HELP = (
    "The file could not be audited: it cannot be read, is not valid YAML, or is not a "
    "valid journey (a missing key, a value of the wrong kind, a duplicate id). "
    "Fix the problem at the reported line; `cx-audit validate FILE` lists every problem "
    "of a file."
)


def _input_descriptor() -> dict[str, Any]:
    return {
        "id": INPUT_RULE_ID,
        "name": INPUT_RULE_ID,
        "shortDescription": {"text": "A journey file that could not be audited"},
        "fullDescription": {"text": _INPUT_HELP},
        "help": {"text": _INPUT_HELP, "markdown": _INPUT_HELP},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["input"], "precision": "very-high", "problem.severity": "error"},
    }


def _region(line: int, column: int) -> dict[str, int]:
    line, column = max(line, 1), max(column, 1)
    return {"startLine": line, "startColumn": column, "endLine": line, "endColumn": column + 1}


def _location(file: str, line: int, column: int, uri: str | None = None) -> dict[str, Any]:
    return {"physicalLocation": {
        "artifactLocation": {"uri": uri if uri is not None else artifact_uri(file)},
        "region": _region(line, column),
    }}


def _occurrence_fingerprint(fingerprint: str, occurrence: int) -> str:
    """The first finding keeps its fingerprint; identical later ones get a numbered variant."""
    if occurrence == 1:
        return fingerprint
    key = f"{fingerprint}\x1f{occurrence}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _finding_result(finding: Finding, impact: Impact | None, index: int, occurrence: int,
                    uri: str | None = None) -> dict[str, Any]:
    return {
        "ruleId": finding.rule,
        "ruleIndex": index,
        "level": LEVELS.get(finding.severity, "warning"),
        "message": {"text": finding.message or finding.name},
        "locations": [_location(finding.file, finding.line, finding.column, uri)],
        "fingerprints": {FINGERPRINT_KEY: _occurrence_fingerprint(finding.fingerprint, occurrence)},
        "properties": {
            "name": finding.name,
            "severity": finding.severity.value,
            "journey": finding.journey,
            "step": finding.step,
            "evidence": json_safe(finding.evidence.to_dict()),
            "impact": json_safe(impact.to_dict()) if impact is not None else None,
        },
    }


def _problem_result(problem: Problem, index: int) -> dict[str, Any]:
    return {
        "ruleId": INPUT_RULE_ID,
        "ruleIndex": index,
        "level": "error",
        "message": {"text": problem.message or "invalid input"},
        "locations": [_location(problem.file, problem.line, problem.column)],
    }


def _severity(run: AuditRun[JourneyAudit], rule: Rule) -> Severity:
    configured = run.config.severity_of(rule)
    return rule.severity if configured is Severity.OFF else configured


def render_sarif(run: AuditRun[JourneyAudit]) -> str:
    """The run as a SARIF 2.1.0 log (JSON text ending in a newline)."""
    pairs = sorted(((f, audit) for audit in run.audits for f in audit.findings),
                   key=lambda pair: pair[0].sort_key())
    findings = [finding for finding, _ in pairs]
    problems = sorted(run.problems)
    codes = sorted({f.rule for f in findings})
    descriptors = [_descriptor(RULES[c], _severity(run, RULES[c])) if c in RULES
                   else _unknown_descriptor(c) for c in codes]
    if problems:
        descriptors.append(_input_descriptor())
    index = {d["id"]: i for i, d in enumerate(descriptors)}

    seen: Counter[str] = Counter()
    keyed: list[tuple[tuple[str, int, int, str, str], dict[str, Any]]] = []
    places: dict[str, tuple[str, str]] = {}  # file -> relative path and URI, worked out once
    for finding, audit in pairs:
        seen[finding.fingerprint] += 1
        place = places.get(finding.file)
        if place is None:
            place = places[finding.file] = (relative_path(finding.file),
                                            artifact_uri(finding.file))
        result = _finding_result(finding, audit.impact(finding), index[finding.rule],
                                 seen[finding.fingerprint], place[1])
        keyed.append(((place[0], finding.line, finding.column, finding.rule, finding.message),
                      result))
    for problem in problems:
        keyed.append(((relative_path(problem.file), problem.line, problem.column, INPUT_RULE_ID,
                       problem.message), _problem_result(problem, index[INPUT_RULE_ID])))
    keyed.sort(key=lambda pair: pair[0])

    invocation: dict[str, Any] = {"executionSuccessful": not run.missing}
    if run.missing:
        invocation["toolExecutionNotifications"] = [
            {"level": "error", "message": {"text": f"{missing}: no such file or folder"}}
            for missing in run.missing
        ]
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "cx-audit",
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": descriptors,
            }},
            "invocations": [invocation],
            "columnKind": "unicodeCodePoints",
            "results": [result for _, result in keyed],
        }],
    }
    # compact: the standard library's indenting encoder is pure Python and several times
    # slower; code-scanning tools read either, and ``jq .`` shows it indented
    return json_printable(json.dumps(log, ensure_ascii=False)) + "\n"


def _unknown_descriptor(code: str) -> dict[str, Any]:
    """A descriptor for a code missing from the catalogue (kept so no result is dropped)."""
    return {
        "id": code,
        "shortDescription": {"text": code},
        "fullDescription": {"text": code},
        "help": {"text": code},
        "defaultConfiguration": {"level": "warning"},
    }
