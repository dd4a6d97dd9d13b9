"""``cx-audit diff`` and baselines through the real CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import PINNED_ARGS
from typer.testing import CliRunner

from cx_audit.cli import app

runner = CliRunner()

BEFORE = """journey: refund
owner: care
steps:
  call: {kind: entry, channel: phone, next: [agent]}
  agent:
    actor: frontline
    can_resolve: true
    channel: phone
    next:
      - {to: done, p: 0.9}
      - {to: gave-up}
  done: {kind: resolution}
  gave-up: {kind: abandon}
"""

# the same journey with one shield layer added in front of the agent
WITH_SHIELD = BEFORE.replace(
    "next: [agent]}",
    "next: [menu]}\n  menu: {shield: ivr, channel: phone, actor: system, next: [agent]}")


def invoke(*args: str) -> tuple[int, str]:
    """Run ``diff`` or ``audit`` with the pinned rules: the new and fixed findings these
    tests expect do not change when a rule is added."""
    result = runner.invoke(app, [*args, *PINNED_ARGS])
    return result.exit_code, result.output


@pytest.fixture(autouse=True)
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_adding_a_shield_layer_fails_the_diff(tmp_path: Path) -> None:
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(BEFORE)
    new.write_text(WITH_SHIELD)
    code, out = invoke("diff", str(old), str(new))
    assert code == 1
    assert "shield layers on the best route went from 0 to 1" in out
    # the reverse change (removing the layer) is an improvement
    code, out = invoke("diff", str(new), str(old))
    assert code == 0 and "not worse" in out
    code, out = invoke("diff", str(old), str(old))
    assert code == 0 and "refund: no change" in out


def test_diff_json_lists_metric_deltas_and_findings(tmp_path: Path) -> None:
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(BEFORE)
    new.write_text(BEFORE.replace("p: 0.9", "p: 0.5"))
    code, out = invoke("diff", str(old), str(new), "-f", "json")
    report = json.loads(out)
    (journey,) = report["journeys"]
    # resolution falls from 0.9 to 0.5: more than the tolerance, and CX504 appears (an error)
    assert code == 1 and journey["worse"]
    assert journey["metrics"]["p_resolution"] == {"old": 0.9, "new": 0.5}
    assert [f["rule"] for f in journey["new_findings"]] == ["CX504", "CX506"]
    assert journey["fixed_findings"] == []


def test_tolerance_on_resolution(tmp_path: Path) -> None:
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(BEFORE)
    new.write_text(BEFORE.replace("p: 0.9", "p: 0.897"))
    assert invoke("diff", str(old), str(new))[0] == 0
    assert invoke("diff", str(old), str(new), "--tolerance", "0.001")[0] == 1


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_diff_against_a_git_revision(tmp_path: Path) -> None:
    journey = tmp_path / "refund.yaml"
    journey.write_text(BEFORE)
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "refund.yaml"], check=True)
    subprocess.run([*git, "commit", "-qm", "journey"], check=True)
    journey.write_text(WITH_SHIELD)
    code, out = invoke("diff", "--base", "HEAD", str(journey))
    assert code == 1 and "shield layers on the best route went from 0 to 1" in out
    code, out = invoke("diff", "--base", "no-such-rev", str(journey))
    assert code == 2 and "unknown git revision 'no-such-rev'" in out


def test_diff_usage_errors(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(BEFORE)
    assert invoke("diff", "a.yaml")[0] == 2
    assert invoke("diff", "a.yaml", "missing.yaml")[0] == 2


def test_baseline_reports_only_new_findings_and_survives_moved_lines(tmp_path: Path) -> None:
    path = tmp_path / "j.yaml"
    path.write_text(WITH_SHIELD.replace("can_resolve: true", "can_resolve: true\n    wait: 10m"))
    code, out = invoke("audit", str(path), "--write-baseline", "baseline.json")
    assert code == 0
    recorded = json.loads((tmp_path / "baseline.json").read_text())
    assert {e["rule"] for e in recorded["findings"]} >= {"CX502"}
    # lines move (a comment on top) and the wait changes figure: still the same findings
    path.write_text("# moved down\n\n" + path.read_text().replace("wait: 10m", "wait: 12m"))
    code, out = invoke("audit", str(path), "--baseline", "baseline.json", "-f", "json")
    assert code == 0 and json.loads(out)["summary"]["findings"] == 0
    # a new cold handoff is a new finding
    path.write_text(path.read_text().replace("{to: gave-up}", "{to: gave-up, handoff: cold}"))
    code, out = invoke("audit", str(path), "--baseline", "baseline.json", "-f", "json")
    assert [f["rule"] for f in json.loads(out)["journeys"][0]["findings"]] == ["CX301"]


def test_bad_baseline_file_is_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "j.yaml"
    path.write_text(BEFORE)
    (tmp_path / "bl.json").write_text("{not json")
    code, out = invoke("audit", str(path), "--baseline", "bl.json")
    assert code == 2 and "bl.json:1:2: not a baseline file" in out
    (tmp_path / "bl.json").write_text("[]")
    code, out = invoke("audit", str(path), "--baseline", "bl.json")
    assert code == 2 and "not a cx-audit baseline file" in out
