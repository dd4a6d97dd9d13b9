"""``cx-audit audit`` through the real CLI: exit codes, formats, config, suppression."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import JOURNEYS, PINNED_ARGS
from typer.testing import CliRunner

from cx_audit.cli import app

runner = CliRunner()

CLEAN = """journey: clean
owner: care
steps:
  call: {kind: entry, channel: phone, next: [agent]}
  agent: {actor: frontline, can_resolve: true, channel: phone, next: [done]}
  done: {kind: resolution}
"""

# one warning (CX502 long wait) and nothing else
WARNING_ONLY = CLEAN.replace("journey: clean", "journey: slow").replace(
    "can_resolve: true,", "can_resolve: true, wait: 10m,")

# an error: CX105 stranded (and with it the journey resolves nobody: CX504)
ERROR = """journey: broken
owner: care
steps:
  call: {kind: entry, next: [agent]}
  agent: {actor: frontline}
  done: {kind: resolution}
"""


def journey_file(tmp_path: Path, text: str, name: str = "j.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def audit(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = runner.invoke(app, ["audit", *args], env=env)
    return result.exit_code, result.output


@pytest.fixture(autouse=True)
def no_user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from an empty folder so the project's own pyproject.toml is not picked up."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)


def test_clean_journey_exits_0(tmp_path: Path) -> None:
    code, out = audit(str(journey_file(tmp_path, CLEAN)), "--color", "never", *PINNED_ARGS)
    assert code == 0, out
    assert "0 findings (0 errors, 0 warnings, 0 info) in 1 journey." in out


def test_warning_exits_0_by_default_and_1_with_fail_on_warning(tmp_path: Path) -> None:
    path = str(journey_file(tmp_path, WARNING_ONLY))
    code, out = audit(path, *PINNED_ARGS)
    assert code == 0 and "CX502" in out
    code, _ = audit(path, "--fail-on", "warning", *PINNED_ARGS)
    assert code == 1
    code, _ = audit(path, "--fail-on", "warning", "--exit-zero", *PINNED_ARGS)
    assert code == 0


def test_error_exits_1(tmp_path: Path) -> None:
    code, out = audit(str(journey_file(tmp_path, ERROR)), "--color", "never")
    assert code == 1
    assert "CX105" in out


def test_bad_input_exits_2_even_with_exit_zero(tmp_path: Path) -> None:
    bad = journey_file(tmp_path, "journey: x\nsteps: [\n", "bad.yaml")
    code, out = audit(str(bad), str(journey_file(tmp_path, CLEAN)), "--exit-zero")
    assert code == 2
    assert f"{bad}:3:1: invalid YAML" in out


def test_bad_usage_and_bad_config_exit_2(tmp_path: Path) -> None:
    path = str(journey_file(tmp_path, CLEAN))
    assert audit(path, "--format", "pdf")[0] == 2
    assert audit(path, "--fail-on", "never")[0] == 2
    config = tmp_path / "bad.toml"
    config.write_text("max_shieldz = 3\n")
    code, out = audit(path, "--config", str(config))
    assert code == 2 and "unknown configuration key 'max_shieldz'" in out


def test_json_output_has_the_documented_shape(tmp_path: Path) -> None:
    code, out = audit(str(journey_file(tmp_path, ERROR)), "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert set(report) == {"version", "journeys", "errors", "summary"}
    (journey,) = report["journeys"]
    assert set(journey) >= {"file", "journey", "metrics", "steps", "findings"}
    assert set(journey["metrics"]) == {
        "steps", "transitions", "paths", "shields_min", "shields_max", "retells_max",
        "p_resolution", "p_abandon", "p_stranded", "p_trapped", "p_first_time",
        "shields_expected", "retells_expected", "handoffs_expected", "wait_expected"}
    assert journey["metrics"]["p_stranded"] == 1.0 and journey["metrics"]["paths"] is None
    assert set(journey["steps"]["agent"]) >= {"visits", "p_reach"}
    finding = next(f for f in journey["findings"] if f["rule"] == "CX105")
    assert set(finding) == {"rule", "name", "severity", "step", "line", "column", "message",
                            "evidence", "impact"}
    assert (finding["name"], finding["severity"], finding["step"], finding["line"],
            finding["column"]) == ("stranded", "error", "agent", 5, 3)
    journey_level = next(f for f in journey["findings"] if f["rule"] == "CX504")
    assert journey_level["step"] is None and journey_level["line"] == 4  # first entry's line
    assert report["summary"]["by_severity"]["error"] >= 2


def test_step_ignore_silences_and_unused_ignore_is_reported(tmp_path: Path) -> None:
    text = WARNING_ONLY.replace(
        "wait: 10m,", "wait: 10m, ignore: {long-wait: 'recorded message', CX301: 'old'},")
    code, out = audit(str(journey_file(tmp_path, text)), "-f", "json", *PINNED_ARGS)
    findings = json.loads(out)["journeys"][0]["findings"]
    assert code == 0
    assert [(f["rule"], f["severity"]) for f in findings] == [("CX901", "info")]
    assert "CX301 (cold-handoff) on step 'agent' silences nothing" in findings[0]["message"]
    # what the ignore silenced is still disclosed, with the reason written beside it
    (silenced,) = json.loads(out)["journeys"][0]["suppressed"]
    assert (silenced["rule"], silenced["step"], silenced["reason"]) == (
        "CX502", "agent", "recorded message")


def test_journey_level_finding_is_silenced_on_the_entry(tmp_path: Path) -> None:
    text = ERROR.replace("{kind: entry,", "{kind: entry, ignore: {CX504: 'pilot only'},")
    code, out = audit(str(journey_file(tmp_path, text)), "-f", "json")
    assert code == 1
    rules = [f["rule"] for f in json.loads(out)["journeys"][0]["findings"]]
    assert "CX504" not in rules and "CX105" in rules


def test_config_file_selects_and_sets_severity(tmp_path: Path) -> None:
    path = str(journey_file(tmp_path, WARNING_ONLY))
    config = tmp_path / "cfg.toml"
    config.write_text('severity = { CX502 = "error" }\n')
    code, out = audit(path, "--config", str(config), "-f", "json", *PINNED_ARGS)
    assert code == 1
    config.write_text('max_wait = "15m"\n')
    code, out = audit(path, "--config", str(config), "-f", "json", *PINNED_ARGS)
    assert code == 0 and json.loads(out)["summary"]["findings"] == 0


def test_config_is_discovered_from_the_working_directory(tmp_path: Path) -> None:
    path = str(journey_file(tmp_path, WARNING_ONLY))
    Path(".cx-audit.toml").write_text('fail-on = "warning"\n')
    assert audit(path)[0] == 1


def test_per_file_ignores(tmp_path: Path) -> None:
    path = journey_file(tmp_path, WARNING_ONLY, "slow.yaml")
    Path(".cx-audit.toml").write_text('per-file-ignores = { "slow.yaml" = ["CX5"] }\n')
    code, out = audit(str(path), "-f", "json", *PINNED_ARGS)
    assert code == 0
    assert json.loads(out)["summary"]["findings"] == 0


def test_output_file_is_written_and_inputs_are_protected(tmp_path: Path) -> None:
    path = journey_file(tmp_path, CLEAN)
    target = tmp_path / "report.json"
    code, out = audit(str(path), "-f", "json", "-o", str(target), *PINNED_ARGS)
    assert code == 0 and out == ""
    assert json.loads(target.read_text())["summary"]["journeys"] == 1
    before = path.read_text()
    code, out = audit(str(path), "-o", str(path))
    assert code == 2 and "is one of the input journeys" in out
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_hostile_labels_print_literally(tmp_path: Path) -> None:
    text = CLEAN.replace("can_resolve: true,", "can_resolve: true, wait: 9m,").replace(
        "journey: clean", 'journey: clean\ntitle: "[red]Title[/red] \\e[31mred\\e[0m"')
    code, out = audit(str(journey_file(tmp_path, text)), "--color", "always")
    assert code == 0
    assert "[red]Title[/red]" in out
    assert "\x1b[31mred" not in out and "\\x1b[31mred" in out


def test_no_color_environment(tmp_path: Path) -> None:
    path = str(journey_file(tmp_path, WARNING_ONLY))
    code, out = audit(path, env={"NO_COLOR": "1", "FORCE_COLOR": ""})
    assert "\x1b[" not in out
    code, out = audit(path, "--color", "always")
    assert code == 0
    assert "\x1b[" in out


def test_example_journeys_audit_without_input_errors() -> None:
    done = subprocess.run([sys.executable, "-m", "cx_audit", "audit", str(JOURNEYS), "-f", "json"],
                          capture_output=True, text=True, check=False,
                          env={**os.environ, "NO_COLOR": "1"})
    assert done.returncode in (0, 1), done.stderr
    report = json.loads(done.stdout)
    assert report["errors"] == [] and report["summary"]["journeys"] >= 6
    by_id = {j["journey"]: j for j in report["journeys"]}
    redesigned = [j for j in by_id if j.endswith("-redesigned")]
    for new_id in redesigned:
        old = by_id[new_id.removesuffix("-redesigned")]["metrics"]
        new = by_id[new_id]["metrics"]
        assert new["shields_expected"] < old["shields_expected"]
        assert new["p_resolution"] > old["p_resolution"]


ROUTES = """journey: routes
steps:
  call: {kind: entry, next: [{to: menu, p: 0.8}, {to: web}]}
  web: {wait: 1m, next: [done]}
  menu:
    shield: ivr
    wait: 2m
    abandon: 0.5
    next: [{to: agent, p: 0.75, handoff: cold}, done]
  agent: {wait: 5m, next: [done]}
  done: {kind: resolution}
