"""The JSON report: one serializer, the same document whether encoded here or in workers."""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from analysis.builder import make_journey
from analysis.strategies import journey_specs
from hypothesis import HealthCheck, given, settings

from cx_audit.audit.baseline import baseline_key
from cx_audit.audit.config import Config
from cx_audit.audit.engine import audit_journey
from cx_audit.audit.run import run_audit
from cx_audit.core.findings import Evidence
from cx_audit.io.loader import load_journey
from cx_audit.renderers import keep_for, render, render_audits
from cx_audit.renderers.json_report import journey_json, journey_to_dict

ROOT = Path(__file__).resolve().parents[2]
JOURNEY_FILES = sorted((ROOT / "journeys").glob("*.yaml")) + sorted(
    (ROOT / "tests" / "fixtures" / "valid").glob("*.yaml"))


@pytest.mark.parametrize("path", JOURNEY_FILES, ids=lambda p: p.name)
def test_each_journey_part_decodes_to_its_plain_data(path: Path) -> None:
    audit = audit_journey(load_journey(path))
    assert json.loads(journey_json(audit).text) == json.loads(json.dumps(journey_to_dict(audit)))


@settings(max_examples=60, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(journey_specs())
def test_random_journeys_decode_to_their_plain_data(spec) -> None:
    audit = audit_journey(make_journey(spec))
    part = journey_json(audit)
    decoded = json.loads(part.text)
    assert decoded["journey"] == audit.journey.id
    assert [f["rule"] for f in decoded["findings"]] == [f.rule for f in audit.findings]
    assert part.severity_counts() == audit.severity_counts()


def test_text_that_needs_escaping_and_non_finite_evidence_are_written_safely() -> None:
    audit = audit_journey(load_journey(ROOT / "journeys" / "telecom-billing-dispute.yaml"))
    assert audit.findings
    awkward = 'quote " backslash \\ newline \n tab \t bell \x07 é 😀 </script>'
    first, *rest = audit.findings
    changed = replace(first, message=awkward, evidence=Evidence(
        metrics={"inf": math.inf, "nan": math.nan, "text": awkward}, route=(awkward,),
        notes=(awkward,)))
    audit = replace(audit, findings=(changed, *rest))
    text = journey_json(audit).text
    assert "Infinity" not in text and "NaN" not in text
    finding = json.loads(text)["findings"][0]
    assert finding["message"] == awkward and finding["evidence"]["route"] == [awkward]
    # infinity is written as every unbounded figure is; NaN has no value
    assert finding["evidence"]["metrics"] == {"inf": "unbounded", "nan": None, "text": awkward}


def _copy_examples(folder: Path) -> None:
    for path in sorted((ROOT / "journeys").glob("*.yaml")):
        (folder / path.name).write_text(path.read_text("utf-8"), "utf-8")


@pytest.mark.parametrize("name", ["json", "sarif"])
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_run_gives_the_same_report_with_or_without_workers(
        tmp_path: Path, jobs: int, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import cx_audit.audit.run as run_module

    monkeypatch.setattr(run_module, "PARALLEL_FROM", 2)
    monkeypatch.setattr(run_module, "FILES_PER_WORKER", 1)
    calls = []
    real = run_module._audit_in_workers
    monkeypatch.setattr(run_module, "_audit_in_workers",
                        lambda *args: calls.append(args) or real(*args))
    _copy_examples(tmp_path)
    (tmp_path / "broken.yaml").write_text("journey: [\n", "utf-8")
    whole = run_audit([tmp_path], Config())
    kept = run_audit([tmp_path], Config(), keep_for(name), jobs=jobs)
    assert len(calls) == (1 if jobs > 1 else 0)  # workers were used when asked for
    assert kept.counts() == whole.counts() and kept.problems == whole.problems
    assert kept.exit_code() == whole.exit_code() == 2
    assert render(name, kept) == render_audits(name, whole)
    if name == "json":
        document = json.loads(render(name, kept))
        assert document["journeys"] == [json.loads(json.dumps(journey_to_dict(audit)))
                                        for audit in whole.audits]
        assert document["summary"]["journeys"] == len(whole.audits) > 0


def test_a_baseline_is_applied_where_findings_are_made(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Findings a baseline records are dropped in the workers too, before rendering."""
    import cx_audit.audit.run as run_module

    monkeypatch.setattr(run_module, "PARALLEL_FROM", 2)
    monkeypatch.setattr(run_module, "FILES_PER_WORKER", 1)
    _copy_examples(tmp_path)
    whole = run_audit([tmp_path], Config())
    recorded = whole.findings[::2]  # every other finding
    known = Counter(baseline_key(f) for f in recorded)
    expected = run_audit([tmp_path], Config(), baseline=known)
    assert len(expected.findings) == len(whole.findings) - len(recorded) > 0
    assert not {baseline_key(f) for f in expected.findings} & set(known)
    for jobs in (1, 2):
        parts = run_audit([tmp_path], Config(), keep_for("json"), jobs=jobs, baseline=known)
        assert render("json", parts) == render_audits("json", expected)


@pytest.mark.parametrize("path", JOURNEY_FILES[:9], ids=lambda p: p.name)
def test_findings_come_in_report_order(path: Path) -> None:
    """The engine's sort (in C) gives the order ``Finding.sort_key`` defines."""
    from cx_audit.core.findings import Finding

    findings = list(audit_journey(load_journey(path)).findings)
    assert findings == sorted(findings, key=Finding.sort_key)


def test_an_unbounded_figure_is_written_the_same_way_in_metrics_and_in_evidence() -> None:
    # every customer ends up going round a menu that never lets them out
    journey = make_journey({
        "call": {"kind": "entry", "next": [("menu", 1.0)]},
        "menu": {"shield": "ivr", "wait": 1.0, "next": [("menu", 1.0)]},
    })
    entry = json.loads(journey_json(audit_journey(journey)).text)
    assert entry["metrics"]["shields_expected"] == "unbounded"
    assert entry["metrics"]["wait_expected"] == "unbounded"
    assert entry["steps"]["menu"]["visits"] == "unbounded"
    (depth,) = [f for f in entry["findings"] if f["rule"] == "CX201"]
    assert depth["evidence"]["metrics"]["shields_expected"] == "unbounded"
    # no route reaches a resolution: "no value", not infinity
    assert entry["metrics"]["shields_min"] is None and entry["metrics"]["paths"] is None


def test_a_redesign_says_which_journey_it_replaces() -> None:
    path = ROOT / "journeys" / "telecom-billing-dispute-redesigned.yaml"
    entry = journey_to_dict(audit_journey(load_journey(path)))
    assert entry["replaces"] == "telecom-billing-dispute"
    original = journey_to_dict(audit_journey(load_journey(ROOT / "journeys" /
                                                          "telecom-billing-dispute.yaml")))
    assert original["replaces"] is None
