"""Event logs the conformance tests write: one case a trace, one event a minute."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path


def write_traces(path: Path, traces: Sequence[Sequence[str]]) -> Path:
    """Write ``traces`` as a CSV log (``case``, ``activity``, ``time``): case ``c<number>``."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["case", "activity", "time"])
        for number, trace in enumerate(traces):
            for minute, activity in enumerate(trace):
                writer.writerow([f"c{number}", activity,
                                 f"2024-01-{1 + number % 28:02d}T{minute // 60:02d}:"
                                 f"{minute % 60:02d}:{number % 60:02d}"])
    return path
