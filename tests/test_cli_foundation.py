"""The foundation commands through the real CLI: validate, schema, init."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from conftest import FIXTURES, ROOT
from typer.testing import CliRunner

from cx_audit.cli import app
from cx_audit.io.schema import schema_json

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_validate_valid_files_exits_0() -> None:
    code, out = run("validate", str(FIXTURES / "valid"))
    assert code == 0
    assert out.strip().endswith("3 files checked: all valid.")


def test_validate_reports_every_problem_and_exits_2() -> None:
    bad = FIXTURES / "invalid" / "bad-values.yaml"
    code, out = run("validate", str(bad), str(FIXTURES / "valid" / "minimal.yaml"))
    assert code == 2
    lines = out.strip().splitlines()
    assert lines[0].startswith(f"{bad}:11:11: the wait of step 'ask'")
    assert lines[-1] == "Found 5 problems in 1 of 2 files."


def test_validate_folder_is_sorted_and_recursive(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".hidden").mkdir()
    for name in ("b/z.yml", "a.yaml", ".hidden/x.yaml"):
        (tmp_path / name).write_text("journey: bad\n")
    (tmp_path / "notes.txt").write_text("not a journey")
    code, out = run("validate", str(tmp_path))
    assert code == 2
    files = [line.split(":")[0] for line in out.splitlines() if "missing required" in line]
    assert files == [str(tmp_path / "a.yaml"), str(tmp_path / "b" / "z.yml")]


def test_duplicate_journey_id_across_files(tmp_path: Path) -> None:
    text = (FIXTURES / "valid" / "minimal.yaml").read_text()
    (tmp_path / "one.yaml").write_text(text)
    (tmp_path / "two.yaml").write_text("# a copy\n" + text)
    code, out = run("validate", str(tmp_path))
    assert code == 2
    assert f"{tmp_path / 'two.yaml'}:2:1: journey id 'minimal' is already used by " \
           f"{tmp_path / 'one.yaml'}:1:1" in out


def test_validate_missing_path_and_empty_folder(tmp_path: Path) -> None:
    code, out = run("validate", str(tmp_path / "nope.yaml"))
    assert code == 2 and "no such file or folder" in out
    code, out = run("validate", str(tmp_path))
    assert code == 2 and "no journey files" in out


def test_validate_without_arguments_is_a_usage_error() -> None:
    code, _ = run("validate")
    assert code == 2


def test_schema_command_prints_a_valid_draft7_schema() -> None:
    code, out = run("schema")
    assert code == 0
    schema = json.loads(out)
    jsonschema.Draft7Validator.check_schema(schema)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"


def test_committed_schema_file_is_current() -> None:
    committed = (ROOT / "schema" / "journey.schema.json").read_text("utf-8")
    assert committed == schema_json(), "run: cx-audit schema > schema/journey.schema.json"


def test_init_writes_a_valid_starter_and_never_overwrites(tmp_path: Path) -> None:
    os.chdir(tmp_path)
    code, out = run("init", "Billing Dispute.yaml")
    assert code == 0, out
    target = tmp_path / "Billing Dispute.yaml"
    text = target.read_text()
    assert "journey: billing-dispute" in text
    code, out = run("validate", str(target))
    assert code == 0, out
    target.write_text("mine")
    code, out = run("init", "Billing Dispute.yaml")
    assert code == 2 and "already exists" in out
    assert target.read_text() == "mine"
    code, _ = run("init", "refund")
    assert code == 0 and (tmp_path / "refund.yaml").exists()


def test_module_entry_point_and_version() -> None:
    done = subprocess.run([sys.executable, "-m", "cx_audit", "--version"], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0 and done.stdout.startswith("cx-audit ")


def test_internal_error_is_exit_2_without_traceback(monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    import cx_audit.cli as cli
    import cx_audit.cli.authoring as authoring

    def boom(_paths: object) -> None:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(authoring, "load_paths", boom)
    monkeypatch.setattr(sys, "argv", ["cx-audit", "validate", "x.yaml"])
    monkeypatch.delenv("CX_AUDIT_DEBUG", raising=False)
    with pytest.raises(SystemExit) as caught:
        cli.main()
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: simulated bug" in err and "Traceback" not in err