"""


def test_paths_lists_the_most_likely_routes_best_first(tmp_path: Path) -> None:
    path = journey_file(tmp_path, ROUTES)
    result = runner.invoke(app, ["paths", str(path), "--top", "2", "-f", "json"])
    assert result.exit_code == 0
    routes = json.loads(result.output)["routes"]
    # call -> menu -> agent -> done: 0.8 x (1 - 0.5) x 0.75 = 0.3, 1 shield, 2 + 5 minutes, 1 retell
    # call -> web -> done: 0.2; call -> menu -> done: 0.8 x 0.5 x 0.25 = 0.1 (third, cut by --top)
    assert [r["steps"] for r in routes] == [
        ["call", "menu", "agent", "done"], ["call", "web", "done"]]
    assert routes[0]["probability"] == pytest.approx(0.3)
    assert (routes[0]["shields"], routes[0]["wait"], routes[0]["retells"]) == (1, 7.0, 1)
    assert routes[1]["probability"] == pytest.approx(0.2)
    text = runner.invoke(app, ["paths", str(path)]).output
    assert "30%" in text and "call -> menu -> agent -> done" in text


def test_paths_on_a_bad_file_is_exit_2(tmp_path: Path) -> None:
    path = journey_file(tmp_path, "journey: x\n")
    result = runner.invoke(app, ["paths", str(path)])
    assert result.exit_code == 2 and "missing required key 'steps'" in result.output


def test_report_command_writes_markdown_atomically(tmp_path: Path) -> None:
    journey = journey_file(tmp_path, WARNING_ONLY)
    target = tmp_path / "report.md"
    target.write_text("old report")
    result = runner.invoke(app, ["report", str(journey), "-o", str(target), "--title", "Q3 audit"])
    assert result.exit_code == 0, result.output
    text = target.read_text()
    assert text.startswith("# Q3 audit") and "```mermaid" in text and "CX502" in text
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []
    refused = runner.invoke(app, ["report", str(journey), "-o", str(journey)])
    assert refused.exit_code == 2 and "cannot tell the report format" in refused.output
    refused = runner.invoke(app, ["report", str(journey), "-o", str(journey), "-f", "markdown"])
    assert refused.exit_code == 2 and "is one of the input journeys" in refused.output
    assert journey.read_text() == WARNING_ONLY
    bad = journey_file(tmp_path, "journey: x\n", "bad.yaml")
    refused = runner.invoke(app, ["report", str(bad), "-o", str(target)])
    assert refused.exit_code == 2 and target.read_text() == text  # nothing half-written


def test_audit_markdown_format(tmp_path: Path) -> None:
    code, out = audit(str(journey_file(tmp_path, WARNING_ONLY)), "-f", "markdown", *PINNED_ARGS)
    assert code == 0 and out.startswith("# ") and "CX502" in out


def test_graph_command(tmp_path: Path) -> None:
    journey = journey_file(tmp_path, ERROR)
    result = runner.invoke(app, ["graph", str(journey)])
    assert result.exit_code == 0 and result.output.startswith("flowchart")
    result = runner.invoke(app, ["graph", str(journey), "-f", "dot"])
    assert result.exit_code == 0 and result.output.startswith("digraph")
    result = runner.invoke(app, ["graph", str(journey_file(tmp_path, "{}", "bad.yaml"))])
    assert result.exit_code == 2


def test_many_files_in_worker_processes_give_the_same_result(tmp_path: Path) -> None:
    from cx_audit.audit.config import Config
    from cx_audit.audit.run import PARALLEL_FROM, run_audit

    texts = [CLEAN, WARNING_ONLY, ERROR]
    for i in range(PARALLEL_FROM + 2):
        text = texts[i % 3].replace("journey: ", f"journey: n{i}-", 1)
        journey_file(tmp_path, text, f"j{i:03}.yaml")
    journey_file(tmp_path, CLEAN.replace("journey: clean", "journey: n0-clean"), "zz-dup.yaml")
    journey_file(tmp_path, "journey: [\n", "zz-bad.yaml")
    one = run_audit([tmp_path], Config(), jobs=1)
    many = run_audit([tmp_path], Config(), jobs=2)
    assert [a.journey.id for a in many.audits] == [a.journey.id for a in one.audits]
    assert many.findings == one.findings and len(one.audits) == PARALLEL_FROM + 2
    assert [str(p) for p in many.problems] == [str(p) for p in one.problems]
    assert any("already used by" in str(p) for p in one.problems)


def test_the_cli_uses_every_core_for_json_only(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """By default JSON audits of many files go to worker processes, with the same report;
    formats that keep whole audits stay in one process, whatever ``--jobs`` says."""
    import cx_audit.audit.run as run_module

    texts = [CLEAN, WARNING_ONLY, ERROR]
    for i in range(run_module.PARALLEL_FROM + 2):
        journey_file(tmp_path, texts[i % 3].replace("journey: ", f"journey: n{i}-", 1),
                     f"j{i:03}.yaml")
    monkeypatch.setattr(run_module, "usable_cores", lambda: 2)
    calls = []
    real = run_module._audit_in_workers
    monkeypatch.setattr(run_module, "_audit_in_workers",
                        lambda *args: calls.append(args) or real(*args))
    parallel = runner.invoke(app, ["audit", str(tmp_path), "-f", "json"])
    assert len(calls) == 1
    serial = runner.invoke(app, ["audit", str(tmp_path), "-f", "json", "-j", "1"])
    assert len(calls) == 1 and parallel.exit_code == serial.exit_code == 1
    assert parallel.stdout == serial.stdout
    sarif = runner.invoke(app, ["audit", str(tmp_path), "-f", "sarif", "-j", "2"])
    assert len(calls) == 1 and sarif.exit_code == 1


def test_json_never_holds_non_finite_numbers(tmp_path: Path) -> None:
    import dataclasses

    from cx_audit.audit.config import Config
    from cx_audit.audit.run import run_audit
    from cx_audit.core.findings import Evidence
    from cx_audit.renderers import render_audits

    run = run_audit([journey_file(tmp_path, WARNING_ONLY)], Config())
    audit_ = run.audits[0]
    finding = dataclasses.replace(audit_.findings[0],
                                  evidence=Evidence(metrics={"load": float("inf")}))
    run.audits[0] = dataclasses.replace(audit_, findings=(finding,))
    text = render_audits("json", run)
    assert "Infinity" not in text and "NaN" not in text
    evidence = json.loads(text)["journeys"][0]["findings"][0]["evidence"]
    assert evidence["metrics"] == {"load": "unbounded"}


def test_progress_bar_draws_on_stderr_only_for_many_files(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    import cx_audit.cli.console as console

    class FakeTerminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    err = FakeTerminal()
    monkeypatch.setattr(console.sys, "stderr", err)
    monkeypatch.delenv("CI", raising=False)
    advance = console.progress_bar()
    assert advance is not None
    advance(1, 3)  # too few files: nothing drawn
    assert err.getvalue() == ""
    monkeypatch.setenv("CI", "true")
    assert console.progress_bar() is None


# --------------------------------------------------------------------------
# --select, --ignore, --extend-select, --severity: on top of the configuration

SLOW_AND_STRANDED = WARNING_ONLY.replace(
    "  done: {kind: resolution}", "  done: {kind: resolution}\n  side: {actor: frontline}")
"""CX502 long-wait on 'agent'; CX104 unreachable and CX105 stranded on 'side'."""


def rules_reported(*args: str) -> tuple[int, list[tuple[str, str]]]:
    result = runner.invoke(app, ["audit", *args, "-f", "json"])
    assert result.exit_code in (0, 1), result.output
    findings = json.loads(result.stdout)["journeys"][0]["findings"]
    return result.exit_code, sorted({(f["rule"], f["severity"]) for f in findings})


def test_select_ignore_and_extend_select_on_the_command_line(tmp_path: Path) -> None:
    path = str(journey_file(tmp_path, SLOW_AND_STRANDED))
    every = rules_reported(path, "--select", "ALL")[1]
    assert {("CX104", "warning"), ("CX105", "error"), ("CX502", "warning")} <= set(every)

    def under(prefix: str) -> list[tuple[str, str]]:
        """What the full run reports of the rules under a prefix (a new rule may add some)."""
        return [item for item in every if item[0].startswith(prefix)]

    assert rules_reported(path, "--select", "CX5")[1] == under("CX5")
    assert rules_reported(path, "--select", "long-wait,CX105")[1] == [
        ("CX105", "error"), ("CX502", "warning")]
    assert rules_reported(path, "--select", "CX105", "--select", "cx104")[1] == [
        ("CX104", "warning"), ("CX105", "error")]
    assert rules_reported(path, "--select", "CX1", "--ignore", "stranded")[1] == [
        item for item in under("CX1") if item[0] != "CX105"]
    assert rules_reported(path, "--select", "CX1", "--extend-select", "CX502")[1] == sorted(
        [*under("CX1"), ("CX502", "warning")])


def test_the_command_line_goes_over_the_configuration_file(tmp_path: Path) -> None:
    path = str(journey_file(tmp_path, SLOW_AND_STRANDED))
    Path(".cx-audit.toml").write_text('select = ["CX104", "CX105"]\nignore = ["CX104"]\n'
                                      'severity = { CX105 = "info" }\n')
    assert rules_reported(path) == (0, [("CX105", "info")])
    # --select replaces the file's select and ignore; --severity goes over its severities
    assert rules_reported(path, "--select", "CX104,CX105", "--severity", "CX105=error") == (
        1, [("CX104", "warning"), ("CX105", "error")])
    # --extend-select adds to the file's selection, even a rule the file ignores
    assert rules_reported(path, "--extend-select", "CX104,long-wait")[1] == [
        ("CX104", "warning"), ("CX105", "info"), ("CX502", "warning")]
    assert rules_reported(path, "--ignore", "CX105")[1] == []
    assert rules_reported(path, "--severity", "stranded=off")[1] == []
    assert rules_reported(path, "--select", "CX104,CX105,long-wait", "--severity", "CX1=info",
                          "--severity", "CX502=error") == (
        1, [("CX104", "info"), ("CX105", "info"), ("CX502", "error")])


@pytest.mark.parametrize(("args", "message"), [
    (["--select", "CX999"], "Invalid value for '--select': 'CX999' names no rule"),
    (["--select", "CX5,cold-handof"], "'cold-handof' names no rule (did you mean 'cold-handoff'?)"),
    (["--ignore", "nothing"], "Invalid value for '--ignore': 'nothing' names no rule"),
    (["--extend-select", "CX1,,X"], "Invalid value for '--extend-select': 'X' names no rule"),
    (["--severity", "CX502"], "'CX502' is not CODE=LEVEL, such as CX502=error"),
    (["--severity", "CX502=fatal"], "the level in 'CX502=fatal' must be error, warning, info or"),
    (["--severity", "=error"], "'=error' is not CODE=LEVEL"),
    (["--severity", "CX999=error"], "'CX999' names no rule"),
])
def test_bad_selectors_are_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["audit", str(journey_file(tmp_path, CLEAN)), *args])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())  # the usage box may wrap lines


def test_the_selection_options_reach_report_graph_diff_and_conform(tmp_path: Path) -> None:
    path = journey_file(tmp_path, SLOW_AND_STRANDED)
    target = tmp_path / "r.md"
    result = runner.invoke(app, ["report", str(path), "-o", str(target), "--select", "CX502"])
    assert result.exit_code == 0 and "(0 journeys" not in result.output
    assert "CX502" in target.read_text() and "CX105" not in target.read_text()
    # the graph numbers the combustion points of the rules selected: the long wait only
    drawn = runner.invoke(app, ["graph", str(path), "--select", "CX502"]).output
    assert re.search(r'"\u26a0 point 1<br>agent<br>', drawn)
    assert drawn.count("\u26a0") == 1
    none = runner.invoke(app, ["graph", str(path), "--select", "CX401"]).output
    assert none.startswith("flowchart LR") and "\u26a0" not in none
    older = journey_file(tmp_path, CLEAN, "old.yaml")
    diff = runner.invoke(app, ["diff", str(older), str(path), "-f", "json", "--select", "CX105"])
    assert diff.exit_code in (0, 1) and "CX105" in diff.output and "CX502" not in diff.output
    for command in (["report", str(path), "-o", str(target)], ["graph", str(path)],
                    ["diff", str(older), str(path)], ["conform", str(path), str(path)]):
        bad = runner.invoke(app, [*command, "--select", "CX999"])
        assert bad.exit_code == 2 and "names no rule" in bad.output, command
