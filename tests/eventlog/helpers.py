"""Small event logs written by the tests, and where the real ones live."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED_LOGS = ROOT.parent / "shared" / "data" / "eventlogs"
HELPDESK = SHARED_LOGS / "helpdesk_4tu_named.csv"
BPI2013 = SHARED_LOGS / "bpi2013_volvo_incidents_ibm-transformed.csv"

SUPPORT_ROWS = [
    # case, activity, time: hand-worked figures are in the tests
    ("c1", "Call", "2024-01-01T10:00:00"),
    ("c1", "Agent", "2024-01-01T10:04:00"),
    ("c1", "Done", "2024-01-01T10:10:00"),
    ("c2", "Call", "2024-01-01T11:00:00"),
    ("c2", "Agent", "2024-01-01T11:10:00"),
    ("c2", "Back", "2024-01-01T11:20:00"),
    ("c2", "Agent", "2024-01-01T11:22:00"),
    ("c2", "Done", "2024-01-01T11:30:00"),
    ("c3", "Call", "2024-01-01T12:00:00"),
    ("c3", "Agent", "2024-01-01T12:06:00"),
    ("c4", "Call", "2024-01-01T13:00:00"),
]


def write_log(folder: Path, rows, header=("case", "activity", "time"), name="log.csv",
              encoding="utf-8") -> Path:
    """Write ``rows`` as a CSV file (fields joined by commas, quoted when needed)."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    path = folder / name
    path.write_text(buffer.getvalue(), encoding=encoding)
    return path


def need(path: Path) -> Path:
    """The real log, or skip when the shared data is not beside the checkout."""
    if not path.is_file():
        pytest.skip(f"{path} is not available")
    return path


def same_tallies(one, other) -> None:
    """Assert that two :class:`LogStats` count the same pairs, cases, visits and times."""
    assert one.pairs == other.pairs and one.cases == other.cases
    for name, info in one.labels.items():
        seen = other.labels[name]
        assert (seen.visits, seen.cases, seen.starts, seen.ends, seen.wait, seen.revisit_cases,
                seen.service) == (info.visits, info.cases, info.starts, info.ends, info.wait,
                                  info.revisit_cases, info.service)
