"""GitLab Code Quality: a JSON array with unique fingerprints and relative paths."""

from __future__ import annotations

import json
from types import SimpleNamespace

from cx_audit.audit.run import AuditRun
from cx_audit.core.findings import Finding, Severity
from cx_audit.core.model import Location
from cx_audit.renderers.gitlab import render_gitlab

from .shared import (
    HOSTILE_BROKEN,
    HOSTILE_FILE,
    HOSTILE_TEXT,
    check_golden,
)

GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def _issues(text: str) -> list[dict]:
    assert not text.startswith("\ufeff")
    issues = json.loads(text)
    assert isinstance(issues, list)
    for issue in issues:
        assert issue["description"] and issue["check_name"]
        assert issue["severity"] in GITLAB_SEVERITIES
        assert isinstance(issue["location"]["lines"]["begin"], int)
        assert not issue["location"]["path"].startswith("/")
    return issues


def test_golden(sample_run: AuditRun) -> None:
    check_golden("sample.gitlab.json", render_gitlab(sample_run))


def test_every_finding_and_problem_is_an_issue(sample_run: AuditRun) -> None:
    issues = _issues(render_gitlab(sample_run))
    assert len(issues) == len(sample_run.findings) + len(sample_run.problems) + \
        len(sample_run.missing)
    by_check = {i["check_name"]: i for i in issues}
    assert by_check["CX502 long-wait"]["location"] == {
        "path": "journeys/support.yaml", "lines": {"begin": 24, "end": 24}}
    inputs = [i for i in issues if i["check_name"] == "input-error"]
    assert [(i["location"]["path"], i["severity"]) for i in inputs] == [
        ("journeys/broken.yaml", "blocker"), ("journeys/gone.yaml", "blocker")]


def test_severity_mapping(sample_run: AuditRun) -> None:
    issues = _issues(render_gitlab(sample_run))
    severity = {i["check_name"]: i["severity"] for i in issues}
    assert severity["CX504 low-resolution"] == "critical"  # error
    assert severity["CX301 cold-handoff"] == "major"  # warning
    assert severity["CX901 unused-ignore"] == "info"  # info


def test_fingerprints_are_unique(sample_run: AuditRun) -> None:
    prints = [i["fingerprint"] for i in _issues(render_gitlab(sample_run))]
    assert len(prints) == len(set(prints))  # including the two identical CX901 findings


def test_fingerprints_stay_unique_for_identical_findings_at_one_place() -> None:
    location = Location("a.yaml", 3, 5)
    finding = Finding(rule="CX301", name="cold-handoff", severity=Severity.WARNING, journey="a",
                      file="a.yaml", step="s", location=location, message="Cold")
    audit = SimpleNamespace(findings=(finding, finding, finding))
    run = AuditRun(audits=[audit])  # type: ignore[list-item]
    prints = [i["fingerprint"] for i in _issues(render_gitlab(run))]
    assert len(prints) == 3 and len(set(prints)) == 3


def test_fingerprints_are_stable(sample_run: AuditRun) -> None:
    assert render_gitlab(sample_run) == render_gitlab(sample_run)


def test_empty_run_is_an_empty_array() -> None:
    assert json.loads(render_gitlab(AuditRun())) == []


def test_HOSTILE_TEXT_is_plain_json(hostile_run: AuditRun) -> None:
    issues = _issues(render_gitlab(hostile_run))
    journey_file, broken_file = HOSTILE_FILE, HOSTILE_BROKEN
    assert {i["location"]["path"] for i in issues} == {journey_file, broken_file}
    problem = next(i for i in issues if i["check_name"] == "input-error")
    assert HOSTILE_TEXT in problem["description"]
    assert len({i["fingerprint"] for i in issues}) == len(issues)
