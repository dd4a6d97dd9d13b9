"""The JSON report's fast path: each journey's text must equal encoding its plain data.

``render_journey_json`` assembles findings from encoded pieces and runs in
worker processes; ``journey_to_dict`` is the plain structure. Any difference
between the two, for any journey and any text in it, is a defect.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest
from analysis.builder import make_journey
from analysis.strategies import journey_specs
from hypothesis import HealthCheck, given, settings

from cx_audit.audit.config import Config
from cx_audit.audit.engine import audit_journey
from cx_audit.audit.run import run_audit
from cx_audit.core.findings import Evidence
from cx_audit.io.loader import load_journey
from cx_audit.renderers import part_renderer, render
from cx_audit.renderers.json_report import _dumps, journey_to_dict, render_journey_json

ROOT = Path(__file__).resolve().parents[2]
JOURNEY_FILES = sorted((ROOT / "journeys").glob("*.yaml")) + sorted(
    (ROOT / "tests" / "fixtures" / "valid").glob("*.yaml"))


@pytest.mark.parametrize("path", JOURNEY_FILES, ids=lambda p: p.name)
def test_each_journey_is_written_as_its_plain_data_encodes(path: Path) -> None:
    audit = audit_journey(load_journey(path))
    assert render_journey_json(audit) == _dumps(journey_to_dict(audit))


@settings(max_examples=60, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(journey_specs())
def test_random_journeys_are_written_as_their_plain_data_encodes(spec) -> None:
    audit = audit_journey(make_journey(spec))
    assert render_journey_json(audit) == _dumps(journey_to_dict(audit))


def test_text_that_needs_escaping_and_non_finite_evidence_are_written_alike() -> None:
    audit = audit_journey(load_journey(ROOT / "journeys" / "telecom-billing-dispute.yaml"))
    assert audit.findings
    awkward = 'quote " backslash \\ newline \n tab \t bell \x07 é 😀 </script>'
    first, *rest = audit.findings
    changed = replace(first, message=awkward, step=awkward, evidence=Evidence(
        metrics={"inf": math.inf, "nan": math.nan, "text": awkward}, route=(awkward,),
        notes=(awkward,)))
    audit = replace(audit, findings=(changed, *rest))
    text = render_journey_json(audit)
    assert text == _dumps(journey_to_dict(audit))
    finding = json.loads(text)["findings"][0]
    assert finding["message"] == awkward
    assert finding["evidence"]["metrics"] == {"inf": None, "nan": None, "text": awkward}


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_run_rendered_as_it_goes_gives_the_same_report(tmp_path: Path, jobs: int,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import cx_audit.audit.run as run_module

    monkeypatch.setattr(run_module, "PARALLEL_FROM", 2)
    monkeypatch.setattr(run_module, "FILES_PER_WORKER", 1)
    calls = []
    real = run_module._audit_in_workers
    monkeypatch.setattr(run_module, "_audit_in_workers",
                        lambda *args: calls.append(args) or real(*args))
    for path in sorted((ROOT / "journeys").glob("*.yaml")):
        (tmp_path / path.name).write_text(path.read_text("utf-8"), "utf-8")
    (tmp_path / "broken.yaml").write_text("journey: [\n", "utf-8")
    whole = run_audit([tmp_path], Config(), jobs=jobs)
    parts = run_audit([tmp_path], Config(), jobs=jobs, part=part_renderer("json"))
    assert parts.rendered and not parts.audits
    assert len(calls) == (2 if jobs > 1 else 0)  # both runs used workers when asked to
    assert parts.counts() == whole.counts() and parts.problems == whole.problems
    assert parts.exit_code() == whole.exit_code()
    assert render("json", parts) == render("json", whole)
    with pytest.raises(ValueError, match="already rendered"):
        render("sarif", parts)


@pytest.mark.parametrize("evidence", [
    Evidence(metrics={"p": 0.1, "count": 3, "flag": True, "off": False, "none": None,
                      "big": 10**30, "text": "a \"b\""}),
    Evidence(metrics={"nested": [1, 2.5], "map": {"a": 1}}),  # not flat: the encoder writes it
    Evidence(metrics={3: "non-text key", "x": 1.0}),
    Evidence(metrics={"inf": -math.inf}, route=("a", "b"), loop=("c",), notes=("note",)),
    Evidence(route=("a", 7)),  # an item that is not text
])
def test_every_evidence_is_written_as_the_encoder_writes_it(evidence: Evidence) -> None:
    from cx_audit.renderers.json_report import _evidence_json

    assert _evidence_json(evidence) == _dumps(evidence.to_dict())


@pytest.mark.parametrize("path", JOURNEY_FILES[:9], ids=lambda p: p.name)
def test_findings_come_in_report_order(path: Path) -> None:
    """The engine's sort (in C) gives the order ``Finding.sort_key`` defines."""
    from cx_audit.core.findings import Finding

    findings = list(audit_journey(load_journey(path)).findings)
    assert findings == sorted(findings, key=Finding.sort_key)


def test_a_baseline_is_applied_where_findings_are_made(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Findings a baseline records are dropped in the workers too, before rendering."""
    from collections import Counter

    import cx_audit.audit.run as run_module
    from cx_audit.audit.baseline import baseline_key

    monkeypatch.setattr(run_module, "PARALLEL_FROM", 2)
    monkeypatch.setattr(run_module, "FILES_PER_WORKER", 1)
    for path in sorted((ROOT / "journeys").glob("*.yaml")):
        (tmp_path / path.name).write_text(path.read_text("utf-8"), "utf-8")
    whole = run_audit([tmp_path], Config())
    known = Counter(baseline_key(f) for f in whole.findings[::2])  # every other finding
    expected = run_audit([tmp_path], Config())
    expected.apply_baseline(known)
    assert 0 < len(expected.findings) < len(whole.findings)
    for jobs in (1, 2):
        parts = run_audit([tmp_path], Config(), jobs=jobs, part=part_renderer("json"),
                          baseline=known)
        assert render("json", parts) == render("json", expected)
