"""Discovery on small logs whose every figure is worked out by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from cx_audit.audit.engine import audit_journey
from cx_audit.core.errors import EventLogError, MappingError
from cx_audit.eventlog.discover import apportion, build_journey, discover, slugify
from cx_audit.eventlog.mapping import LogMapping, load_mapping, mapping_from_data
from cx_audit.eventlog.reader import LogColumns
from cx_audit.io.loader import load_journey_text
from cx_audit.io.writer import dump_journey, yaml_duration

from .helpers import SUPPORT_ROWS, write_log

COLUMNS = LogColumns("case", "activity", "time")


def discovered(tmp_path: Path, rows=SUPPORT_ROWS, mapping: LogMapping | None = None,
               header=("case", "activity", "time"), columns=COLUMNS):
    document, notes = discover(write_log(tmp_path, rows, header=header), columns, mapping)
    journey = load_journey_text(dump_journey(document, notes), "found.yaml")
    return document, notes, journey


def test_hand_computed_journey(tmp_path: Path) -> None:
    # 4 cases: Call starts all; c1, c2 reach Done (the resolution, most cases end there);
    # c3 ends at Agent and c4 at Call (abandonment).
    document, notes, journey = discovered(tmp_path)
    steps = document["steps"]
    assert list(steps) == ["call", "agent", "back", "done"]
    call, agent, back, done = (steps[s] for s in ("call", "agent", "back", "done"))
    # Call: 4 visits, 3 go on to Agent, 1 case ends -> abandon 1/4, p 3/3
    assert call["kind"] == "entry" and call["share"] == 1.0
    assert call["abandon"] == 0.25 and call["next"] == [{"to": "agent", "p": 1.0}]
    assert "wait" not in call
    # Agent: 4 visits, Done 2, Back 1, 1 case ends -> abandon 1/4, p 2/3 and 1/3
    assert agent["abandon"] == 0.25
    assert agent["next"] == [{"to": "done", "p": 0.6667}, {"to": "back", "p": 0.3333}]
    assert agent["wait"] == "5m"     # median of 4, 10, 2, 6 minutes
    assert back == {"label": "Back", "wait": "10m", "next": [{"to": "agent", "p": 1.0}],
                    "evidence": back["evidence"]}
    assert done["kind"] == "resolution" and done["wait"] == "7m" and "next" not in done
    assert agent["evidence"] == ["3 of 4 cases (75%); 4 events; median wait 5 min (4 intervals)",
                                 "1 case ends here; 1 case comes back to it"]
    assert notes[0].startswith("Discovered from log.csv: 11 events of 4 cases, 2024-01-01")
    # it loads, and the chain agrees with the log: 2 of 4 cases resolved
    assert journey.steps["agent"].wait == 5.0 and journey.steps["done"].wait == 7.0
    audit = audit_journey(journey)
    assert audit.analysis.metrics.p_resolution == pytest.approx(0.5, abs=1e-3)
    codes = {f.rule for f in audit.findings}
    assert "CX305" in codes      # the Agent -> Back -> Agent loop, as it happened
    assert not codes & {"CX101", "CX102", "CX105", "CX107"}


def test_a_resolution_that_cases_leave_gets_a_generated_end(tmp_path: Path) -> None:
    rows = [("a", "Open", "2024-01-01 10:00"), ("a", "Closed", "2024-01-01 11:00"),
            ("a", "Open", "2024-01-02 09:00"), ("a", "Closed", "2024-01-02 10:00"),
            ("b", "Open", "2024-01-01 10:00"), ("b", "Closed", "2024-01-01 10:30"),
            ("c", "Open", "2024-01-01 10:00"), ("c", "Pending", "2024-01-01 10:30")]
    document, _notes, journey = discovered(tmp_path, rows)
    steps = document["steps"]
    closed = steps["closed"]
    assert "kind" not in closed
    assert closed["next"] == [{"to": "open", "p": 0.3333}, {"to": "closed-end", "p": 0.6667}]
    assert steps["closed-end"]["kind"] == "resolution"
    assert steps["closed-end"]["label"] == "Case ends after Closed"
    # Pending is never left and is not a resolution: the case gave up there
    assert steps["pending"]["kind"] == "abandon"
    assert journey.steps["closed-end"].kind.value == "resolution"


def test_an_entry_nobody_leaves_gets_a_generated_abandon_step(tmp_path: Path) -> None:
    rows = [("a", "Call", "2024-01-01 10:00"), ("a", "Done", "2024-01-01 10:05"),
            ("b", "Hangup", "2024-01-01 10:00")]
    mapping = mapping_from_data({"entries": ["Call", "Hangup"]})
    document, _notes, journey = discovered(tmp_path, rows, mapping)
    hangup = document["steps"]["hangup"]
    assert hangup["kind"] == "entry" and hangup["next"] == [{"to": "hangup-end", "p": 1.0}]
    assert document["steps"]["hangup-end"]["kind"] == "abandon"
    assert journey.entry_shares == {"call": 0.5, "hangup": 0.5}


def test_mapping_sets_roles_owners_shields_and_handoffs(tmp_path: Path) -> None:
    rows = [("a", "Menu", "2024-01-01 10:00"), ("a", "Desk", "2024-01-01 10:01"),
            ("a", "Expert", "2024-01-01 10:30"), ("a", "Desk", "2024-01-01 11:00"),
            ("a", "Fixed", "2024-01-01 11:05"),
            ("b", "Menu", "2024-01-01 10:00"), ("b", "Gave up", "2024-01-01 10:02")]
    mapping = mapping_from_data({
        "journey": "support", "title": "Support as lived",
        "entries": ["Menu"], "resolutions": ["Fixed"], "abandons": ["Gave*"],
        "shields": {"Menu": "ivr"},
        "owners": {"Menu": "front", "Desk": "front", "Expert": "experts"},
        "handoffs": [{"from": "experts", "to": "front", "handoff": "cold"}],
        "steps": {"Desk": "first-line"}})
    document, _notes, journey = discovered(tmp_path, rows, mapping)
    assert document["journey"] == "support" and document["title"] == "Support as lived"
    steps = document["steps"]
    assert steps["menu"]["shield"] == "ivr" and steps["menu"]["owner"] == "front"
    assert steps["gave-up"]["kind"] == "abandon" and steps["fixed"]["kind"] == "resolution"
    desk = {t["to"]: t for t in steps["first-line"]["next"]}
    assert desk["expert"]["handoff"] == "warm"
    assert "handoff" not in desk["fixed"]
    assert steps["expert"]["next"] == [{"to": "first-line", "p": 1.0, "handoff": "cold"}]
    codes = {f.rule for f in audit_journey(journey).findings}
    assert {"CX303", "CX301"} <= codes   # bounced between teams, and told the story again


def test_owners_from_the_resource_column(tmp_path: Path) -> None:
    rows = [("a", "Desk", "2024-01-01 10:00", "ann"), ("a", "Lab", "2024-01-01 10:05", "bob"),
            ("b", "Desk", "2024-01-01 10:00", "cy"), ("b", "Lab", "2024-01-01 10:05", "bob"),
            ("c", "Desk", "2024-01-01 10:00", "ann")]
    document, _notes, _journey = discovered(
        tmp_path, rows, header=("case", "activity", "time", "who"),
        columns=LogColumns("case", "activity", "time", "who"))
    assert document["steps"]["desk"]["owner"] == "ann"
    assert document["steps"]["lab"]["owner"] == "bob"
    assert document["steps"]["desk"]["next"][0]["handoff"] == "warm"


def test_default_entries_leave_out_rare_first_activities(tmp_path: Path) -> None:
    rows = [(f"c{i}", "Call", "2024-01-01 10:00") for i in range(200)]
    rows += [(f"c{i}", "Done", "2024-01-01 10:05") for i in range(200)]
    rows += [("odd", "Done", "2024-01-01 09:00"), ("odd2", "Middle", "2024-01-01 09:00"),
             ("odd2", "Done", "2024-01-01 09:10")]
    rows.sort(key=lambda r: r[0])
    document, notes, _journey = discovered(tmp_path, rows)
    kinds = {s: v.get("kind") for s, v in document["steps"].items()}
    assert kinds == {"call": "entry", "start": "entry", "middle": None, "done": "resolution"}
    start = document["steps"]["start"]
    assert start["silent"] is True and start["share"] == 0.0099  # 2 of 202 cases
    assert start["next"] == [{"to": "middle", "p": 0.5}, {"to": "done", "p": 0.5}]
    assert document["steps"]["call"]["share"] == 0.9901
    assert any("2 cases start at an activity that is not an entry: they enter through the "
               "silent step 'start'" in n for n in notes)


def test_ignored_activities_are_left_out(tmp_path: Path) -> None:
    document, notes, _journey = discovered(tmp_path, mapping=mapping_from_data({"ignore": ["B*"]}))
    assert "back" not in document["steps"]
    assert any("Left out: 1 event of 1 ignored activity" in n for n in notes)


def test_an_empty_log_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(EventLogError, match="no events"):
        discover(write_log(tmp_path, []), COLUMNS)


def test_apportion_sums_to_one_exactly() -> None:
    for counts in ([1, 1, 1], [2, 1], [1, 99999], [7, 3, 1, 1, 1, 0], [5], [1] * 7,
                   [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]):
        shares = apportion(counts)
        units = [round(s * 1_000_000) for s in shares]
        assert sum(units) == 1_000_000
        assert all(s > 0 for s, c in zip(shares, counts, strict=True) if c > 0)
        assert all(s == 0 for s, c in zip(shares, counts, strict=True) if c == 0)
    assert apportion([2, 1]) == [0.6667, 0.3333]
    assert apportion([1, 1, 1]) == [0.3334, 0.3333, 0.3333]
    assert apportion([1, 2_000_000]) == [1e-06, 0.999999]


def test_names_and_durations() -> None:
    assert slugify("Accepted-Wait - User") == "accepted-wait-user"
    assert slugify("Queued-Awaiting Assignment-L2/L3") == "queued-awaiting-assignment-l2-l3"
    assert [yaml_duration(m) for m in (0, 0.25, 59.99, 61, 1500, 43200.6)] == [
        "0s", "15s", "60m", "1.02h", "25h", "30d"]


def test_mapping_files_yaml_and_toml(tmp_path: Path) -> None:
    yaml_file = tmp_path / "map.yaml"
    yaml_file.write_text("resolutions: [Closed]\nrepeats: merge\n"
                         "columns: {case: Case ID, activity: Activity}\n"
                         "handoffs:\n  - {from: L1, to: L2, handoff: cold}\n", encoding="utf-8")
    mapping = load_mapping(yaml_file)
    assert mapping.resolutions == ("Closed",) and mapping.merge_repeats
    assert mapping.columns == LogColumns("Case ID", "Activity")
    assert mapping.handoff("L1", "L2") == "cold" and mapping.handoff("L2", "L1") == "warm"
    assert mapping.handoff("L1", "L1") is None and mapping.handoff(None, "L1") is None
    toml_file = tmp_path / "map.toml"
    toml_file.write_text('resolutions = ["Closed"]\n[owners]\n"Take in charge" = "desk"\n',
                         encoding="utf-8")
    assert load_mapping(toml_file).owner_of("Take in charge") == "desk"


def test_mapping_problems_have_positions(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("resolutions: [Closed]\nentires: [Open]\nrepeats: twice\n"
                   "abandons: [Closed]\nsteps: {Open: Not A Slug}\n", encoding="utf-8")
    with pytest.raises(MappingError) as caught:
        load_mapping(bad)
    found = {(p.line, p.message) for p in caught.value.problems}
    assert any(line == 2 and "unknown mapping key 'entires' (did you mean 'entries'?)" in m
               for line, m in found)
    assert any(line == 3 and "'repeats' must be 'loop' or 'merge'" in m for line, m in found)
    assert any(line == 4 and "in both 'resolutions' and 'abandons'" in m for line, m in found)
    assert any(line == 5 and "slugs" in m for line, m in found)
    duplicate = tmp_path / "dup.yaml"
    duplicate.write_text("resolutions: [A]\nresolutions: [B]\n", encoding="utf-8")
    with pytest.raises(MappingError, match="duplicate"):
        load_mapping(duplicate)
    with pytest.raises(MappingError, match="cannot read"):
        load_mapping(tmp_path / "absent.yaml")


def test_an_activity_whose_name_says_the_case_failed_is_never_the_resolution(
        tmp_path: Path) -> None:
    """Most tickets end "nicht lösbar" (not solvable): that is an abandon, and the
    resolution is the activity most of the other cases end with."""
    rows = ["case,activity,time"]
    for case in range(10):
        last = "Ticket nicht lösbar" if case < 6 else "Ticket gelöst"
        rows += [f"{case},Anruf,2024-01-01T10:00", f"{case},{last},2024-01-01T10:05"]
    log = tmp_path / "tickets.csv"
    log.write_text("\n".join(rows) + "\n", encoding="utf-8")
    document, _ = discover(log)
    kinds = {step: body.get("kind") for step, body in document["steps"].items()}
    assert kinds["ticket-gelost"] == "resolution"
    assert kinds["ticket-nicht-losbar"] == "abandon"


def test_a_discovered_journey_of_a_packed_xes_log_is_named_without_its_suffixes(
        tmp_path: Path) -> None:
    """``support.xes.gz`` gives the journey ``support``, and the header says what a wait
    is when start and complete events split it from the service time."""
    import gzip

    from cx_audit.eventlog.reader import scan_log

    events = "".join(
        f'<event><string key="concept:name" value="{name}"/>'
        f'<date key="time:timestamp" value="2024-01-01T10:{minute:02d}:00+00:00"/>'
        f'<string key="lifecycle:transition" value="{phase}"/></event>'
        for minute, (name, phase) in enumerate([("Call", "start"), ("Call", "complete"),
                                                ("Fix", "start"), ("Fix", "complete")]))
    xes = f'<?xml version="1.0"?><log><trace><string key="concept:name" value="c1"/>{events}'
    packed = tmp_path / "support.xes.gz"
    packed.write_bytes(gzip.compress((xes + "</trace></log>").encode()))
    document, notes = build_journey(scan_log(packed))
    assert document["journey"] == "support"
    assert "wait: median time from the previous completion to the step's start" in (
        dump_journey(document, notes))
    plain, plain_notes = build_journey(scan_log(write_log(tmp_path, SUPPORT_ROWS)))
    assert "wait: median time since the previous event" in dump_journey(plain, plain_notes)


def test_a_confirmed_cancellation_can_be_the_resolution(tmp_path: Path) -> None:
    """In a cancellation journey the cancellation confirmed is what customers came for:
    only words of refusal or failure keep an activity from being the resolution."""
    rows = ["case,activity,time"]
    for case in range(8):
        last = "Cancellation confirmed" if case < 6 else "Offer accepted"
        rows += [f"{case},Cancellation request,2024-01-01T10:00",
                 f"{case},Retention offer,2024-01-01T10:05", f"{case},{last},2024-01-01T10:09"]
    log = tmp_path / "cancel.csv"
    log.write_text("\n".join(rows) + "\n", encoding="utf-8")
    document, _ = discover(log)
    steps = document["steps"]
    assert steps["cancellation-confirmed"]["kind"] == "resolution"
    assert steps["cancellation-request"]["kind"] == "entry"
