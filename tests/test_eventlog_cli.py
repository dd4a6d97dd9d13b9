"""``cx-audit discover`` and ``cx-audit conform`` through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import PINNED_ARGS
from typer.testing import CliRunner

from cx_audit.cli import app
from cx_audit.io.loader import load_journey

runner = CliRunner()

LOG = """case,activity,time,team
1,Call,2024-01-01 09:00,care
1,Agent,2024-01-01 09:05,care
1,Solved,2024-01-01 09:20,care
2,Call,2024-01-01 10:00,care
2,Agent,2024-01-01 10:02,care
2,Billing,2024-01-01 11:00,billing
2,Agent,2024-01-01 12:00,care
2,Solved,2024-01-01 12:10,care
3,Call,2024-01-02 10:00,care
3,Agent,2024-01-02 10:09,care
"""

DESIGN = """journey: design
owner: care
steps:
  call: {kind: entry, label: Call, next: [agent]}
  agent: {label: Agent, actor: frontline, next: [solved]}
  solved: {kind: resolution, label: Solved}
"""


def files(tmp_path: Path) -> tuple[Path, Path]:
    log, design = tmp_path / "log.csv", tmp_path / "design.yaml"
    log.write_text(LOG)
    design.write_text(DESIGN)
    return log, design


def test_discover_writes_an_auditable_journey(tmp_path: Path) -> None:
    log, _ = files(tmp_path)
    target = tmp_path / "found.yaml"
    result = runner.invoke(app, ["discover", str(log), "--resource", "team", "-o", str(target)])
    assert result.exit_code == 0, result.output
    journey = load_journey(target)
    agent = journey.steps["agent"]
    # Agent is left 3 times: to Solved twice, to Billing once; one case ends there (abandon)
    assert {t.target: t.probability for t in agent.next} == {"solved": 0.6667, "billing": 0.3333}
    assert agent.abandon == 0.25 and journey.steps["billing"].owner == "billing"
    again = runner.invoke(app, ["discover", str(log), "-o", str(target)])
    assert again.exit_code == 2 and "already exists" in again.output
    assert runner.invoke(app, ["audit", str(target)]).exit_code in (0, 1)


def test_discover_bad_log_is_exit_2_with_a_position(tmp_path: Path) -> None:
    log = tmp_path / "bad.csv"
    log.write_text("case,activity,time\n1,Call,not a time\n")
    result = runner.invoke(app, ["discover", str(log)])
    assert result.exit_code == 2 and f"{log}:2:" in result.output
    missing = runner.invoke(app, ["discover", str(log), "--case", "ticket"])
    assert missing.exit_code == 2 and "ticket" in missing.output


def test_conform_reports_what_the_map_lacks(tmp_path: Path) -> None:
    log, design = files(tmp_path)
    # the pinned rules and every conformance rule: a design or CX9 rule added later is not run
    selection = ("--select", f"{PINNED_ARGS[1]},CX6")
    result = runner.invoke(app, ["conform", str(design), str(log), "-f", "json", *selection])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    rules = {f["rule"] for f in report["journeys"][0]["findings"]}
    assert "CX606" in rules  # the Billing activity has no step in the map
    strict = runner.invoke(app, ["conform", str(design), str(log), "--fail-on", "warning",
                                 *selection])
    assert strict.exit_code == 1


def test_conform_takes_the_selection_options(tmp_path: Path) -> None:
    log, design = files(tmp_path)

    def rules(*args: str) -> dict[str, str]:
        result = runner.invoke(app, ["conform", str(design), str(log), "-f", "json", *args])
        assert result.exit_code in (0, 1), result.output
        findings = json.loads(result.stdout)["journeys"][0]["findings"]
        return {f["rule"]: f["severity"] for f in findings}

    everything = rules()
    assert "CX606" in everything and len(everything) > 1
    assert rules("--ignore", "CX606") == {c: s for c, s in everything.items() if c != "CX606"}
    assert rules("--select", "conform-unmodelled-activity", "--severity", "CX606=error") == {
        "CX606": "error"}


def test_conform_with_a_bad_journey_is_exit_2(tmp_path: Path) -> None:
    log, design = files(tmp_path)
    design.write_text("journey: [\n")
    result = runner.invoke(app, ["conform", str(design), str(log)])
    assert result.exit_code == 2


def test_discover_and_conform_take_the_reading_options(tmp_path: Path) -> None:
    log = tmp_path / "semi.csv"
    log.write_text("case;activity;when;phase\n"
                   "1;Call;01/02/2024 10:00;complete\n"
                   "1;Fix;01/02/2024 10:20;start\n"
                   "1;Fix;01/02/2024 10:50;complete\n", encoding="utf-8")
    code, out = _cli("discover", str(log), "--timestamp", "when")
    assert code == 2 and "day-first or month-first" in out and ":2:3:" in out
    code, out = _cli("discover", str(log), "--timestamp", "when", "--timestamp-format",
                     "%d/%m/%Y %H:%M", "--lifecycle-column", "phase")
    assert code == 0, out
    assert 'wait: "20m"' in out and "fix-fix" not in out  # start splits wait from service
    code, everything = _cli("discover", str(log), "--timestamp", "when", "--timestamp-format",
                            "%d/%m/%Y %H:%M", "--lifecycle-column", "phase", "--lifecycle", "all")
    assert code == 0 and "- to: fix\n" in everything and "3 events" in everything
    code, out = _cli("discover", str(log), "--delimiter", "tab")
    assert code == 2 and "no case column" in out
    code, out = _cli("discover", str(log), "--delimiter", ";;")
    assert code == 2 and "--delimiter must be one character" in out
    journey = tmp_path / "j.yaml"
    code, out = _cli("discover", str(log), "--timestamp", "when", "--timestamp-format",
                     "%d/%m/%Y %H:%M", "--lifecycle-column", "phase", "-o", str(journey))
    assert code == 0, out
    code, out = _cli("conform", str(journey), str(log), "--timestamp", "when",
                     "--timestamp-format", "%d/%m/%Y %H:%M", "--lifecycle-column", "phase")
    assert code == 0, out
    assert "2 events of 1 cases matched 2 steps" in out


def _cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, *PINNED_ARGS] if args[0] == "conform" else list(args))
    return result.exit_code, result.output


def test_a_discovered_journey_conforms_to_its_own_log_through_the_cli(tmp_path: Path) -> None:
    """Reopened resolutions and a start under the 1% floor: the generated steps are silent."""
    rows = ["case,activity,time"]
    for case in range(150):
        first = "Chat" if case == 0 else "Call"
        tail = ["Agent", "Solved", "Reopened", "Solved"] if case % 3 == 0 else ["Agent", "Solved"]
        rows += [f"{case},{activity},2024-01-01 10:{minute:02d}"
                 for minute, activity in enumerate([first, *tail])]
    log, found = tmp_path / "log.csv", tmp_path / "found.yaml"
    log.write_text("\n".join(rows) + "\n")
    assert runner.invoke(app, ["discover", str(log), "-o", str(found)]).exit_code == 0
    text = found.read_text()
    assert "solved-end:" in text and "silent: true" in text and "  start:" in text
    result = runner.invoke(app, ["conform", str(found), str(log), "-f", "json",
                                 "--fail-on", "info"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["summary"]["findings"] == 0
