"""``cx-audit compare`` (before and after) and ``diff`` pairing, through the real CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import JOURNEYS, PINNED_ARGS, ROOT
from typer.testing import CliRunner

from cx_audit.cli import app

runner = CliRunner()

AS_IS = JOURNEYS / "telecom-billing-dispute.yaml"
TO_BE = JOURNEYS / "telecom-billing-dispute-redesigned.yaml"

REFUND = """journey: {id}
{extra}owner: care
steps:
  call: {{kind: entry, channel: phone, next: [{first}]}}
{menu}  agent:
    actor: frontline
    can_resolve: true
    channel: phone
    next:
      - {{to: done, p: 0.9}}
      - {{to: gave-up}}
  done: {{kind: resolution}}
  gave-up: {{kind: abandon}}
"""
MENU = "  menu: {shield: ivr, channel: phone, actor: system, next: [agent]}\n"


def refund(journey_id: str = "refund", extra: str = "", shield: bool = False) -> str:
    """A small journey; with ``shield``, an IVR menu in front of the agent."""
    return REFUND.format(id=journey_id, extra=extra, first="menu" if shield else "agent",
                         menu=MENU if shield else "")


def invoke(*args: str, columns: int = 80) -> tuple[int, str]:
    result = runner.invoke(app, [*args, *PINNED_ARGS], env={"COLUMNS": str(columns)})
    return result.exit_code, result.output


def compare_json(*args: str) -> dict[str, Any]:
    code, out = invoke("compare", *args, "-f", "json")
    assert code == 0, out
    document: dict[str, Any] = json.loads(out)
    return document


def audit_json(path: Path) -> dict[str, Any]:
    """The file's own audit, as ``cx-audit audit FILE -f json`` prints it."""
    done = subprocess.run([sys.executable, "-m", "cx_audit", "audit", str(path), "-f", "json",
                           *PINNED_ARGS], capture_output=True, text=True, cwd=ROOT, check=False)
    journey: dict[str, Any] = json.loads(done.stdout)["journeys"][0]
    return journey


@pytest.fixture(autouse=True)
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


# -- the telecom pair ------------------------------------------------------------


def test_the_telecom_redesign_against_its_as_is_journey_by_hand() -> None:
    before, after = audit_json(AS_IS), audit_json(TO_BE)
    old, new = before["metrics"], after["metrics"]
    # the figures as the audit prints them, and the change worked out by hand
    assert f"{old['p_resolution']:.1%} {new['p_resolution']:.1%}" == "35.3% 98.4%"
    assert round((new["p_resolution"] - old["p_resolution"]) * 100) == 63
    assert old["wait_expected"] / 1440 == pytest.approx(3.95, abs=0.005)
    assert new["wait_expected"] == pytest.approx(117, abs=0.5)
    assert (old["shields_min"], new["shields_min"]) == (8, 0)
    assert (old["shields_max"], new["retells_max"]) == ("unbounded", 0)
    assert after["combustion_points"] == []
    code, out = invoke("compare", str(AS_IS), str(TO_BE))
    assert code == 0
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80

    def row(label: str) -> str:
        (found,) = [" ".join(line.split()) for line in lines if line.startswith(f"    {label} ")]
        return found

    assert row("chance of resolution") == "chance of resolution 35.3% → 98.4% +63 points"
    assert row("chance of giving up") == "chance of giving up 64.7% → 1.6% -63 points"
    assert row("first-time resolution") == "first-time resolution 0% → 90.7% +90.7 points"
    assert row("expected wait") == "expected wait 3.95 d → 117 min -3.86 d"
    assert row("shield layers on the best route") == "shield layers on the best route 8 → 0 -8"
    assert row("shield layers on the worst route") == (
        "shield layers on the worst route no limit → 2")
    assert row("retellings on the worst route") == "retellings on the worst route no limit → 0"
    assert row("steps") == "steps 25 → 15 -10"
    assert "p_stranded" not in out and "chance of being stranded" not in out  # 0% both times
    assert "paired by the two files given, and the to-be journey says it replaces" in out
    # every as-is point is fixed, each named by its title (which may wrap) in its rank
    points = before["combustion_points"]
    assert f"Combustion points: {len(points)} fixed, 0 new, 0 remaining" in out
    flat = " ".join(out.split())
    for point in points:
        assert f"{point['rank']}. {point['title']}" in flat
    assert "lost 502 in 1,000, reached 92%" in flat  # the loop: 0.5022 and 0.9203 of customers
    assert "1 pair compared, 0 new journeys, 0 removed journeys." in out


