"""One streaming pass over a CSV log: columns, order, tallies, waits and bad input."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from cx_audit.core.errors import EventLogError
from cx_audit.eventlog import reader
from cx_audit.eventlog.reader import LogColumns, scan_log

from .helpers import SUPPORT_ROWS, same_tallies, write_log

COLUMNS = LogColumns("case", "activity", "time")


def test_hand_computed_tallies(tmp_path: Path) -> None:
    stats = scan_log(write_log(tmp_path, SUPPORT_ROWS), COLUMNS)
    assert (stats.rows, stats.cases, stats.events) == (11, 4, 11)
    assert list(stats.labels) == ["Call", "Agent", "Done", "Back"]
    call, agent, done, back = (stats.labels[a] for a in ("Call", "Agent", "Done", "Back"))
    assert (call.visits, call.cases, call.starts, call.ends, call.wait) == (4, 4, 4, 1, None)
    # waits into Agent: 4, 10, 2 and 6 minutes -> median 5
    assert (agent.visits, agent.cases, agent.revisit_cases, agent.ends) == (4, 3, 1, 1)
    assert agent.wait == pytest.approx(5.0) and agent.wait_samples == 4
    assert done.wait == pytest.approx(7.0) and done.ends == 2
    assert back.wait == pytest.approx(10.0)
    assert stats.pairs == {("Call", "Agent"): 3, ("Agent", "Done"): 2, ("Agent", "Back"): 1,
                           ("Back", "Agent"): 1}
    assert agent.position == pytest.approx((1 + 1 + 3 + 1) / 4)
    assert (stats.reordered_cases, stats.split_runs, stats.late_rows) == (0, 0, 0)


def test_a_log_sorted_by_time_reads_like_one_grouped_by_case(tmp_path: Path) -> None:
    # every case starts at 10:00 (same gaps as before), so sorting by time interleaves them
    same_start = [(case, activity, "2024-01-01T10" + when[13:]) for case, activity, when
                  in SUPPORT_ROWS]
    by_time = sorted(same_start, key=lambda row: row[2])
    assert [r[0] for r in by_time][:3] == ["c1", "c2", "c3"]
    grouped = scan_log(write_log(tmp_path, same_start), COLUMNS)
    interleaved = scan_log(write_log(tmp_path, by_time, name="time.csv"), COLUMNS)
    same_tallies(grouped, interleaved)
    assert interleaved.split_runs > 0 and interleaved.late_rows == 0


def test_rows_out_of_order_within_a_case_are_sorted(tmp_path: Path) -> None:
    shuffled = []
    for case in ("c4", "c2", "c1", "c3"):
        rows = [r for r in SUPPORT_ROWS if r[0] == case]
        random.Random(case).shuffle(rows)
        shuffled.extend(rows)
    stats = scan_log(write_log(tmp_path, shuffled, name="shuffled.csv"), COLUMNS)
    same_tallies(scan_log(write_log(tmp_path, SUPPORT_ROWS), COLUMNS), stats)
    assert stats.reordered_cases >= 1


def test_an_older_event_after_the_case_moved_on_is_refused_with_a_sort_command(
        tmp_path: Path) -> None:
    import subprocess

    rows = [("a", "X", "2024-01-01 10:00"), ("a", "Z", "2024-01-01 10:10"),
            ("b", "X", "2024-01-01 10:01"), ("a", "Y", "2024-01-01 10:05")]
    path = write_log(tmp_path, rows)
    with pytest.raises(EventLogError) as caught:
        scan_log(path, COLUMNS)
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (5, 3)
    assert "neither grouped by case nor sorted by time" in problem.message
    command = problem.message.split("sort it by case first: ", 1)[1]
    subprocess.run(["bash", "-c", command], check=True)
    fixed = scan_log(tmp_path / "log-by-case.csv", COLUMNS)
    assert fixed.pairs == {("X", "Y"): 1, ("Y", "Z"): 1} and fixed.bad_row_count == 0
    # tolerated, the late run is skipped and counted as what it is: a skipped row
    tolerated = scan_log(path, COLUMNS, max_bad_rows=1)
    assert tolerated.late_rows == 1 and tolerated.bad_row_count == 1
    assert tolerated.pairs == {("X", "Z"): 1} and tolerated.events == 3


def test_interleaved_cases_continue_where_they_stopped(tmp_path: Path) -> None:
    rows = [("a", "X", "2024-01-01 10:00"), ("b", "X", "2024-01-01 10:01"),
            ("a", "Y", "2024-01-01 10:02"), ("b", "Y", "2024-01-01 10:05"),
            ("a", "Z", "2024-01-01 10:06")]
    stats = scan_log(write_log(tmp_path, rows), COLUMNS)
    assert stats.cases == 2 and stats.split_runs == 3
    assert stats.pairs == {("X", "Y"): 2, ("Y", "Z"): 1}
    assert stats.labels["Y"].wait == pytest.approx(3.0)  # 2 and 4 minutes
    assert stats.labels["Z"].ends == 1 and stats.labels["Y"].ends == 1


def test_equal_timestamps_keep_file_order_within_a_case(tmp_path: Path) -> None:
    rows = [("a", "Late", "2024-01-01 10:05"), ("a", "First", "2024-01-01 10:00"),
            ("a", "Second", "2024-01-01 10:00"), ("a", "Third", "2024-01-01 10:00")]
    stats = scan_log(write_log(tmp_path, rows), COLUMNS)
    assert stats.pairs == {("First", "Second"): 1, ("Second", "Third"): 1, ("Third", "Late"): 1}
    assert stats.reordered_cases == 1
    assert stats.labels["First"].starts == 1 and stats.labels["Late"].ends == 1


def test_merge_repeats_makes_one_visit(tmp_path: Path) -> None:
    rows = [("a", "X", "2024-01-01 10:00"), ("a", "Y", "2024-01-01 10:02"),
            ("a", "Y", "2024-01-01 10:03"), ("a", "Z", "2024-01-01 10:10")]
    looped = scan_log(write_log(tmp_path, rows), COLUMNS)
    assert looped.pairs[("Y", "Y")] == 1 and looped.labels["Y"].revisit_cases == 1
    merged = scan_log(write_log(tmp_path, rows), COLUMNS, merge_repeats=True)
    assert ("Y", "Y") not in merged.pairs and merged.labels["Y"].visits == 1
    assert merged.labels["Z"].wait == pytest.approx(7.0)  # from the last Y


def test_label_of_renames_and_leaves_out(tmp_path: Path) -> None:
    stats = scan_log(write_log(tmp_path, SUPPORT_ROWS), COLUMNS,
                     label_of=lambda a: None if a == "Back" else a.lower())
    assert set(stats.labels) == {"call", "agent", "done"}
    assert stats.skipped == {"Back": 1}
    assert stats.pairs[("agent", "agent")] == 1
    assert stats.labels["agent"].wait == pytest.approx(8.0)  # 4, 10, 12, 6


def test_many_waits_are_binned_with_a_close_median(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "EXACT_WAITS", 16)
    rows = []
    for i in range(101):
        rows.append((f"c{i}", "X", "2024-01-01 00:00:00"))
        rows.append((f"c{i}", "Y", f"2024-01-01 00:{i // 60:02d}:{i % 60:02d}"))
    stats = scan_log(write_log(tmp_path, rows), COLUMNS)
    # 101 waits of 0..100 seconds: the median is 50 s; one zero goes to its own bucket
    assert stats.labels["Y"].wait_samples == 101
    assert stats.labels["Y"].wait * 60 == pytest.approx(50.0, rel=0.005)


def test_columns_by_name_case_and_position(tmp_path: Path) -> None:
    header = ("Case ID", "Activity", "Variant", "Variant", "Complete Timestamp")
    rows = [("1", "A", "v1", "w1", "2024-01-01 10:00"), ("1", "B", "v1", "w2", "2024-01-01 10:01")]
    path = write_log(tmp_path, rows, header=header)
    guessed = scan_log(path)
    assert {r: c.name for r, c in guessed.columns.items()} == {
        "case": "Case ID", "activity": "Activity", "timestamp": "Complete Timestamp"}
    second = scan_log(path, LogColumns("case id", "Variant#2", "#5"))
    assert list(second.labels) == ["w1", "w2"]
    assert second.columns["activity"].index == 3
    with pytest.raises(EventLogError) as ambiguous:
        scan_log(path, LogColumns(activity="Variant"))
    assert "'Variant#1' or 'Variant#2'" in str(ambiguous.value)
    assert "columns 3, 4" in str(ambiguous.value)
    with pytest.raises(EventLogError) as missing:
        scan_log(path, LogColumns(activity="Activty", timestamp="#9"))
    text = str(missing.value)
    assert "no activity column 'Activty' (did you mean 'Activity'?)" in text
    assert "'Case ID', 'Activity', 'Variant', 'Variant', 'Complete Timestamp'" in text
    assert "the timestamp column #9 does not exist" in text
    assert all(p.line == 1 for p in missing.value.problems)


def test_nothing_to_guess_names_the_option(tmp_path: Path) -> None:
    path = write_log(tmp_path, [("1", "A", "x")], header=("id", "what", "when"))
    with pytest.raises(EventLogError) as caught:
        scan_log(path)
    assert "no case column given" in str(caught.value) and "--case" in str(caught.value)


def test_byte_order_mark_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfcase,activity,time\r\n1,A,2024-01-01 10:00\r\n\r\n"
                     b"1,B,2024-01-01 10:01\r\n")
    stats = scan_log(path)
    assert stats.columns["case"].name == "case" and stats.pairs == {("A", "B"): 1}


def test_bad_rows_are_reported_at_their_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("case,activity,time\n"
                    "1,A,2024-01-01 10:00\n"
                    "1,B,tomorrow\n"              # line 3: bad timestamp, column 3
                    '1,"multi\nline",2024-01-01 10:02\n'   # lines 4-5: fine
                    ",C,2024-01-01 10:03\n"       # line 6: empty case, column 1
                    "1,D\n"                       # line 7: too short
                    "1,,2024-01-01 10:04\n",      # line 8: empty activity
                    encoding="utf-8")
    with pytest.raises(EventLogError) as caught:
        scan_log(path)
    found = [(p.line, p.column) for p in caught.value.problems]
    assert found == [(3, 3), (6, 1), (7, 3), (8, 2)]
    assert "cannot read the timestamp 'tomorrow'" in caught.value.problems[0].message
    assert "column 'time' (column 3) is missing" in caught.value.problems[2].message
    tolerated = scan_log(path, max_bad_rows=4)
    assert tolerated.bad_row_count == 4 and len(tolerated.bad_rows) == 4
    assert tolerated.pairs == {("A", "multi\nline"): 1}


def test_only_the_first_bad_rows_are_described(tmp_path: Path) -> None:
    rows = [("1", "A", f"bad{i}") for i in range(30)]
    with pytest.raises(EventLogError) as caught:
        scan_log(write_log(tmp_path, rows))
    problems = caught.value.problems
    assert len(problems) == reader.REPORTED_ROWS + 1
    assert "10 more bad rows (30 in all)" in problems[-1].message


def test_unreadable_inputs(tmp_path: Path) -> None:
    with pytest.raises(EventLogError, match="cannot read the log"):
        scan_log(tmp_path / "absent.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(EventLogError, match="no header row"):
        scan_log(empty)
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"case,activity,time\n1,Caf\xe9,2024-01-01 10:00\n")
    with pytest.raises(EventLogError, match="not UTF-8"):
        scan_log(latin)
