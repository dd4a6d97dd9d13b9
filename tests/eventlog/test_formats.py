"""Logs as process miners have them: XES (plain and gzipped), lifecycles, dialects, timestamps."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cx_audit.core.errors import EventLogError
from cx_audit.eventlog.reader import LogColumns, LogFormat, scan_log, sniff_delimiter

from .helpers import SUPPORT_ROWS, same_tallies, write_log

COLUMNS = LogColumns("case", "activity", "time")

# (case, activity, time, transition, resource): each case starts and completes two steps
LIFECYCLE_ROWS = [
    ("c1", "Call", "2024-01-01T10:00:00+01:00", "start", "ann"),
    ("c1", "Call", "2024-01-01T10:05:00+01:00", "complete", "ann"),
    ("c1", "Fix", "2024-01-01T10:20:00+01:00", "start", "bob"),
    ("c1", "Fix", "2024-01-01T10:50:00+01:00", "complete", "bob"),
    ("c2", "Call", "2024-01-01T11:00:00+01:00", "start", "ann"),
    ("c2", "Call", "2024-01-01T11:03:00+01:00", "complete", "ann"),
    ("c2", "Fix", "2024-01-01T11:13:00+01:00", "schedule", "bob"),
    ("c2", "Fix", "2024-01-01T11:23:00+01:00", "start", "bob"),
    ("c2", "Fix", "2024-01-01T11:33:00+01:00", "complete", "bob"),
]


def xes_text(rows, *, lifecycle: bool = True, case_attributes: str = "") -> str:
    """An XES document of ``rows`` (grouped by case, in order)."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<log xes.version="1.0" xmlns="http://www.xes-standard.org/">',
           '<global scope="event"><string key="concept:name" value="__INVALID__"/></global>',
           '<classifier name="Activity" keys="concept:name"/>']
    cases: dict[str, list] = {}
    for row in rows:
        cases.setdefault(row[0], []).append(row)
    for case, events in cases.items():
        out.append(f'<trace><string key="concept:name" value="{case}"/>{case_attributes}')
        for _case, activity, when, transition, resource in events:
            life = (f'<string key="lifecycle:transition" value="{transition}"/>'
                    if lifecycle else "")
            out.append(f'<event><string key="concept:name" value="{activity}">'
                       f'<string key="meta" value="nested, ignored"/></string>'
                       f'<date key="time:timestamp" value="{when}"/>{life}'
                       f'<string key="org:resource" value="{resource}"/></event>')
        out.append("</trace>")
    out.append("</log>")
    return "\n".join(out)


def test_xes_reads_like_the_same_log_as_csv(tmp_path: Path) -> None:
    rows = [(c, a, t.replace(" ", "T"), "complete", "r") for c, a, t in SUPPORT_ROWS]
    xes = tmp_path / "support.xes"
    xes.write_text(xes_text(rows), encoding="utf-8")
    from_xes = scan_log(xes)
    from_csv = scan_log(write_log(tmp_path, SUPPORT_ROWS), COLUMNS)
    same_tallies(from_csv, from_xes)
    assert from_xes.format == "xes" and from_xes.columns["case"].name == "case:concept:name"
    assert from_xes.labels["Agent"].resources == {"r": 4}


def test_gzip_and_the_content_decide_the_format_not_the_name(tmp_path: Path) -> None:
    packed = tmp_path / "log.xes.gz"
    packed.write_bytes(gzip.compress(xes_text(LIFECYCLE_ROWS).encode()))
    misnamed = tmp_path / "really-xes.csv"
    misnamed.write_text(xes_text(LIFECYCLE_ROWS), encoding="utf-8")
    csv_gz = tmp_path / "log.xes"  # a gzipped CSV, named as if XES
    csv_gz.write_bytes(gzip.compress(write_log(tmp_path, SUPPORT_ROWS).read_bytes()))
    assert scan_log(packed).format == scan_log(misnamed).format == "xes"
    same_tallies(scan_log(packed), scan_log(misnamed))
    assert scan_log(csv_gz, COLUMNS).format == "csv"
    same_tallies(scan_log(csv_gz, COLUMNS), scan_log(write_log(tmp_path, SUPPORT_ROWS), COLUMNS))


def test_lifecycle_splits_wait_from_service(tmp_path: Path) -> None:
    xes = tmp_path / "life.xes"
    xes.write_text(xes_text(LIFECYCLE_ROWS), encoding="utf-8")
    header = ("case", "activity", "time", "lifecycle:transition", "resource")
    from_csv = scan_log(write_log(tmp_path, LIFECYCLE_ROWS, header=header), COLUMNS)
    for stats in (scan_log(xes), from_csv):
        call, fix = stats.labels["Call"], stats.labels["Fix"]
        assert stats.pairs == {("Call", "Fix"): 2} and stats.events == 4
        # waits from Call's completion to Fix's start: 15 and 20 min; service 30 and 10 min
        assert fix.wait == pytest.approx(17.5) and fix.service == pytest.approx(20.0)
        assert call.service == pytest.approx(4.0) and call.wait is None
        assert stats.transitions == {"schedule": 1} and stats.open_starts == 0
    everything = scan_log(xes, log_format=LogFormat(lifecycle="all"))
    assert everything.events == 9 and everything.pairs[("Call", "Call")] == 2
    assert everything.labels["Fix"].service is None