def test_a_narrow_terminal_gets_one_sentence_per_figure() -> None:
    code, out = invoke("compare", str(AS_IS), str(TO_BE), columns=60)
    assert code == 0 and max(len(line) for line in out.splitlines()) <= 60
    assert "    chance of resolution 35.3% → 98.4%, +63 points\n" in out
    assert "    shield layers on the worst route no limit → 2\n" in out


def test_the_telecom_pair_in_json() -> None:
    before, after = audit_json(AS_IS), audit_json(TO_BE)
    document = compare_json(str(AS_IS), str(TO_BE))
    assert set(document) == {"version", "comparisons", "errors", "summary"}
    assert document["errors"] == [] and document["summary"] == {
        "paired": 1, "new": 0, "removed": 0}
    (entry,) = document["comparisons"]
    assert set(entry) == {"status", "paired_by", "as_is", "to_be", "metrics", "points"}
    assert (entry["status"], entry["paired_by"]) == ("paired", "files")
    assert entry["as_is"] == {"file": str(AS_IS), "journey": "telecom-billing-dispute",
                              "title": before["title"], "replaces": None}
    assert entry["to_be"]["replaces"] == "telecom-billing-dispute"
    metrics = {m["name"]: m for m in entry["metrics"]}
    assert set(metrics) == set(before["metrics"])  # every figure, changed or not
    resolution = metrics["p_resolution"]
    assert set(resolution) == {"name", "label", "old", "new", "before", "after", "change",
                               "changed", "better", "wording"}
    assert resolution["old"] == before["metrics"]["p_resolution"]
    assert resolution["new"] == after["metrics"]["p_resolution"]
    assert resolution["wording"] == "chance of resolution 35.3% → 98.4%, +63 points"
    assert resolution["better"] is True
    assert metrics["p_stranded"]["changed"] is False
    assert metrics["shields_max"]["old"] == "unbounded" and metrics["shields_max"]["change"] is None
    fixed = entry["points"]["fixed"]
    assert [p["as_is"]["rank"] for p in fixed] == [p["rank"] for p in before["combustion_points"]]
    assert [p["title"] for p in fixed] == [p["title"] for p in before["combustion_points"]]
    assert set(fixed[0]) == {"kind", "step", "steps", "target", "title", "trend", "as_is",
                             "to_be"}
    assert set(fixed[0]["as_is"]) == {"rank", "title", "lost", "reach", "within", "signals"}
    assert fixed[0]["to_be"] is None and fixed[0]["trend"] is None
    assert entry["points"]["new"] == [] and entry["points"]["remaining"] == []


def test_diff_compares_the_two_files_given_and_reports_metric_changes() -> None:
    code, out = invoke("diff", str(AS_IS), str(TO_BE), "-f", "json")
    assert code == 0  # the redesign is better: not worse
    (journey,) = json.loads(out)["journeys"]
    assert (journey["journey"], journey["old_journey"], journey["status"]) == (
        "telecom-billing-dispute-redesigned", "telecom-billing-dispute", "changed")
    assert journey["metrics"]["shields_min"] == {"old": 8, "new": 0}
    assert journey["worse"] is False
    code, out = invoke("diff", str(AS_IS), str(TO_BE))
    assert out.startswith("telecom-billing-dispute -> telecom-billing-dispute-redesigned: "
                          "not worse\n")
    assert "wait_expected" in out and "3.95 d -> 117 min" in " ".join(out.split())


