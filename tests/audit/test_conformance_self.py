"""A discovered journey conforms to its own log: no CX6 finding, whatever the log's shape.

The shapes are the ones that used to break it: cases that go on after the
resolution activity (so ``discover`` adds a generated ``<id>-end`` step the
log cannot show), start activities under the 1% entry floor, cases that
start at a resolution, an entry no case leaves, and a mapping whose entries
leave some starts out. The real logs of ``../shared/data/eventlogs`` are
checked too when they are there.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from cx_audit.audit.config import Config
from cx_audit.audit.conformance import conform
from cx_audit.eventlog.discover import ENTRY_FLOOR, discover
from cx_audit.eventlog.mapping import LogMapping, mapping_from_data
from cx_audit.io.loader import load_journey
from cx_audit.io.writer import dump_journey

from .logs import write_traces

SHARED_LOGS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "eventlogs"

# Every rule judges every step, however few cases it has: the strictest self-check.
STRICT = Config(options={"min_departures": 1, "max_drift": 0.0001, "min_wait_samples": 1})


def self_findings(tmp_path: Path, log: Path, mapping: LogMapping | None = None,
                  config: Config = STRICT) -> list[str]:
    document, notes = discover(log, mapping=mapping)
    found = tmp_path / f"{log.stem}.yaml"
    found.write_text(dump_journey(document, notes), encoding="utf-8")
    load_journey(found)  # it is a valid journey
    run = conform(found, log, mapping, config=config).run
    assert not run.problems, run.problems
    return [f"{f.rule} {f.message}" for f in run.findings]


def reopened_and_rare_starts(rng: random.Random, count: int) -> list[list[str]]:
    cases = []
    for number in range(count):
        trace = ["Open"] if number % 150 else [rng.choice(["Phone", "Chat", "Closed"])]
        trace += rng.choice([["Work", "Closed"], ["Work", "Closed", "Reopen", "Work", "Closed"],
                             ["Closed", "Reopen", "Closed"], ["Work"], []])
        cases.append(trace)
    return cases


def test_reopened_resolutions_and_rare_starts(tmp_path: Path) -> None:
    cases = reopened_and_rare_starts(random.Random(1), 3000)
    log = write_traces(tmp_path / "reopened.csv", cases)
    rare = sum(1 for c in cases if c[0] != "Open")
    assert 0 < rare < ENTRY_FLOOR * len(cases)  # under the entry floor
    document, _notes = discover(log)
    steps = document["steps"]
    assert steps["closed-end"]["silent"] is True and steps["start"]["silent"] is True
    assert {n["to"] for n in steps["start"]["next"]} == {"phone", "chat", "closed"}
    assert self_findings(tmp_path, log) == []


def test_an_entry_that_no_case_leaves(tmp_path: Path) -> None:
    log = write_traces(tmp_path / "lone.csv", [["Call", "Done"]] * 40 + [["Visit"]] * 10)
    document, _notes = discover(log)
    assert document["steps"]["visit-end"]["silent"] is True
    assert self_findings(tmp_path, log) == []


def test_entries_named_by_the_mapping(tmp_path: Path) -> None:
    log = write_traces(tmp_path / "named.csv", [["Call", "Agent", "Done"]] * 30
                + [["Web", "Agent", "Done"]] * 20 + [["Agent", "Done"]] * 5)
    mapping = mapping_from_data({"entries": ["Call"], "resolutions": ["Done"]}, "map.yaml")
    assert self_findings(tmp_path, log, mapping) == []


@pytest.mark.parametrize("seed", range(5))
def test_random_logs(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    names = [f"A{i}" for i in range(rng.randint(2, 9))]
    cases = [[rng.choice(names) for _ in range(rng.randint(1, 8))]
             for _ in range(rng.randint(20, 600))]
    assert self_findings(tmp_path, write_traces(tmp_path / "random.csv", cases)) == []


def test_before_the_fix_the_same_journey_would_not_conform(tmp_path: Path) -> None:
    """Without the silent marks the generated steps are findings: the tests above can fail."""
    log = write_traces(tmp_path / "reopened.csv", reopened_and_rare_starts(random.Random(1), 3000))
    document, notes = discover(log)
    for step in document["steps"].values():
        step.pop("silent", None)
    found = tmp_path / "unmarked.yaml"
    found.write_text(dump_journey(document, notes), encoding="utf-8")
    rules = {f.rule for f in conform(found, log, config=STRICT).run.findings}
    assert {"CX602", "CX603"} <= rules


@pytest.mark.skipif(not SHARED_LOGS.is_dir(), reason="the shared event logs are not here")
@pytest.mark.parametrize("name", sorted(p.name for p in SHARED_LOGS.glob("*.csv"))
                         if SHARED_LOGS.is_dir() else [])
def test_every_shared_log_conforms_to_its_discovered_journey(tmp_path: Path, name: str) -> None:
    assert self_findings(tmp_path, SHARED_LOGS / name, config=Config()) == []
