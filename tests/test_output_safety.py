"""Where output goes: the one writer of output files, standard output that fails, and
journey text and file names that must stay inert in every message of every command.

Output files: written in one step, never over what is not a regular file (a FIFO, a
device, a symbolic link, a folder), never into a folder that does not exist, never
over any input of the same command (recognised on disk, so another spelling or a hard
link counts), and a failure leaves nothing behind. Standard output that is full, closed
or cannot encode the output ends the run with one line and exit 2 (a reader that stops
early, quietly). Journey text and file names never reach a terminal or a CI log raw.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import JOURNEYS
from typer.testing import CliRunner

from cx_audit.cli import app
from cx_audit.core.errors import OutputRefused
from cx_audit.io.files import write_output
from cx_audit.text.safe import json_printable, printable, printable_path

runner = CliRunner()

JOURNEY = JOURNEYS / "telecom-billing-dispute.yaml"
"""A journey with findings in every format."""

INJECTION = "\x1b]0;pwned\x07\x1b[2J\n::error file=a.yaml,line=1::injected"
"""Renames the terminal, clears the screen, and starts a GitHub Actions command."""


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def assert_refused(code: int, output: str, *words: str) -> None:
    """Exit 2 with one clean ``cx-audit:`` line that says why."""
    assert code == 2, output
    lines = output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cx-audit: "), output
    assert "internal error" not in output and all(w in output for w in words), output


# --- the writer ---------------------------------------------------------------------


def test_a_fifo_is_refused_without_being_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "out.json"
    os.mkfifo(fifo)
    code, out = invoke("audit", str(JOURNEY), "-f", "json", "-o", str(fifo))
    assert_refused(code, out, "FIFO", "not a regular file")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_symbolic_link_is_refused_and_what_it_points_to_is_kept(tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_text("mine")
    link = tmp_path / "report.md"
    link.symlink_to(real)
    code, out = invoke("report", str(JOURNEY), "-o", str(link))
    assert_refused(code, out, "symbolic link")
    assert link.is_symlink() and real.read_text() == "mine"


def test_a_character_device_is_refused(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    device = tmp_path / "null"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a second /dev/null
    code, out = invoke("graph", str(JOURNEY), "-o", str(device))
    assert_refused(code, out, "character device")
    assert stat.S_ISCHR(os.lstat(device).st_mode)


@pytest.fixture
def dev_null_guarded(monkeypatch: pytest.MonkeyPatch) -> Iterator[os.stat_result]:
    """/dev/null's status; renaming or linking anything onto it fails the test instead."""
    if not os.path.exists("/dev/null"):
        pytest.skip("no /dev/null here")
    before = os.lstat("/dev/null")
    real_replace, real_link = os.replace, os.link

    def guarded(function: Callable[..., None]) -> Callable[..., None]:
        def call(source: str, target: str | os.PathLike[str], *args: Any, **kwargs: Any) -> None:
            if os.path.abspath(os.fspath(target)) == "/dev/null":
                raise AssertionError("the writer tried to replace /dev/null")
            function(source, target, *args, **kwargs)
        return call

    monkeypatch.setattr(os, "replace", guarded(real_replace))
    monkeypatch.setattr(os, "link", guarded(real_link))
    yield before
    after = os.lstat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev


def test_dev_null_is_refused_as_an_output(dev_null_guarded: os.stat_result) -> None:
    for args in (["audit", str(JOURNEY), "-f", "json"], ["graph", str(JOURNEY)],
                 ["report", str(JOURNEY), "-f", "html"]):
        code, out = invoke(*args, "-o", "/dev/null")
        assert_refused(code, out, "/dev/null is a character device")


def test_a_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    for spelling in (str(folder), f"{folder}/"):
        code, out = invoke("audit", str(JOURNEY), "-f", "sarif", "-o", spelling)
        assert_refused(code, out, "folder")
    assert folder.is_dir() and not any(folder.iterdir())


def test_a_missing_folder_written_with_a_slash_is_not_made_a_file(tmp_path: Path) -> None:
    for args in (["audit", str(JOURNEY), "-f", "json"], ["report", str(JOURNEY), "-f", "html"],
                 ["graph", str(JOURNEY)]):
        code, out = invoke(*args, "-o", f"{tmp_path / 'out'}/")
        assert_refused(code, out, "folder", "does not exist")
    code, out = invoke("audit", str(JOURNEY), "-o", str(tmp_path / "nowhere" / "a.txt"))
    assert_refused(code, out, "the folder", "does not exist")
    assert list(tmp_path.iterdir()) == []


