"""``cx-audit import`` through the real CLI (the importers themselves: tests/importers)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cx_audit.cli import app
from cx_audit.io.loader import load_journey

runner = CliRunner()

MERMAID = """journey
  title Returning a parcel
  section Online
    Find the returns page: 2: customer
    Print the label: 1: customer, logistics
  section Shop
    Hand in the parcel: 4: customer
"""


def test_import_writes_a_journey_that_loads(tmp_path: Path) -> None:
    source = tmp_path / "returns.mmd"
    source.write_text(MERMAID)
    target = tmp_path / "returns.yaml"
    result = runner.invoke(app, ["import", "mermaid", str(source), "-o", str(target)])
    assert result.exit_code == 0, result.output
    journey = load_journey(target)
    labels = [s.label for s in journey.steps.values()]
    assert labels[:3] == ["Find the returns page", "Print the label", "Hand in the parcel"]
    assert [s.emotion for s in list(journey.steps.values())[:3]] == [-1, -2, 1]  # score - 3
    audit = runner.invoke(app, ["audit", str(target)])
    assert audit.exit_code in (0, 1)


def test_import_never_overwrites_without_force(tmp_path: Path) -> None:
    source = tmp_path / "returns.mmd"
    source.write_text(MERMAID)
    target = tmp_path / "mine.yaml"
    target.write_text("my own journey")
    result = runner.invoke(app, ["import", "mermaid", str(source), "-o", str(target)])
    assert result.exit_code == 2 and "already exists" in result.output
    assert target.read_text() == "my own journey"
    result = runner.invoke(app, ["import", "mermaid", str(source), "-o", str(target), "--force"])
    assert result.exit_code == 0 and target.read_text().startswith("# yaml-language-server")


def test_import_reports_located_problems_and_writes_nothing(tmp_path: Path) -> None:
    source = tmp_path / "bad.mmd"
    source.write_text(MERMAID.replace(": 4:", ": eleven:"))
    target = tmp_path / "out.yaml"
    result = runner.invoke(app, ["import", "mermaid", str(source), "-o", str(target)])
    assert result.exit_code == 2
    assert f"{source}:7:" in result.output and not target.exists()


def test_hostile_xml_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "bomb.bpmn"
    source.write_text('<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY a "aaaa">]>\n'
                      '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">&a;'
                      "</definitions>\n")
    result = runner.invoke(app, ["import", "bpmn", str(source)])
    assert result.exit_code == 2 and f"{source}:" in result.output


def test_bpmn_only_options_are_refused_for_other_formats(tmp_path: Path) -> None:
    source = tmp_path / "returns.mmd"
    source.write_text(MERMAID)
    result = runner.invoke(app, ["import", "mermaid", str(source), "--no-abandon-words"])
    assert result.exit_code == 2