def test_complete_only_logs_read_as_before(tmp_path: Path) -> None:
    rows = [(c, a, t, "complete", "r") for c, a, t in SUPPORT_ROWS]
    header = ("case", "activity", "time", "transition", "resource")
    with_column = scan_log(write_log(tmp_path, rows, header=header), COLUMNS)
    assert with_column.columns["lifecycle"].name == "transition"
    plain = scan_log(write_log(tmp_path, SUPPORT_ROWS, name="plain.csv"), COLUMNS)
    same_tallies(plain, with_column)


def test_a_start_never_completed_is_counted(tmp_path: Path) -> None:
    rows = [("a", "X", "2024-01-01 10:00", "complete"), ("a", "Y", "2024-01-01 10:01", "start")]
    stats = scan_log(write_log(tmp_path, rows, header=("case", "activity", "time", "event_type")),
                     COLUMNS)
    assert stats.open_starts == 1 and stats.events == 1


def test_explicit_lifecycle_column_and_a_missing_one(tmp_path: Path) -> None:
    rows = [("a", "X", "2024-01-01 10:00", "start"), ("a", "X", "2024-01-01 10:04", "complete")]
    path = write_log(tmp_path, rows, header=("case", "activity", "time", "phase"))
    assert scan_log(path, COLUMNS).events == 2  # 'phase' is not a guessed name
    told = scan_log(path, LogColumns("case", "activity", "time", lifecycle="phase"))
    assert told.events == 1 and told.labels["X"].service == pytest.approx(4.0)
    with pytest.raises(EventLogError, match="no lifecycle column 'stage'"):
        scan_log(path, LogColumns("case", "activity", "time", lifecycle="stage"))


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_delimiters_are_sniffed_and_can_be_told(tmp_path: Path, delimiter: str) -> None:
    text = "\n".join(delimiter.join(row) for row in [("case", "activity", "time"),
                                                      *SUPPORT_ROWS]) + "\n"
    path = tmp_path / "log.txt"
    path.write_text(text.replace("Agent", '"Agent, desk"'), encoding="utf-8")
    stats = scan_log(path, COLUMNS)
    assert stats.delimiter == delimiter and "Agent, desk" in stats.labels
    assert scan_log(path, COLUMNS, log_format=LogFormat(delimiter=delimiter)).cases == 4
    with pytest.raises(EventLogError, match="no case column"):
        scan_log(path, COLUMNS, log_format=LogFormat(delimiter=","))


def test_sniffing_prefers_the_delimiter_that_splits_rows_like_the_header() -> None:
    assert sniff_delimiter(["a;b,c;d\n", "1;2,3;4\n", "5;6,7;8\n"]) == ";"
    assert sniff_delimiter(["a,b;c\n", "1,x;y\n"]) == ","
    assert sniff_delimiter([]) == ","