def unchanged(path: Path, before: bytes) -> bool:
    return path.read_bytes() == before


def test_every_input_of_the_command_is_refused_as_its_output(tmp_path: Path) -> None:
    journey = tmp_path / "j.yaml"
    journey.write_bytes(JOURNEY.read_bytes())
    config = tmp_path / "c.toml"
    config.write_text("fail-on = 'error'\n")
    baseline = tmp_path / "b.json"
    code, out = invoke("audit", str(journey), "--write-baseline", str(baseline))
    assert code == 0, out
    files = {path: path.read_bytes() for path in (journey, config, baseline)}
    other = tmp_path / "." / "c.toml"  # another spelling of the same file
    cases = [
        (["audit", str(journey), "--config", str(config), "-f", "json", "-o", str(other)],
         "the configuration this command reads"),
        (["graph", str(journey), "--config", str(config), "-o", str(config)],
         "the configuration this command reads"),
        (["report", str(journey), "--config", str(config), "-f", "html", "-o", str(config)],
         "the configuration this command reads"),
        (["audit", str(journey), "--baseline", str(baseline), "-f", "json", "-o", str(baseline)],
         "the baseline this command reads"),
        (["audit", str(journey), "--baseline", str(baseline), "--write-baseline",
          str(baseline)], "the baseline this command reads"),
        (["audit", str(journey), "-f", "json", "-o", str(journey)], "one of the input journeys"),
        (["audit", str(tmp_path), "-f", "json", "-o", str(journey)], "one of the input journeys"),
    ]
    for args, why in cases:
        code, out = invoke(*args)
        assert_refused(code, out, why, "choose another output file")
    assert all(unchanged(path, data) for path, data in files.items())


