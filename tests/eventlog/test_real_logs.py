"""The real service-desk logs of ../shared/data/eventlogs (skipped when absent).

Helpdesk: 21,348 events of 4,580 cases, 14 activities. BPI Challenge 2013
(Volvo IT incidents): 65,533 events of 7,554 cases, whose support level
(L1/L2/L3) changes L1->L2 2,755 times and L2->L1 1,473 times: the
ping-pong between levels must show up as findings.
"""

from __future__ import annotations

from pathlib import Path

from cx_audit.audit.conformance import conform
from cx_audit.audit.engine import audit_journey
from cx_audit.eventlog.discover import discover
from cx_audit.eventlog.mapping import mapping_from_data
from cx_audit.eventlog.reader import LogColumns, scan_log
from cx_audit.io.loader import load_journey_text
from cx_audit.io.writer import dump_journey

from .helpers import BPI2013, HELPDESK, need

LEVELS = LogColumns(activity="Activity Level", resource="ST Level")

DESIGN = """\
journey: volvo-incidents
title: Incident handling as designed (escalate up, never back down)
steps:
  l1:
    kind: entry
    label: Service desk
    owner: L1
    next: [{to: l2, p: 0.3, handoff: warm}, {to: resolved, p: 0.7}]
  l2:
    label: Second line
    owner: L2
    next: [{to: l3, p: 0.1, handoff: warm}, {to: resolved, p: 0.9}]
  l3:
    label: Expert team
    owner: L3
    next: [resolved]
  resolved:
    kind: resolution
"""

LEVEL_MAPPING = {
    "columns": {"case": "SR Number", "activity": "Activity Level", "timestamp": "Change Date+Time"},
    "steps": {"Completed-*": "resolved", "*-L1": "l1", "*-L2": "l2", "*-L3": "l3",
              "*-L2/L3": "l2"},
    "ignore": ["Unmatched*"],
    "repeats": "merge",
}


def test_helpdesk_counts_and_discovered_journey() -> None:
    log = need(HELPDESK)
    stats = scan_log(log, LogColumns(resource="Resource"))
    assert (stats.rows, stats.cases, len(stats.labels)) == (21_348, 4_580, 14)
    assert stats.labels["Take in charge ticket"].visits == 5_060
    assert stats.labels["Closed"].ends == 4_557                  # 23 cases end elsewhere
    assert stats.columns["timestamp"].name == "Complete Timestamp"
    assert (stats.reordered_cases, stats.late_rows, stats.bad_row_count) == (0, 0, 0)
    document, notes = discover(log)
    journey = load_journey_text(dump_journey(document, notes), "helpdesk.yaml")
    assert len([s for s in journey.steps.values() if not s.silent]) == 14
    assert journey.resolutions[0].id == "closed-end"   # Closed is reopened now and then
    # the first activities of at least 1% of the cases: 4,384, 118 and 74 cases; the other
    # 4 cases start through the silent entry 'start'
    assert {s.id for s in journey.entries} == {"assign-seriousness", "insert-ticket",
                                               "take-in-charge-ticket", "start"}
    assert journey.steps["start"].silent and len(journey.steps["start"].next) == 3
    audit = audit_journey(journey)
    assert 0.99 < audit.analysis.metrics.p_resolution < 1.0
    assert any(f.rule == "CX502" for f in audit.findings)   # waits of hours and days


def test_bpi2013_ping_pong_between_support_levels_when_discovered() -> None:
    log = need(BPI2013)
    document, notes = discover(log, LEVELS, mapping_from_data(
        {"resolutions": ["Completed-*"], "ignore": ["Unmatched*"]}))
    journey = load_journey_text(dump_journey(document, notes), "bpi.yaml")
    owners = {s.owner for s in journey.steps.values() if s.owner}
    assert {"L1", "L2", "L3"} <= owners
    levels = {t: (journey.steps[t.source].owner, journey.steps[t.target].owner)
              for t in journey.transitions}
    assert any(pair == ("L2", "L1") and t.handoff is not None for t, pair in levels.items())
    pings = [f for f in audit_journey(journey).findings if f.rule == "CX303"]
    assert pings, "the ping-pong between support levels is not reported"
    assert {"L1", "L2", "L3"} <= set(pings[0].evidence.metrics["owners"])


def test_bpi2013_ping_pong_against_a_design_that_only_escalates(tmp_path: Path) -> None:
    log = need(BPI2013)
    design = tmp_path / "design.yaml"
    design.write_text(DESIGN, encoding="utf-8")
    result = conform(design, log, mapping_from_data(LEVEL_MAPPING))
    run = result.run
    assert not run.problems
    assert result.observations is not None and result.observations.cases == 7_554
    back_down = {(f.step, f.evidence.route) for f in run.findings if f.rule == "CX601"}
    assert {("l2", ("l2", "l1")), ("l3", ("l3", "l2")), ("l3", ("l3", "l1")),
            ("l1", ("l1", "l3"))} <= back_down
    loops = {f.step: f for f in run.findings if f.rule == "CX605"}
    assert loops["l1"].evidence.loop == ("l1", "l2", "l1")
    assert "bounced between L1, L2" in loops["l1"].message
    assert loops["l1"].evidence.metrics["revisit_cases"] > 1_000
