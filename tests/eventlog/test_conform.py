"""Conformance on a small map and log whose every difference is worked out by hand."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import PINNED_RULES

from cx_audit.audit.config import Config
from cx_audit.audit.conformance import conform, observe
from cx_audit.audit.engine import audit_journey
from cx_audit.eventlog.mapping import mapping_from_data
from cx_audit.eventlog.observations import Observations, observed_loop
from cx_audit.eventlog.reader import LogColumns
from cx_audit.io.loader import load_journey
from cx_audit.renderers import RENDERERS, render_audits

from .helpers import SUPPORT_ROWS, write_log

DESIGN = """\
journey: support
steps:
  call:
    kind: entry
    label: Call
    owner: front
    next: [agent]
  agent:
    label: Agent
    owner: front
    wait: 30m
    next:
      - {to: done, p: 0.9}
      - {to: escalate, p: 0.1, handoff: warm}
  escalate:
    owner: back
    next: [done]
  done:
    kind: resolution
    label: Done
"""

# c5 goes straight from Call to Done, which the map does not allow
ROWS = [*SUPPORT_ROWS, ("c5", "Call", "2024-01-01T14:00:00"), ("c5", "Done", "2024-01-01T14:03:00")]

BASE = Config(select=(*PINNED_RULES, "CX6"))
"""The pinned rules and every conformance rule: a design or CX9 rule added later changes
nothing here, while each conformance rule must keep the properties these tests state."""

LENIENT = replace(BASE, options={"min_departures": 1, "min_wait_samples": 1})


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    design = tmp_path / "support.yaml"
    design.write_text(DESIGN, encoding="utf-8")
    return design, write_log(tmp_path, ROWS)


def by_rule(run) -> dict[str, list]:
    found: dict[str, list] = {}
    for finding in run.findings:
        found.setdefault(finding.rule, []).append(finding)
    return found


def test_observations_at_the_level_of_steps(files: tuple[Path, Path]) -> None:
    design, log = files
    seen = observe(load_journey(design), log, columns=LogColumns("case", "activity", "time"))
    # 'Back' matches no step: left out, so c2 goes Agent -> Agent
    assert seen.unmatched == {"Back": 1}
    assert seen.transitions == {("call", "agent"): 3, ("agent", "done"): 2,
                                ("agent", "agent"): 1, ("call", "done"): 1}
    assert seen.departures("call") == 5 and seen.departures("agent") == 4
    agent = seen.step("agent")
    assert agent.wait == pytest.approx(8.0)      # 4, 10, 12 and 6 minutes
    assert agent.revisit_cases == 1 and seen.step("escalate") is None
    assert observed_loop(seen, "agent") == ("agent", "agent")
    assert seen.activities == {"Call": "call", "Agent": "agent", "Done": "done"}


def test_every_difference_is_a_finding(files: tuple[Path, Path]) -> None:
    design, log = files
    result = conform(design, log, config=LENIENT)
    run = result.run
    assert not run.problems and run.exit_code() == 0  # warnings and info only
    found = by_rule(run)
    assert set(found) == {"CX601", "CX602", "CX603", "CX604", "CX605", "CX606"}
    (unmodelled,) = found["CX601"]
    assert unmodelled.step == "call" and unmodelled.line == 3
    assert "'call' -> 'done' is observed once (20% of departures from 'call')" in (
        unmodelled.message)
    assert sorted((f.step, f.line) for f in found["CX602"]) == [("agent", 14), ("escalate", 17)]
    assert "the log never shows step 'escalate'" in found["CX602"][1].message
    # call: 5 departures (3 to agent, 1 to done, 1 case ends); agent: 4 (2 done, 1 agent, 1 end)
    drifts = sorted(f.message for f in found["CX603"])
    assert drifts == [
        "'agent' -> 'done' takes 50% of the departures observed, the map says 90%",
        "'call' -> 'agent' takes 60% of the departures observed, the map says 100%",
        ("20% of the departures observed from 'call' end the case there unresolved, "
         "the map says 0%"),
        ("25% of the departures observed from 'agent' end the case there unresolved, "
         "the map says 0%"),
    ]
    (wait,) = found["CX604"]
    assert wait.step == "agent" and wait.evidence.metrics["observed_wait"] == pytest.approx(8.0)
    assert "Customers wait 8 min (median of 4) at step 'agent', the map says 30 min" in wait.message
    (loop,) = found["CX605"]
    assert loop.step == "agent" and loop.evidence.loop == ("agent", "agent")
    (activity,) = found["CX606"]
    assert activity.step is None and "Activity 'Back' (1 event)" in activity.message
    assert any("no step (CX606)" in note for note in result.notes)


def test_default_thresholds_keep_small_samples_quiet(files: tuple[Path, Path]) -> None:
    design, log = files
    found = by_rule(conform(design, log, config=BASE).run)
    assert "CX603" not in found and "CX604" not in found   # 5 departures, 4 waits: too few


def test_merging_repeats_removes_the_self_loop(files: tuple[Path, Path]) -> None:
    design, log = files
    mapping = mapping_from_data({"repeats": "merge",
                                 "columns": {"case": "case", "activity": "activity",
                                             "timestamp": "time"}})
    found = by_rule(conform(design, log, mapping, config=LENIENT).run)
    assert "CX605" not in found


def test_only_conformance_rules_run_unless_asked(files: tuple[Path, Path]) -> None:
    design, log = files
    codes = {f.rule for f in conform(design, log, config=BASE).run.findings}
    assert codes and all(c.startswith("CX6") for c in codes)
    everything = {f.rule for f in conform(design, log, config=BASE,
                                              design_rules=True).run.findings}
    assert any(not c.startswith("CX6") for c in everything)
    silenced = replace(BASE, ignore=("conform-unmodelled-activity",))
    assert "CX606" not in {f.rule for f in conform(design, log, config=silenced).run.findings}


def test_an_ordinary_audit_is_unaffected(files: tuple[Path, Path]) -> None:
    design, _log = files
    journey = load_journey(design)
    assert not [f for f in audit_journey(journey).findings if f.rule.startswith("CX6")]
    other = audit_journey(journey, observed={"not": "observations"})
    assert not [f for f in other.findings if f.rule.startswith("CX6")]


def test_conforming_a_discovered_journey_to_its_own_log_is_clean(tmp_path: Path) -> None:
    from cx_audit.eventlog.discover import discover
    from cx_audit.io.writer import dump_journey

    log = write_log(tmp_path, ROWS)
    document, notes = discover(log, LogColumns("case", "activity", "time"))
    found = tmp_path / "found.yaml"
    found.write_text(dump_journey(document, notes), encoding="utf-8")
    run = conform(found, log, config=LENIENT).run
    assert not run.problems
    assert [f.rule for f in run.findings] == []


def test_every_output_format_renders_the_findings(files: tuple[Path, Path]) -> None:
    design, log = files
    run = conform(design, log, config=LENIENT).run
    for name in RENDERERS:
        options = {"color": False, "width": 120} if name == "text" else {}
        text = render_audits(name, run, **options)
        assert "CX605" in text and "CX601" in text, name
    report = json.loads(render_audits("json", run))
    assert report["summary"]["findings"] == len(run.findings)
    assert {f["rule"] for f in report["journeys"][0]["findings"]} >= {"CX601", "CX606"}


def test_input_problems_make_exit_code_2(tmp_path: Path, files: tuple[Path, Path]) -> None:
    design, log = files
    bad_log = tmp_path / "bad.csv"
    bad_log.write_text("case,activity,time\n1,Call,never\n", encoding="utf-8")
    run = conform(design, bad_log, config=BASE).run
    assert run.exit_code() == 2 and not run.audits
    assert (run.problems[0].line, run.problems[0].column) == (2, 3)
    tolerated = conform(design, bad_log, config=BASE, max_bad_rows=1)
    assert tolerated.run.exit_code() == 0 and any("never" in n for n in tolerated.notes)
    broken = tmp_path / "broken.yaml"
    broken.write_text("journey: x\nsteps: {a: {kind: entry, nxt: []}}\n", encoding="utf-8")
    assert conform(broken, log, config=BASE).run.exit_code() == 2
    mapping = mapping_from_data({"steps": {"Call": "nowhere"}}, "map.yaml")
    problems = conform(design, log, mapping, config=BASE).run.problems
    assert "the mapping's 'steps' name 'nowhere'" in problems[0].message
    missing_map = conform(design, log, tmp_path / "absent.yaml", config=BASE).run
    assert missing_map.exit_code() == 2


def test_observations_type() -> None:
    empty = Observations(log="x.csv", cases=0, events=0, steps={}, transitions={})
    assert empty.departures("a") == 0 and observed_loop(empty, "a") == ()