def test_the_configuration_found_by_search_is_protected_too(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / ".cx-audit.toml"
    config.write_text("fail-on = 'error'\n")
    monkeypatch.chdir(tmp_path)
    code, out = invoke("audit", str(JOURNEY), "-f", "json", "-o", ".cx-audit.toml")
    assert_refused(code, out, "the configuration this command reads")
    assert config.read_text() == "fail-on = 'error'\n"


def test_a_hard_link_to_an_input_is_refused(tmp_path: Path) -> None:
    journey = tmp_path / "j.yaml"
    journey.write_bytes(JOURNEY.read_bytes())
    alias = tmp_path / "alias.txt"
    try:
        os.link(journey, alias)
    except OSError:
        pytest.skip("no hard links here")
    code, out = invoke("audit", str(journey), "-o", str(alias))
    assert_refused(code, out, "one of the input journeys")
    code, out = invoke("report", "--compare", str(journey), str(journey), "-f", "markdown",
                       "-o", str(alias))
    assert_refused(code, out, "one of the input journeys")
    assert journey.read_bytes() == JOURNEY.read_bytes()


LOG = """case,activity,time
1,Call,2024-01-01 09:00
1,Agent,2024-01-01 09:05
1,Solved,2024-01-01 09:20
2,Call,2024-01-01 10:00
2,Solved,2024-01-01 10:30
"""

DESIGN = """journey: design
steps:
  call: {kind: entry, label: Call, next: [agent]}
  agent: {label: Agent, next: [solved]}
  solved: {kind: resolution, label: Solved}
"""


def test_the_mapping_the_log_and_the_imported_file_are_refused_as_outputs(
        tmp_path: Path) -> None:
    log, design, mapping = tmp_path / "log.csv", tmp_path / "design.yaml", tmp_path / "m.yaml"
    log.write_text(LOG)
    design.write_text(DESIGN)
    mapping.write_text("entries: [Call]\nresolutions: [Solved]\n")
    source = tmp_path / "j.mmd"
    source.write_text("journey\n  title T\n  section S\n    Ask: 2: customer\n")
    files = {path: path.read_bytes() for path in (log, design, mapping, source)}
    cases = [
        (["conform", str(design), str(log), "--map", str(mapping), "-o", str(mapping)],
         "the mapping this command reads"),
        (["conform", str(design), str(log), "-f", "json", "-o", str(log)],
         "the event log this command reads"),
        (["conform", str(design), str(log), "-o", str(design)], "one of the input journeys"),
        (["import", "mermaid", str(source), "--force", "-o", str(source)],
         "the file being imported"),
    ]
    for args, why in cases:
        code, out = invoke(*args)
        assert code == 2 and why in out and "internal error" not in out, out
    assert all(unchanged(path, data) for path, data in files.items())


def fail_fsync(monkeypatch: pytest.MonkeyPatch) -> None:
    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(os, "fsync", full)


@pytest.mark.parametrize("command", ["init", "import", "discover", "report"])
def test_a_full_disk_leaves_nothing_behind_and_a_rerun_works(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    monkeypatch.chdir(tmp_path)
    Path("log.csv").write_text(LOG)
    Path("j.mmd").write_text("journey\n  title T\n  section S\n    Ask: 2: customer\n")
    target = {"init": "new.yaml", "import": "new.yaml", "discover": "new.yaml",
              "report": "new.md"}[command]
    args = {"init": ["init", target], "import": ["import", "mermaid", "j.mmd", "-o", target],
            "discover": ["discover", "log.csv", "-o", target],
            "report": ["report", str(JOURNEY), "-o", target]}[command]
    before = sorted(os.listdir())
    with monkeypatch.context() as patch:
        fail_fsync(patch)
        code, out = invoke(*args)
    assert code == 2 and f"cannot write {target}: No space left on device" in out, out
    assert sorted(os.listdir()) == before  # neither the target nor a temporary file
    code, out = invoke(*args)
    assert code == 0, out
    assert Path(target).stat().st_size > 0


def test_write_output_keeps_permissions_and_refuses_to_replace_when_asked(
        tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    target.write_text("old")
    target.chmod(0o640)
    write_output(target, "new")
    assert target.read_text() == "new" and stat.S_IMODE(target.stat().st_mode) == 0o640
    with pytest.raises(OutputRefused, match="already exists"):
        write_output(target, "newer", replace=False)
    fresh = tmp_path / "fresh.txt"
    write_output(fresh, "é", replace=False)
    mask = os.umask(0)
    os.umask(mask)
    assert fresh.read_bytes() == "é".encode() and stat.S_IMODE(fresh.stat().st_mode) == \
        0o666 & ~mask
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh.txt", "report.txt"]


def test_write_output_refuses_text_that_is_not_valid_unicode(tmp_path: Path) -> None:
    with pytest.raises(OutputRefused, match="not valid Unicode"):
        write_output(tmp_path / "a.json", "caf\udce9")
    assert list(tmp_path.iterdir()) == []


# --- standard output ----------------------------------------------------------------


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "cx_audit", *args], capture_output=True,
                          timeout=120, check=False, env=env)


def one_clean_line(stderr: bytes) -> str:
    text = stderr.decode()
    lines = text.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cx-audit: "), text
    assert "internal error" not in text and "Traceback" not in text, text
    return lines[0]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
@pytest.mark.parametrize("args", [["audit", str(JOURNEYS)], ["validate", str(JOURNEYS)],
                                  ["audit", str(JOURNEY), "-f", "json"], ["schema"],
                                  ["--help"]])
def test_a_full_stdout_is_one_line_and_exit_2(args: list[str]) -> None:
    with open("/dev/full", "wb") as full:
        result = subprocess.run([sys.executable, "-m", "cx_audit", *args], stdout=full,
                                stderr=subprocess.PIPE, timeout=120, check=False)
    line = one_clean_line(result.stderr)
    assert result.returncode == 2 and "No space left on device" in line


def test_a_stdout_whose_reader_has_gone_ends_quietly_with_exit_2() -> None:
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first byte (as after `| head -1`)
    try:
        result = subprocess.run([sys.executable, "-m", "cx_audit", "audit", str(JOURNEYS)],
                                stdout=write, stderr=subprocess.PIPE, timeout=120, check=False)
    finally:
        os.close(write)
    assert result.returncode == 2 and result.stderr == b""


def test_a_closed_stdout_is_one_line_and_exit_2() -> None:
    for args in (["audit", str(JOURNEY)], ["validate", str(JOURNEY)]):
        result = subprocess.run([sys.executable, "-m", "cx_audit", *args],
                                stderr=subprocess.PIPE, timeout=120, check=False,
                                preexec_fn=lambda: os.close(1))
        line = one_clean_line(result.stderr)
        assert result.returncode == 2 and "standard output is closed" in line


def test_a_stdout_that_cannot_encode_the_output_is_one_line_and_exit_2() -> None:
    result = cli("audit", str(JOURNEYS), env={**os.environ, "PYTHONIOENCODING": "ascii"})
    line = one_clean_line(result.stderr)
    assert result.returncode == 2 and "ascii" in line and "PYTHONIOENCODING=utf-8" in line
    # what it can encode, it writes
    assert cli("validate", str(JOURNEY), env={**os.environ, "PYTHONIOENCODING": "ascii"}
               ).returncode == 0


# --- journey text and file names ------------------------------------------------------


def hostile_folder(tmp_path: Path) -> Path:
    """An invalid journey with a hostile key, a valid one with hostile labels, and hostile
    file names (a newline and a workflow command in one, a leading ``::`` in another)."""
    folder = tmp_path / "in"
    folder.mkdir()
    quoted = json.dumps(INJECTION)
    (folder / "key.yaml").write_text(
        f"version: 1\njourney: key\nsteps:\n  {quoted}:\n    kind: entry\n    next: [done]\n"
        "  done:\n    kind: resolution\n")
    text = JOURNEY.read_text()
    text = re.sub(r"^title: .*$", lambda _: f"title: {quoted}", text, flags=re.M)
    text = re.sub(r"^(\s+)(label|owner): .*$", lambda m: f"{m[1]}{m[2]}: {quoted}", text,
                  flags=re.M)
    (folder / "labels.yaml").write_text(text)
    (folder / "x\n::error file=a.yaml,line=1::named.yaml").write_text("journey: [\n")
    (folder / "::warning::lead.yaml").write_text("journey: lead\n")
    return folder


def assert_inert(data: bytes, where: str) -> None:
    """No terminal control byte, and no line that CI could run except the tool's own."""
    assert b"\x1b" not in data and b"\x07" not in data, where
    for line in data.decode("utf-8").splitlines():
        if line.startswith("::"):
            assert re.match(r"::(error|warning|notice) [^:]*title=cx-audit \([\w-]+\)::",
                            line), (where, line)
            assert not line.startswith("::error file=a.yaml"), (where, line)


def run_bytes(*args: str) -> tuple[int, bytes, bytes]:
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        (args, result.exception)
    return result.exit_code, result.stdout_bytes, result.stderr_bytes


FORMATS = ["text", "json", "sarif", "github", "gitlab", "junit", "markdown", "html"]


def test_hostile_text_is_inert_in_every_format_and_command(tmp_path: Path) -> None:
    folder = hostile_folder(tmp_path)
    labels, key = folder / "labels.yaml", folder / "key.yaml"
    commands = [["audit", str(folder), "-f", name] for name in FORMATS]
    commands += [["validate", str(folder)], ["graph", str(labels)], ["graph", str(key)],
                 ["graph", str(labels), "-f", "dot"], ["paths", str(labels)],
                 ["paths", str(key), "-f", "json"], ["paths", str(labels), "-f", "json"],
                 ["diff", str(key), str(labels)], ["diff", str(labels), str(key), "-f", "json"],
                 ["compare", str(key), str(labels)], ["compare", str(labels), str(labels)],
                 ["compare", str(key), str(labels), "-f", "json"],
                 ["report", str(folder), "-o", str(tmp_path / "r.html")],
                 ["report", str(labels), "-o", str(tmp_path / "r.md")],
                 ["report", "--compare", str(key), str(labels), "-o", str(tmp_path / "c.md")],
                 ["audit", str(labels), "-o", str(tmp_path / "o" / "missing.txt")]]
    for args in commands:
        code, out, err = run_bytes(*args)
        assert code in (0, 1, 2), args
        assert_inert(out, f"stdout of {args}")
        assert_inert(err, f"stderr of {args}")
    assert_inert((tmp_path / "r.md").read_bytes(), "the report")


def test_hostile_text_is_inert_in_import_discover_and_conform(tmp_path: Path) -> None:
    flat = INJECTION.replace("\n", " ")
    mermaid = tmp_path / "j.mmd"
    mermaid.write_text(f"journey\n  title {flat}\n  section S\n    Ask{flat}: 2: customer\n"
                       "    Bad: nine: customer\n")
    log = tmp_path / "log.csv"
    rows = [f'{case},"{INJECTION}",2024-01-0{case} 09:00\n{case},Solved,2024-01-0{case} 09:30'
            for case in (1, 2, 3)]
    log.write_text("case,activity,time\n" + "\n".join(rows) + "\n3,Bad,never\n")
    design = tmp_path / "design.yaml"
    design.write_text(DESIGN)
    commands = [["import", "mermaid", str(mermaid)],
                ["discover", str(log)], ["discover", str(log), "--max-bad-rows", "1"],
                *(["conform", str(design), str(log), "--max-bad-rows", "1", "-f", name]
                  for name in ("text", "json", "github", "sarif"))]
    for args in commands:
        code, out, err = run_bytes(*args)
        assert code in (0, 1, 2), args
        assert_inert(out, f"stdout of {args}")
        assert_inert(err, f"stderr of {args}")


def test_problems_on_stderr_are_printable_whatever_the_format(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = hostile_folder(tmp_path)
    for name in FORMATS[1:]:
        _, _, err = run_bytes("audit", str(folder / "key.yaml"), "-f", name)
        (line,) = err.decode().splitlines()
        assert line.startswith(f"{folder / 'key.yaml'}:4:3: step id '\\x1b]0;pwned\\x07")
        assert " ::error file=a.yaml,line=1::injected'" in line
    _, out, _ = run_bytes("validate", str(folder))
    assert f"{folder}/x ::error file=a.yaml,line=1::named.yaml:2:1: " in out.decode()
    monkeypatch.chdir(folder)
    _, out, _ = run_bytes("validate", ".")
    assert "./::warning::lead.yaml:1:1: missing required key 'steps'" in out.decode().splitlines()


NON_UTF8 = [b"caf\xe9.yaml", b"bad\xff.yaml"]


def non_utf8_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "names"
    folder.mkdir()
    good, bad = (os.fsencode(folder) + b"/" + name for name in NON_UTF8)
    with open(good, "wb") as handle:
        handle.write(JOURNEY.read_bytes())
    with open(bad, "wb") as handle:
        handle.write(b"journey: x\n")
    return folder


@pytest.mark.parametrize("name", FORMATS)
def test_file_names_that_are_not_utf8_are_escaped_in_every_format(
        tmp_path: Path, name: str) -> None:
    folder = non_utf8_folder(tmp_path)
    code, out, err = run_bytes("audit", str(folder), "-f", name, "--color", "never") \
        if name == "text" else run_bytes("audit", str(folder), "-f", name)
    assert code == 2
    text, errors = out.decode("utf-8"), err.decode("utf-8")  # both valid UTF-8
    assert "bad\\xff.yaml" in text + errors
    if name in ("json", "sarif", "gitlab"):
        document = json.loads(text)
    if name in ("json", "gitlab"):
        assert "bad\\xff.yaml" in json.dumps(document, ensure_ascii=False).replace("\\\\", "\\")
    if name == "sarif":
        uris = {location["physicalLocation"]["artifactLocation"]["uri"]
                for result in document["runs"][0]["results"]
                for location in result["locations"]}
        assert any(uri.endswith("caf%E9.yaml") for uri in uris)
        assert any(uri.endswith("bad%FF.yaml") for uri in uris)
    written = tmp_path / f"out.{name}"
    code, _, err = run_bytes("audit", str(folder), "-f", name, "-o", str(written))
    assert code == 2 and written.read_bytes().decode("utf-8")


def test_printable_shows_the_bytes_of_a_file_name_and_guards_a_leading_command() -> None:
    name = os.fsdecode(b"caf\xe9\n.yaml")
    assert printable(name) == "caf\\xe9 .yaml"
    assert printable_path("::error::x.yaml") == "./::error::x.yaml"
    assert printable_path("/abs/::x.yaml") == "/abs/::x.yaml"
    encoded = json.dumps({"file": name}, ensure_ascii=False)
    assert json.loads(json_printable(encoded)) == {"file": "caf\\xe9\n.yaml"}


def test_a_bad_output_target_is_refused_before_any_journey_is_read(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cx_audit.cli import app

    runner = CliRunner()
    missing = str(tmp_path / "not-there.yaml")
    target = str(tmp_path / "no-such-folder" / "out.txt")
    for arguments in (["audit", missing, "-o", target],
                      ["audit", missing, "--write-baseline", target],
                      ["report", missing, "-o", target + ".html"]):
        result = runner.invoke(app, arguments)
        assert result.exit_code == 2, result.output
        assert "does not exist" in result.output
        # refused at once: the journey (which does not exist either) was never looked for
        assert "no such file or folder" not in result.output


def test_a_lone_surrogate_in_a_message_still_has_a_fingerprint_and_a_baseline_key() -> None:
    from dataclasses import replace

    from cx_audit.audit.baseline import baseline_key
    from cx_audit.core.findings import Evidence, Finding, Severity
    from cx_audit.core.model import Location

    plain = Finding(rule="CX105", name="stranded", severity=Severity.ERROR, journey="j",
                    file="j.yaml", step="a", location=Location("j.yaml", 3, 3),
                    message="Step 'a' has no next step", evidence=Evidence())
    odd = replace(plain, message="Step '\udce9' has no next step")
    # valid text keeps the identity it always had; a lone surrogate no longer fails
    raw = "\x1f".join(("CX105", "j", "a", "Step 'a' has no next step"))
    assert plain.fingerprint == hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]
    assert len(odd.fingerprint) == 32 and odd.fingerprint != plain.fingerprint
    assert len(baseline_key(odd)) == 24 and baseline_key(odd) != baseline_key(plain)
