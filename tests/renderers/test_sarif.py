"""SARIF 2.1.0: schema-valid, GitHub-ready, stable, and faithful to the findings.

The runs it checks are in shared.py (the fixtures in conftest.py).
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from jsonschema import Draft4Validator

from cx_audit.audit.run import AuditRun
from cx_audit.core.findings import Finding, Severity
from cx_audit.core.model import Location
from cx_audit.renderers.sarif import INPUT_RULE_ID, artifact_uri, relative_path, render_sarif
from cx_audit.rules import RULES

from .shared import HOSTILE_TEXT, SCHEMA, check_golden


@pytest.fixture
def sarif_schema() -> dict:
    """The official SARIF 2.1.0 schema from ../shared, or skip when it is absent."""
    if not SCHEMA.is_file():
        pytest.skip("../shared/schemas/sarif-schema-2.1.0.json is not available")
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


# RFC 3986 relative reference: allowed characters only, and no ':' before the first '/'.
URI_CHARS = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@/%]+")


def _run_of(log: str) -> dict:
    document = json.loads(log)
    assert len(document["runs"]) == 1
    return document["runs"][0]


def _without_docs(document: dict) -> dict:
    """The log with the parts that follow the rule docs and the release replaced."""
    document = copy.deepcopy(document)
    driver = document["runs"][0]["tool"]["driver"]
    driver["version"] = "<version>"
    for rule in driver["rules"]:
        if rule["id"] in RULES:
            rule["fullDescription"]["text"] = "<What it does>"
            rule["help"] = {"text": "<rule doc>", "markdown": "<rule doc>"}
    return document


def test_golden(sample_run: AuditRun) -> None:
    text = render_sarif(sample_run)
    check_golden("sample.sarif", json.dumps(_without_docs(json.loads(text)), indent=2,
                                      ensure_ascii=False) + "\n")


def test_validates_against_the_official_schema(sample_run: AuditRun, sarif_schema: dict) -> None:
    Draft4Validator.check_schema(sarif_schema)
    validator = Draft4Validator(sarif_schema, format_checker=Draft4Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(json.loads(render_sarif(sample_run))), key=str)
    assert not errors, "\n".join(e.message for e in errors)


def test_hostile_run_validates(hostile_run: AuditRun, sarif_schema: dict) -> None:
    Draft4Validator(sarif_schema).validate(json.loads(render_sarif(hostile_run)))


def test_what_github_requires(sample_run: AuditRun) -> None:
    document = json.loads(render_sarif(sample_run))
    assert document["$schema"] and document["version"] == "2.1.0"
    run = document["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "cx-audit" and driver["version"] and driver["informationUri"]
    for rule in driver["rules"]:
        for key in ("shortDescription", "fullDescription", "help"):
            assert rule[key]["text"].strip()
            assert len(rule[key]["text"]) <= 1024 or key == "help"
        assert rule["help"]["markdown"].strip()
        assert rule["defaultConfiguration"]["level"] in ("note", "warning", "error")
        assert rule["properties"]["precision"] in ("very-high", "high", "medium", "low")
        assert rule["properties"]["problem.severity"] in ("error", "warning", "recommendation")
        assert "security-severity" not in rule["properties"]
    for result in run["results"]:
        assert result["message"]["text"].strip()
        assert len(result["locations"]) == 1
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert region["endLine"] == region["startLine"]
        assert region["endColumn"] > region["startColumn"]
        assert "partialFingerprints" not in result


def test_rules_are_those_with_results_sorted_and_unique(sample_run: AuditRun) -> None:
    run = _run_of(render_sarif(sample_run))
    ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    codes = [i for i in ids if i != INPUT_RULE_ID]
    assert codes == sorted(set(codes))
    assert set(ids) == {result["ruleId"] for result in run["results"]}
    for result in run["results"]:
        assert ids[result["ruleIndex"]] == result["ruleId"]


def test_rule_descriptors_carry_the_rule_docs(sample_run: AuditRun) -> None:
    run = _run_of(render_sarif(sample_run))
    for descriptor in run["tool"]["driver"]["rules"]:
        if descriptor["id"] == INPUT_RULE_ID:
            continue
        rule = RULES[descriptor["id"]]
        sections = rule.sections()
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert descriptor["fullDescription"]["text"] == " ".join(sections["What it does"].split())
        for heading, body in sections.items():
            assert f"## {heading}\n{body}" in descriptor["help"]["markdown"]
            assert f"{heading}\n{body}" in descriptor["help"]["text"]


def test_levels_follow_severity_and_info_is_a_note(sample_run: AuditRun) -> None:
    run = _run_of(render_sarif(sample_run))
    levels = {"error": "error", "warning": "warning", "info": "note"}
    for result in run["results"]:
        if result["ruleId"] == INPUT_RULE_ID:
            assert result["level"] == "error"
        else:
            assert result["level"] == levels[result["properties"]["severity"]]
    assert {r["level"] for r in run["results"]} == {"error", "warning", "note"}
    assert "info" not in json.dumps(
        [r["defaultConfiguration"] for r in run["tool"]["driver"]["rules"]])


def test_every_finding_and_problem_is_a_result(sample_run: AuditRun) -> None:
    run = _run_of(render_sarif(sample_run))
    findings = [r for r in run["results"] if r["ruleId"] != INPUT_RULE_ID]
    problems = [r for r in run["results"] if r["ruleId"] == INPUT_RULE_ID]
    assert len(findings) == len(sample_run.findings)
    assert [p["message"]["text"] for p in problems] == [p.message for p in sample_run.problems]
    assert problems[0]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "journeys/broken.yaml"},
        "region": {"startLine": 4, "startColumn": 11, "endLine": 4, "endColumn": 12},
    }
    # the path that does not exist is reported on the invocation
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert [n["message"]["text"] for n in invocation["toolExecutionNotifications"]] == [
        "journeys/gone.yaml: no such file or folder"]


def test_results_carry_journey_step_evidence_and_impact(sample_run: AuditRun) -> None:
    run = _run_of(render_sarif(sample_run))
    wait = next(r for r in run["results"] if r["ruleId"] == "CX502")
    assert wait["properties"]["journey"] == "support"
    assert wait["properties"]["step"] == "billing"
    assert wait["properties"]["evidence"]["notes"] == ["Callbacks take 3 days (CRM export, May)"]
    assert set(wait["properties"]["impact"]) == {
        "delta_p_resolution", "delta_shields_expected", "delta_wait_expected"}


def test_fingerprints_are_stable_and_distinct(sample_run: AuditRun) -> None:
    run = _run_of(render_sarif(sample_run))
    prints = [r["fingerprints"]["cx-audit/v1"] for r in run["results"] if "fingerprints" in r]
    assert len(prints) == len(sample_run.findings)
    assert len(set(prints)) == len(prints)  # the two identical CX901 findings differ
    first = {f.fingerprint for f in sample_run.findings}
    assert len(first) == len(prints) - 1 and first <= set(prints)


def test_same_input_same_output(sample_run: AuditRun) -> None:
    assert render_sarif(sample_run) == render_sarif(sample_run)


def test_clean_run_is_valid_and_empty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      sarif_schema: dict) -> None:
    monkeypatch.chdir(tmp_path)
    document = json.loads(render_sarif(AuditRun()))
    Draft4Validator(sarif_schema).validate(document)
    run = document["runs"][0]
    assert run["results"] == [] and run["tool"]["driver"]["rules"] == []
    assert run["invocations"] == [{"executionSuccessful": True}]


def test_paths_are_relative_with_forward_slashes(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    inside = str(tmp_path / "journeys" / "a.yaml")
    assert relative_path(inside) == "journeys/a.yaml"
    assert relative_path("./journeys//a.yaml") == "journeys/a.yaml"
    assert artifact_uri("journeys/a b.yaml") == "journeys/a%20b.yaml"
    outside = str(tmp_path.parent / "elsewhere.yaml")
    assert artifact_uri(outside).startswith("file:///")


def test_absolute_paths_below_the_working_directory_become_relative(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    file = str(tmp_path / "journeys" / "a.yaml")
    finding = Finding(rule="CX301", name="cold-handoff", severity=Severity.WARNING, journey="a",
                      file=file, step="s", location=Location(file, 3, 5), message="Cold")
    run = AuditRun(results=[SimpleNamespace(findings=(finding,), impact=lambda _: None)])  # type: ignore[list-item]
    result = _run_of(render_sarif(run))["results"][0]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "journeys/a.yaml"


def test_HOSTILE_TEXT_survives_as_data(hostile_run: AuditRun) -> None:
    run = _run_of(render_sarif(hostile_run))
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in run["results"]}
    for uri in uris:
        assert URI_CHARS.fullmatch(uri), uri
        assert ":" not in uri.split("/")[0]  # would read as a scheme
    assert "journeys/odd%2C%20name%3A%2050%25.yaml" in uris
    wait = next(r for r in run["results"] if r["ruleId"] == "CX502")
    assert wait["properties"]["evidence"]["notes"][0] == HOSTILE_TEXT
    problem = next(r for r in run["results"] if r["ruleId"] == INPUT_RULE_ID)
    assert HOSTILE_TEXT in problem["message"]["text"]
