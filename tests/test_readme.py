"""The README's examples are what the tool prints."""

from __future__ import annotations

import re

from conftest import ROOT

from cx_audit.audit.config import Config
from cx_audit.audit.run import run_audit
from cx_audit.renderers import render_audits


def test_the_terminal_excerpt_is_the_airline_journeys_opening_at_80_columns(
        monkeypatch) -> None:  # type: ignore[no-untyped-def]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (excerpt,) = re.findall(r"```\n(journeys/airline-[^\n]*\n.*?)```", readme, re.S)
    monkeypatch.chdir(ROOT)
    run = run_audit(["journeys/airline-rebooking-after-cancellation.yaml"], Config())
    text = render_audits("text", run, color=False, width=80)
    lines = [line.rstrip() for line in text.splitlines()]
    start = lines.index(excerpt.splitlines()[0])
    assert lines[start:start + len(excerpt.splitlines())] == excerpt.splitlines()


def test_the_ci_script_runs_the_quickstarts_test_command_as_written() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quickstart = readme.split("## Quickstart", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    install, test = quickstart.strip().splitlines()
    assert install.endswith("cx-audit audit journeys/") and "venv" in install
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test in ci
def test_the_before_and_after_excerpt_is_what_compare_prints_at_80_columns(
        monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from cx_audit.cli import app

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (excerpt,) = re.findall(r"```\n(Before and after\n.*?)```", readme, re.S)
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(app, ["compare", "journeys/telecom-billing-dispute.yaml",
                                      "journeys/telecom-billing-dispute-redesigned.yaml"],
                                env={"COLUMNS": "80"})
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[:len(excerpt.splitlines())] == excerpt.splitlines()
