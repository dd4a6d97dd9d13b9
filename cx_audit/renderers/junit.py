"""JUnit XML: one test suite per journey file, one failing test case per finding.

For CI test-report views (GitLab ``artifacts:reports:junit``, Jenkins).
Each suite is named by the file's path; its cases have that path as
``classname`` and ``file``, and are named by rule code and position
(``CX301 12:9``, numbered when two findings share both, since GitLab keeps
only the first of two equal names). Every finding is a ``failure``
whatever its severity; the severity is in the failure's text. A file
without findings gets one passing case, ``no findings``. An input problem
is an ``error`` case named ``input-error LINE:COL`` in its file's suite; a
path that does not exist gets a suite of its own with one such case.

The document is built with :mod:`xml.etree.ElementTree`, which escapes
markup; control characters, which XML 1.0 cannot hold even escaped, are
first shown as visible ``\\xNN`` escapes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field

from cx_audit.audit.engine import JourneyAudit
from cx_audit.audit.run import AuditRun
from cx_audit.core.findings import Finding
from cx_audit.renderers.sarif import INPUT_RULE_ID, relative_path
from cx_audit.text.safe import printable

__all__ = ["render_junit", "xml_text"]

PASSING_NAME = "no findings"

# What XML 1.0 cannot carry, after printable() has handled the C0/C1 controls.
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` with every character XML 1.0 forbids shown as a visible escape."""
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", printable(text, keep_newlines=True))


@dataclass
class _Suite:
    path: str
    audits: list[JourneyAudit] = field(default_factory=list)
    cases: list[ET.Element] = field(default_factory=list)
    names: Counter[str] = field(default_factory=Counter)
    failures: int = 0
    errors: int = 0

    def case(self, name: str, line: int | None = None) -> ET.Element:
        """A new test case with a name unique in this suite."""
        self.names[name] += 1
        if self.names[name] > 1:
            name = f"{name} ({self.names[name]})"
        element = ET.Element("testcase", {"name": xml_text(name), "classname": xml_text(self.path),
                                          "file": xml_text(self.path)})
        if line is not None:
            element.set("line", str(line))
        self.cases.append(element)
        return element


def _figure(value: object) -> str:
    """A metric as text: floats to six significant digits, booleans as in YAML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def _failure_text(finding: Finding, path: str) -> str:
    where = f"{path}:{finding.line}:{finding.column}"
    lines = [f"{where}: {finding.rule} {finding.name} ({finding.severity.value})",
             finding.message,
             f"journey: {finding.journey}"]
    if finding.step is not None:
        lines.append(f"step: {finding.step}")
    evidence = finding.evidence
    if evidence.metrics:
        figures = (f"{name}={_figure(value)}" for name, value in evidence.metrics.items())
        lines.append("metrics: " + ", ".join(figures))
    if evidence.route:
        lines.append("route: " + " -> ".join(evidence.route))
    if evidence.loop:
        lines.append("loop: " + " -> ".join(evidence.loop))
    lines += [f"evidence: {note}" for note in evidence.notes]
    return "\n".join(lines)


def _suites(run: AuditRun[JourneyAudit]) -> list[_Suite]:
    by_path: dict[str, _Suite] = {}

    def suite(file: str) -> _Suite:
        path = relative_path(file)
        if path not in by_path:
            by_path[path] = _Suite(path)
        return by_path[path]

    for file in run.files:
        suite(str(file))
    for audit in run.audits:
        suite(audit.journey.file).audits.append(audit)
    for problem in sorted(run.problems):
        entry = suite(problem.file)
        case = entry.case(f"{INPUT_RULE_ID} {problem.line}:{problem.column}", problem.line)
        error = ET.SubElement(case, "error", {"message": xml_text(problem.message),
                                              "type": INPUT_RULE_ID})
        error.text = xml_text(f"{entry.path}:{problem.line}:{problem.column}: {problem.message}")
        entry.errors += 1
    for missing in run.missing:
        entry = suite(missing)
        case = entry.case(INPUT_RULE_ID)
        message = f"{missing}: no such file or folder"
        error = ET.SubElement(case, "error", {"message": xml_text(message), "type": INPUT_RULE_ID})
        error.text = xml_text(message)
        entry.errors += 1
    for entry in by_path.values():
        findings = sorted((f for a in entry.audits for f in a.findings), key=Finding.sort_key)
        for finding in findings:
            case = entry.case(f"{finding.rule} {finding.line}:{finding.column}", finding.line)
            failure = ET.SubElement(case, "failure", {"message": xml_text(finding.message),
                                                      "type": finding.rule})
            failure.text = xml_text(_failure_text(finding, entry.path))
            entry.failures += 1
        if entry.audits and not findings:
            entry.case(PASSING_NAME)
    return list(by_path.values())


def _properties(entry: _Suite) -> ET.Element | None:
    if not entry.audits:
        return None
    properties = ET.Element("properties")
    for audit in entry.audits:
        ET.SubElement(properties, "property", {"name": "journey",
                                               "value": xml_text(audit.journey.id)})
        ET.SubElement(properties, "property", {"name": "title",
                                               "value": xml_text(audit.journey.title)})
    return properties


def render_junit(run: AuditRun[JourneyAudit]) -> str:
    """The run as a JUnit XML document (with an XML declaration, ending in a newline)."""
    suites = _suites(run)
    totals = {"tests": sum(len(s.cases) for s in suites),
              "failures": sum(s.failures for s in suites),
              "errors": sum(s.errors for s in suites)}
    root = ET.Element("testsuites", {"name": "cx-audit", **{k: str(v) for k, v in totals.items()}})
    for entry in suites:
        element = ET.SubElement(root, "testsuite", {
            "name": xml_text(entry.path),
            "tests": str(len(entry.cases)),
            "failures": str(entry.failures),
            "errors": str(entry.errors),
            "skipped": "0",
        })
        properties = _properties(entry)
        if properties is not None:
            element.append(properties)
        element.extend(entry.cases)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