def _stamp(*parts: int) -> float:
    return datetime(*parts, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(("first", "second"), [
    ("31.01.2024 10:00", "31.01.2024 10:30"),
    ("31-01-2024 10:00", "01-02-2024 10:30"),
    ("01/31/2024 1:05 PM", "01/31/2024 1:35 PM"),
    ("1706695200", "1706697000"),
    ("1706695200000", "1706697000000"),
])
def test_day_first_month_first_and_epoch_timestamps(tmp_path: Path, first: str,
                                                     second: str) -> None:
    rows = [("a", "X", first), ("a", "Y", second), ("b", "X", first), ("b", "Y", second)]
    stats = scan_log(write_log(tmp_path, rows), COLUMNS)
    expected = 30.0 if second.endswith(("10:30", "35 PM", "7000", "7000000")) else None
    if "01-02" in second:
        expected = 24 * 60 + 30.0
    assert stats.labels["Y"].wait == pytest.approx(expected)
    assert stats.first_time in (_stamp(2024, 1, 31, 10), _stamp(2024, 1, 31, 13, 5))


def test_ambiguous_dates_are_refused_with_an_example_and_read_when_told(tmp_path: Path) -> None:
    rows = [("a", "X", "01/02/2024 10:00"), ("a", "Y", "03/02/2024 10:00")]
    path = write_log(tmp_path, rows)
    with pytest.raises(EventLogError) as caught:
        scan_log(path, COLUMNS)
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (2, 3) and "'01/02/2024 10:00'" in problem.message
    assert "'%d/%m/%Y %H:%M' or '%m/%d/%Y %H:%M'" in problem.message
    day_first = scan_log(path, COLUMNS, log_format=LogFormat(timestamp_format="%d/%m/%Y %H:%M"))
    month_first = scan_log(path, COLUMNS,
                           log_format=LogFormat(timestamp_format="%m/%d/%Y %H:%M"))
    assert day_first.labels["Y"].wait == pytest.approx(2 * 24 * 60)
    assert month_first.labels["Y"].wait == pytest.approx(60 * 24 * 60)  # Jan 2 -> Mar 2


def test_a_deciding_date_settles_the_order_and_a_contrary_one_is_a_bad_row(
        tmp_path: Path) -> None:
    rows = [("a", "X", "01/02/2024 10:00"), ("a", "Y", "13/02/2024 10:00"),
            ("b", "X", "02/13/2024 10:00")]
    with pytest.raises(EventLogError) as caught:
        scan_log(write_log(tmp_path, rows), COLUMNS)
    assert caught.value.problems[0].line == 4  # both orders shown: refused at the contrary one
    settled = scan_log(write_log(tmp_path, rows[:2], name="two.csv"), COLUMNS)
    assert settled.labels["Y"].wait == pytest.approx(12 * 24 * 60)


def test_zoned_and_naive_times_are_not_mixed(tmp_path: Path) -> None:
    rows = [("a", "X", "2024-01-01T10:00:00+02:00"), ("a", "Y", "2024-01-01T10:30:00+02:00"),
            ("b", "X", "2024-01-01T10:00:00")]
    with pytest.raises(EventLogError) as caught:
        scan_log(write_log(tmp_path, rows), COLUMNS, max_bad_rows=10)
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (4, 3) and "mix" in problem.message
    naive_first = [rows[2], rows[0]]
    with pytest.raises(EventLogError, match="has a zone while the log's first one has none"):
        scan_log(write_log(tmp_path, naive_first, name="n.csv"), COLUMNS)


def test_bad_xes_is_located(tmp_path: Path) -> None:
    cases = {
        "dtd.xes": ('<?xml version="1.0"?>\n<!DOCTYPE log [<!ENTITY x "y">]>\n<log/>',
                    (2, 15), "DOCTYPE"),
        "bpmn.xes": ('<?xml version="1.0"?>\n<definitions/>', (2, 1), "not an XES event log"),
        "broken.xes": ('<log>\n<trace><event></trace>', (2, 17), "not well-formed"),
        "empty.xes": ("<log></log>", (1, 1), "holds no trace"),
    }
    for name, (text, where, message) in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        with pytest.raises(EventLogError) as caught:
            scan_log(path)
        problem = caught.value.problems[0]
        assert message in problem.message, name
        assert (problem.line, problem.column) == where, name


def test_xes_events_without_a_timestamp_are_bad_rows_at_their_tag(tmp_path: Path) -> None:
    text = xes_text(LIFECYCLE_ROWS[:2]).replace(
        '<date key="time:timestamp" value="2024-01-01T10:05:00+01:00"/>', "")
    path = tmp_path / "gap.xes"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(EventLogError) as caught:
        scan_log(path)
    (problem,) = caught.value.problems
    assert problem.line == 7 and "no 'time:timestamp'" in problem.message
    assert scan_log(path, max_bad_rows=1).bad_row_count == 1


def test_xes_case_attributes_can_be_columns(tmp_path: Path) -> None:
    path = tmp_path / "attrs.xes"
    path.write_text(xes_text(LIFECYCLE_ROWS, case_attributes='<string key="desk" value="north"/>'),
                    encoding="utf-8")
    stats = scan_log(path, LogColumns(resource="case:desk"))
    assert stats.labels["Fix"].resources == {"north": 2}
    with pytest.raises(EventLogError, match="no activity attribute 'verb'"):
        scan_log(path, LogColumns(activity="verb"))


def test_a_binary_file_is_neither_csv_nor_xes(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(EventLogError, match="neither a CSV nor an XES event log"):
        scan_log(path)
    broken = tmp_path / "broken.gz"
    broken.write_bytes(gzip.compress(b"case,activity,time\n")[:-6])
    with pytest.raises(EventLogError, match="gzip data that cannot be unpacked"):
        scan_log(broken)


def test_bad_row_counts_are_true(tmp_path: Path) -> None:
    rows = [(f"c{i}", a, "2024-01-01 10:00" if a == "X" or i >= 26 else "bad")
            for i in range(40) for a in ("X", "Y")]
    stats = scan_log(write_log(tmp_path, rows), COLUMNS, max_bad_rows=26)
    assert stats.bad_row_count == 26 and stats.events == 80 - 26