# -- pairing through the command line ---------------------------------------------------


def test_folders_are_paired_by_file_name_and_the_rest_listed(tmp_path: Path) -> None:
    (tmp_path / "as-is").mkdir()
    (tmp_path / "to-be").mkdir()
    (tmp_path / "as-is" / "refund.yaml").write_text(refund())
    (tmp_path / "as-is" / "old-only.yaml").write_text(refund("retired"))
    (tmp_path / "to-be" / "refund.yaml").write_text(refund("refund-new", shield=True))
    (tmp_path / "to-be" / "new-only.yaml").write_text(refund("brand-new"))
    document = compare_json("as-is", "to-be")
    assert [(c["status"], c["paired_by"], c["as_is"] and c["as_is"]["journey"],
             c["to_be"] and c["to_be"]["journey"]) for c in document["comparisons"]] == [
        ("new", None, None, "brand-new"),
        ("paired", "path", "refund", "refund-new"),
        ("removed", None, "retired", None)]
    assert document["summary"] == {"paired": 1, "new": 1, "removed": 1}
    paired = document["comparisons"][1]
    metrics = {m["name"]: m for m in paired["metrics"]}
    assert metrics["shields_min"]["wording"] == "shield layers on the best route 0 → 1, +1"
    assert metrics["shields_min"]["better"] is False
    code, out = invoke("compare", "as-is", "to-be")
    assert code == 0  # unpaired journeys are not errors
    assert "New journey, with no as-is version to compare it with:" in out
    assert "Removed journey, with no to-be version to compare it with:" in out
    assert "paired by the same file name in both folders" in out
    assert "1 pair compared, 1 new journey, 1 removed journey." in out


def test_replaces_pairs_journeys_whose_names_and_ids_differ(tmp_path: Path) -> None:
    for side in ("now", "next"):
        (tmp_path / side).mkdir()
    (tmp_path / "now" / "refund.yaml").write_text(refund())
    (tmp_path / "now" / "other.yaml").write_text(refund("other"))
    (tmp_path / "next" / "refund-v2.yaml").write_text(
        refund("refund-v2", extra="replaces: refund\n", shield=True))
    (tmp_path / "next" / "moved.yaml").write_text(refund("other"))  # same id, new file name
    document = compare_json("now", "next")
    assert [(c["paired_by"], c["as_is"]["journey"], c["to_be"]["journey"])
            for c in document["comparisons"]] == [
        ("id", "other", "other"), ("replaces", "refund", "refund-v2")]
    code, out = invoke("compare", "now", "next")
    assert code == 0 and "paired by the to-be journey says it replaces the as-is one" in out


def test_a_replaces_that_names_another_journey_is_pointed_out(tmp_path: Path) -> None:
    Path("a.yaml").write_text(refund())
    Path("b.yaml").write_text(refund("refund-v2", extra="replaces: something-else\n"))
    code, out = invoke("compare", "a.yaml", "b.yaml")
    assert code == 0 and "paired by the two files given" in out
    assert "note: the to-be journey says it replaces 'something-else', not 'refund'" in out


def test_a_bad_replaces_value_is_located_and_exit_2(tmp_path: Path) -> None:
    Path("a.yaml").write_text(refund())
    Path("b.yaml").write_text(refund("refund-v2", extra="replaces: [refund]\n"))
    for command in ("compare", "diff"):
        code, out = invoke(command, "a.yaml", "b.yaml")
        assert code == 2
        assert ("b.yaml:2:11: 'replaces' (the id of the journey this one redesigns) must be a "
                "journey id, found a list") in out
        assert "Traceback" not in out


