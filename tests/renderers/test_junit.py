"""JUnit XML: well-formed, counted right, one suite per file and unique case names."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from types import SimpleNamespace

from cx_audit.audit.run import AuditRun
from cx_audit.core.findings import Finding, Severity
from cx_audit.core.model import Location
from cx_audit.renderers.junit import render_junit, xml_text
from cx_audit.text.safe import printable

from .shared import (
    HOSTILE_BROKEN,
    HOSTILE_FILE,
    HOSTILE_TEXT,
    check_golden,
)


def _check_counts(root: ET.Element) -> None:
    """Every count attribute agrees with the elements it counts."""
    suites = root.findall("testsuite")
    for suite in suites:
        cases = suite.findall("testcase")
        assert int(suite.get("tests", "-1")) == len(cases)
        assert int(suite.get("failures", "-1")) == sum(len(c.findall("failure")) for c in cases)
        assert int(suite.get("errors", "-1")) == sum(len(c.findall("error")) for c in cases)
        assert int(suite.get("skipped", "-1")) == 0
        names = [c.get("name") for c in cases]
        assert len(names) == len(set(names)), names
        assert all(c.get("classname") == suite.get("name") for c in cases)
    for key in ("tests", "failures", "errors"):
        assert int(root.get(key, "-1")) == sum(int(s.get(key, "0")) for s in suites)


def test_golden(sample_run: AuditRun) -> None:
    check_golden("sample.junit.xml", render_junit(sample_run))


def test_parses_with_correct_counts(sample_run: AuditRun) -> None:
    text = render_junit(sample_run)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "testsuites" and root.get("name") == "cx-audit"
    _check_counts(root)
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("11", "8", "2")


def test_one_suite_per_file_in_input_order(sample_run: AuditRun) -> None:
    root = ET.fromstring(render_junit(sample_run))
    assert [s.get("name") for s in root.findall("testsuite")] == [
        "journeys/support.yaml", "journeys/clean.yaml", "journeys/broken.yaml",
        "journeys/gone.yaml"]


def test_findings_fail_clean_files_pass_problems_error(sample_run: AuditRun) -> None:
    suites = {s.get("name"): s for s in ET.fromstring(render_junit(sample_run))}
    support = suites["journeys/support.yaml"].findall("testcase")
    assert len(support) == len(sample_run.findings)
    assert all(len(case.findall("failure")) == 1 for case in support)
    assert [c.get("name") for c in support][:2] == ["CX504 5:3", "CX506 5:3"]
    clean = suites["journeys/clean.yaml"].findall("testcase")
    assert [(c.get("name"), list(c)) for c in clean] == [("no findings", [])]
    broken = suites["journeys/broken.yaml"].find("testcase")
    assert broken is not None and broken.get("name") == "input-error 4:11"
    error = broken.find("error")
    assert error is not None and "found 'entyr'" in (error.get("message") or "")
    gone = suites["journeys/gone.yaml"].find("testcase/error")
    assert gone is not None and gone.get("message") == "journeys/gone.yaml: no such file or folder"


def test_failure_text_has_location_severity_and_evidence(sample_run: AuditRun) -> None:
    root = ET.fromstring(render_junit(sample_run))
    wait = root.find(".//testcase[@name='CX502 24:3']/failure")
    assert wait is not None
    assert wait.get("type") == "CX502"
    assert wait.text == ("journeys/support.yaml:24:3: CX502 long-wait (warning)\n"
                         "Customers wait 3 d at step 'billing' (more than 2 d for an asynchronous "
                         "wait; back office)\n"
                         "journey: support\n"
                         "step: billing\n"
                         "metrics: wait=4320, max_wait=2880, wait_kind=asynchronous\n"
                         "evidence: Callbacks take 3 days (CRM export, May)")


def test_equal_names_are_numbered() -> None:
    location = Location("a.yaml", 3, 5)
    findings = tuple(Finding(rule="CX301", name="cold-handoff", severity=Severity.WARNING,
                             journey="a", file="a.yaml", step="s", location=location,
                             message=f"Cold {n}") for n in range(3))
    audit = SimpleNamespace(journey=SimpleNamespace(file="a.yaml", id="a", title="A"),
                            findings=findings)
    run = AuditRun(results=[audit])  # type: ignore[list-item]
    root = ET.fromstring(render_junit(run))
    assert [c.get("name") for c in root.iter("testcase")] == [
        "CX301 3:5", "CX301 3:5 (2)", "CX301 3:5 (3)"]
    _check_counts(root)


def test_empty_run_is_a_valid_document() -> None:
    root = ET.fromstring(render_junit(AuditRun()))
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("0", "0", "0")


def test_xml_text_removes_what_xml_cannot_hold() -> None:
    assert xml_text("a\x1b[31mb\x00c\ufffe") == "a\\x1b[31mb\\x00c\\ufffe"
    assert xml_text("line\nnext\tend") == "line\nnext\tend"


def test_HOSTILE_TEXT_stays_well_formed(hostile_run: AuditRun) -> None:
    text = render_junit(hostile_run)
    assert "\x1b" not in text and "\r" not in text
    root = ET.fromstring(text.encode("utf-8"))
    _check_counts(root)
    shown = printable(HOSTILE_TEXT, keep_newlines=True)
    journey_file, broken_file = HOSTILE_FILE, HOSTILE_BROKEN
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {journey_file, broken_file}
    title = suites[journey_file].find("properties/property[@name='title']")
    assert title is not None and title.get("value") == shown
    texts = [f.text or "" for f in suites[journey_file].iter("failure")]
    notes = [text for text in texts if "evidence:" in text]
    assert notes and all(f"evidence: {shown}\n" in note for note in notes)
    error = suites[broken_file].find("testcase/error")
    assert error is not None and shown in (error.get("message") or "")
    assert shown in (error.text or "")
    # the markup arrived as text: no element was injected
    assert {e.tag for e in root.iter()} <= {
        "testsuites", "testsuite", "properties", "property", "testcase", "failure", "error"}
