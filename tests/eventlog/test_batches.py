"""Reading a batch of rows at a time must not show: any batch size gives the same tallies."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from cx_audit.core.errors import MappingError
from cx_audit.eventlog import reader
from cx_audit.eventlog.discover import discover
from cx_audit.eventlog.mapping import load_mapping
from cx_audit.eventlog.reader import LogColumns, scan_log

from .helpers import same_tallies, write_log
from .test_formats import xes_text

HEADER = ("case", "activity", "time", "transition", "who")
COLUMNS = LogColumns("case", "activity", "time", "who", "transition")


def _rows(seed: int) -> list[tuple[str, ...]]:
    """Cases with starts, completions, other transitions, repeats, rows out of order,
    cases split into two runs, a quoted line break, and some bad rows."""
    rng = random.Random(seed)
    rows: list[tuple[str, ...]] = []
    for case in range(40):
        clock = 1_700_000_000 + case * 50_000
        for _ in range(rng.randrange(1, 9) if case != 5 else 6):
            activity = rng.choice(["Call", "Fix", "Fix", "Wait\nlong", "Done"])
            for transition in rng.choice([("complete",), ("start", "complete"),
                                          ("start", "suspend", "complete"), ("",)]):
                stamp = f"2024-01-{1 + clock // 86400 % 28:02d}T{clock % 86400 // 3600:02d}:" \
                        f"{clock % 3600 // 60:02d}:{clock % 60:02d}"
                rows.append((f"c{case}", activity, stamp, transition,
                             rng.choice(["", "ann", "bob"])))
                clock += rng.choice([0, 30, 600])
    for i in range(3, len(rows) - 1, 11):  # out of order within a case
        if rows[i][0] == rows[i + 1][0]:
            rows[i], rows[i + 1] = rows[i + 1], rows[i]
    rows[7] = (*rows[7][:2], "not a time", *rows[7][3:])
    rows[20] = (rows[20][0], "", *rows[20][2:])
    moved = [row for row in rows if row[0] == "c5"]  # c5 later continues as a second run
    keep = [row for row in rows if row[0] != "c5"]
    half = len(moved) // 2
    return moved[:half] + keep + moved[half:]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_any_batch_size_reads_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       seed: int) -> None:
    log = write_log(tmp_path, _rows(seed), header=HEADER)
    whole = scan_log(log, COLUMNS, max_bad_rows=1000)
    merged = scan_log(log, COLUMNS, merge_repeats=True, max_bad_rows=1000)
    for size in (1, 2, 3, 7):
        monkeypatch.setattr(reader, "_BATCH", size)
        again = scan_log(log, COLUMNS, max_bad_rows=1000)
        same_tallies(whole, again)
        same_tallies(merged, scan_log(log, COLUMNS, merge_repeats=True, max_bad_rows=1000))
        assert again.bad_rows == whole.bad_rows and again.bad_row_count == whole.bad_row_count
        assert (again.split_runs, again.reordered_cases, again.transitions, again.open_starts) \
            == (whole.split_runs, whole.reordered_cases, whole.transitions, whole.open_starts)
        assert {n: s.resources for n, s in again.labels.items()} \
            == {n: s.resources for n, s in whole.labels.items()}
    assert whole.split_runs >= 1 and whole.reordered_cases >= 1 and whole.transitions
    lines = [problem.line for problem in whole.bad_rows]
    assert lines == sorted(lines) and len(lines) == whole.bad_row_count


def test_xes_batches_fold_like_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [row for row in _rows(4) if row[2] != "not a time" and row[1]
            and "\n" not in row[1] and row[0] != "c5"]
    xes = tmp_path / "log.xes"
    xes.write_text(xes_text(rows), encoding="utf-8")
    whole = scan_log(xes)
    monkeypatch.setattr(reader, "_BATCH", 2)
    same_tallies(whole, scan_log(xes))
    assert whole.cases == len({row[0] for row in rows})


def test_every_events_resource_counts(tmp_path: Path) -> None:
    rows = [("1", "Fix", "2024-01-01T10:00:00", ""), ("1", "Fix", "2024-01-01T10:01:00", "bob"),
            ("1", "Fix", "2024-01-01T10:02:00", "")]
    log = write_log(tmp_path, rows, header=("case", "activity", "time", "who"))
    stats = scan_log(log, LogColumns("case", "activity", "time", "who"))
    assert stats.labels["Fix"].resources == {"bob": 1}


def test_the_mapping_names_the_lifecycle_column(tmp_path: Path) -> None:
    rows = [("1", "Call", "2024-01-01T10:00:00", "complete"),
            ("1", "Fix", "2024-01-01T10:05:00", "start"),
            ("1", "Fix", "2024-01-01T10:17:00", "complete"),
            ("2", "Call", "2024-01-01T11:00:00", "complete"),
            ("2", "Fix", "2024-01-01T11:10:00", "start"),
            ("2", "Fix", "2024-01-01T11:30:00", "complete")]
    log = write_log(tmp_path, rows, header=("case", "activity", "time", "Phase"))
    plan = tmp_path / "map.yaml"
    plan.write_text("columns: {lifecycle: Phase}\n", encoding="utf-8")
    mapping = load_mapping(plan)
    assert mapping.columns == LogColumns(lifecycle="Phase")
    document, notes = discover(log, mapping=mapping)
    fix = document["steps"]["fix"]
    # service 12 and 20 minutes: median 16; the waits run to the starts: 5 and 10 minutes
    assert "median service 16 min from start to complete (2 events)" in fix["evidence"]
    assert fix["wait"] == "7.5m" and "lifecycle = 'Phase'" in notes[1]
    unnamed, _ = discover(log)  # "Phase" is not a usual name: every row is a step
    assert not any("service" in line for line in unnamed["steps"]["fix"]["evidence"])
    assert {"to": "fix", "p": 0.5} in unnamed["steps"]["fix"]["next"]


def test_the_mapping_lists_the_column_roles(tmp_path: Path) -> None:
    plan = tmp_path / "map.yaml"
    plan.write_text("columns: {phase: Phase}\n", encoding="utf-8")
    with pytest.raises(MappingError, match="resource, lifecycle"):
        load_mapping(plan)