def test_text_from_the_journey_files_is_shown_inert(tmp_path: Path) -> None:
    # YAML escapes: a terminal escape, a right-to-left override and rich markup in the title
    title = 'title: "\\x1b[2J\\u202e[red]evil"\n'
    Path("a.yaml").write_text(refund(extra=title))
    Path("b.yaml").write_text(refund("refund-v2", extra=title, shield=True))
    code, out = invoke("compare", "a.yaml", "b.yaml")
    assert code == 0 and "evil" in out
    assert "\x1b" not in out and "\u202e" not in out
    assert "\\x1b[2J" in out and "[red]evil" in out


def test_a_journey_against_itself_says_nothing_changed() -> None:
    points = audit_json(AS_IS)["combustion_points"]
    assert len(points) > 1
    code, out = invoke("compare", str(AS_IS), str(AS_IS))
    assert code == 0
    assert "    No figure changed.\n" in out
    assert f"  Combustion points: the same {len(points)}, all unchanged\n" in out
    code, out = invoke("compare", str(TO_BE), str(TO_BE))
    assert "  Combustion points: none in either version\n" in out


def test_usage_errors_are_exit_2(tmp_path: Path) -> None:
    Path("a.yaml").write_text(refund())
    assert invoke("compare", "a.yaml")[0] == 2
    code, out = invoke("compare", "a.yaml", "missing.yaml")
    assert code == 2 and "missing.yaml: no such file or folder" in out


def test_diff_matches_findings_across_a_new_id(tmp_path: Path) -> None:
    def slow(text: str) -> str:  # a 10-minute wait at the agent: a finding on both sides
        return text.replace("can_resolve: true", "can_resolve: true\n    wait: 10m")

    Path("a.yaml").write_text(slow(refund()))
    Path("same-id.yaml").write_text(slow(refund(shield=True)))
    Path("new-id.yaml").write_text(slow(refund("refund-v2", extra="replaces: refund\n",
                                               shield=True)))

    def found(new: str) -> tuple[int, list[tuple[str, str]], list[tuple[str, str]]]:
        code, out = invoke("diff", "a.yaml", new, "-f", "json")
        (journey,) = json.loads(out)["journeys"]
        return code, *([(f["rule"], f["message"]) for f in journey[key]]
                       for key in ("new_findings", "fixed_findings"))

    code, added, fixed = found("same-id.yaml")
    assert code == 1 and added  # the shield layer is worse, and adds findings
    # under a new id, the findings it did not change are neither new nor fixed
    assert found("new-id.yaml") == (code, added, fixed)
    code, out = invoke("audit", "a.yaml", "-f", "json")
    assert json.loads(out)["journeys"][0]["findings"], "the as-is journey has findings to keep"


# -- git revisions -------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_compare_against_a_git_revision(tmp_path: Path) -> None:
    journey = tmp_path / "refund.yaml"
    journey.write_text(refund())
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "refund.yaml"], check=True)
    subprocess.run([*git, "commit", "-qm", "journey"], check=True)
    journey.write_text(refund("refund-renamed", shield=True))
    (tmp_path / "added.yaml").write_text(refund("added"))
    document = compare_json("--base", "HEAD", "refund.yaml", "added.yaml")
    assert [(c["status"], c["paired_by"]) for c in document["comparisons"]] == [
        ("paired", "revision"), ("new", None)]
    paired = document["comparisons"][0]
    assert paired["as_is"]["file"] == "HEAD:refund.yaml"
    assert paired["to_be"]["journey"] == "refund-renamed"
    metrics = {m["name"]: m for m in paired["metrics"]}
    assert (metrics["shields_min"]["old"], metrics["shields_min"]["new"]) == (0, 1)
    code, out = invoke("compare", "--base", "HEAD", "refund.yaml")
    assert code == 0 and "paired by the same file at the git revision" in out
    code, out = invoke("compare", "--base", "no-such-rev", "refund.yaml")
    assert code == 2 and "unknown git revision 'no-such-rev'" in out
