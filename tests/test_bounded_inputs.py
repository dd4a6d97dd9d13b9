"""Every input is read through one bounded reader, and every bad one is a located problem.

Each case is built here from its description (large ones generated in tmp_path, never
committed) and run through the command line: bad input ends in exit 2 with
``FILE:LINE:COL: message`` lines, never an internal error, within seconds. See README.md,
"Robustness", for the bounds.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cx_audit.cli import app
from cx_audit.core.errors import ConfigError, ProblemsError
from cx_audit.eventlog.timestamps import TimestampParser
from cx_audit.io import reading
from cx_audit.io.loader import MAX_AGENTS, MAX_DURATION_MINUTES
from cx_audit.io.reading import (
    MAX_DEPTH,
    MAX_INPUT_BYTES,
    MAX_LOG_BYTES,
    parse_json,
    parse_toml,
    read_input,
)

runner = CliRunner()
LOCATED = re.compile(r"(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): \S")

JOURNEY = """journey: good
steps:
  call: {kind: entry, next: [agent]}
  agent:
    owner: care
    wait: 2m
    staffing: {arrivals: 10, handle: 3m, agents: 2}
    next: [{to: done, p: 0.9}, {to: gave-up}]
  done: {kind: resolution}
  gave-up: {kind: abandon}
"""
LOG = "case,activity,timestamp\n1,call,2024-01-01T10:00:00\n1,agent,2024-01-01T10:05:00\n"


def cli(*args: str, timeout: float = 60, **options: object) -> tuple[int, str]:
    """Run ``python -m cx_audit`` in a child process; its exit status and stderr + stdout."""
    done = subprocess.run([sys.executable, "-m", "cx_audit", *args], capture_output=True,
                          text=True, timeout=timeout, check=False, **options)  # type: ignore
    return done.returncode, done.stderr + done.stdout


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args])
    return result.exit_code, result.output


def assert_located(code: int, output: str, file: str | Path, message: str = "") -> str:
    """Exit 2, no traceback, and a ``FILE:LINE:COL: message`` line for ``file``; that line."""
    assert code == 2, output
    assert "internal error" not in output and "Traceback" not in output, output
    lines = [line for line in output.splitlines() if line.startswith(f"{file}:")]
    assert lines and all(LOCATED.match(line) for line in lines), output
    if message:
        assert any(message in line for line in lines), output
    return lines[0]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def journey_with(tmp_path: Path, old: str, new: str, name: str = "bad.yaml") -> Path:
    assert old in JOURNEY
    return write(tmp_path, name, JOURNEY.replace(old, new, 1))


@pytest.fixture
def endless_pipe() -> Iterator[str]:
    """A /dev/fd path of a pipe that a thread fills with '# x' lines for as long as it is read."""
    read_end, write_end = os.pipe()
    stop = threading.Event()

    def feed() -> None:
        block = b"# x\n" * 16384
        try:
            while not stop.is_set():
                os.write(write_end, block)
        except OSError:
            pass

    thread = threading.Thread(target=feed, daemon=True)
    thread.start()
    try:
        yield f"/dev/fd/{read_end}"
    finally:
        stop.set()
        os.close(read_end)  # the writer's next write fails and the thread ends
        thread.join(5)
        os.close(write_end)


needs_fd_paths = pytest.mark.skipif(not Path("/dev/fd").is_dir(), reason="needs /dev/fd")
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")


# -- the size limit holds while reading -----------------------------------------------------


@needs_fd_paths
def test_an_endless_pipe_as_a_journey_stops_at_the_limit(endless_pipe: str) -> None:
    started = time.monotonic()
    code, out = invoke("validate", endless_pipe)
    assert_located(code, out, endless_pipe, "larger than 16 MiB")
    assert time.monotonic() - started < 20


@needs_fd_paths
@pytest.mark.parametrize("option", ["--config", "--baseline"])
def test_an_endless_pipe_as_a_config_or_baseline_stops_at_the_limit(
        tmp_path: Path, endless_pipe: str, option: str) -> None:
    journey = write(tmp_path, "good.yaml", JOURNEY)
    code, out = invoke("audit", str(journey), option, endless_pipe)
    assert_located(code, out, endless_pipe, "larger than 16 MiB")


@needs_fd_paths
def test_a_pipe_holding_a_journey_is_read(tmp_path: Path) -> None:
    source = write(tmp_path, "good.yaml", JOURNEY)
    with open(source, "rb") as handle:
        code, out = cli("validate", "/dev/fd/0", stdin=handle)
    assert code == 0, out


@pytest.mark.parametrize(("command", "make"), [
    ("validate", lambda tmp: [str(tmp / "big.yaml")]),
    ("config", lambda tmp: ["audit", str(tmp / "good.yaml"), "--config", str(tmp / "big.toml")]),
    ("baseline", lambda tmp: ["audit", str(tmp / "good.yaml"), "--baseline",
                              str(tmp / "big.json")]),
    ("mapping", lambda tmp: ["discover", str(tmp / "log.csv"), "--map", str(tmp / "big.toml")]),
    ("import", lambda tmp: ["import", "mermaid", str(tmp / "big.mmd")]),
])
def test_files_over_the_limit_are_refused_without_being_read(tmp_path: Path, command: str,
                                                              make: object) -> None:
    write(tmp_path, "good.yaml", JOURNEY)
    write(tmp_path, "log.csv", LOG)
    for name in ("big.yaml", "big.toml", "big.json", "big.mmd"):
        with open(tmp_path / name, "wb") as handle:
            handle.truncate(64 * MAX_INPUT_BYTES)  # sparse: nothing is written to disk
    arguments = make(tmp_path)  # type: ignore[operator]
    if command == "validate":
        arguments = ["validate", *arguments]
    started = time.monotonic()
    code, out = cli(*arguments, timeout=30)
    big = next(a for a in arguments if "big." in a)
    assert_located(code, out, big, "are not read")
    assert time.monotonic() - started < 20


def test_a_log_over_its_limit_is_refused_without_being_read(tmp_path: Path) -> None:
    log = tmp_path / "huge.csv"
    with open(log, "wb") as handle:
        handle.write(LOG.encode())
        handle.truncate(MAX_LOG_BYTES + 1)
    code, out = cli("discover", str(log), timeout=30)
    assert_located(code, out, log, "are not read")


@needs_fd_paths
def test_a_log_from_a_pipe_is_stopped_at_its_limit_where_it_got_to(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The limit holds while the log is streamed, not only on the size a file claims."""
    import cx_audit.eventlog.reader as log_reader

    monkeypatch.setattr(log_reader, "MAX_LOG_BYTES", 2 * 1024 * 1024)
    rows = "".join(f"{i},call,2024-01-01T10:00:00\n" for i in range(100_000))  # 3.2 MiB
    read_end, write_end = os.pipe()

    def feed() -> None:
        with contextlib.suppress(OSError), os.fdopen(write_end, "wb") as handle:
            handle.write(("case,activity,timestamp\n" + rows).encode())

    thread = threading.Thread(target=feed, daemon=True)
    thread.start()
    try:
        code, out = invoke("discover", f"/dev/fd/{read_end}")
    finally:
        os.close(read_end)
        thread.join(5)
    line = assert_located(code, out, f"/dev/fd/{read_end}", "larger than 2 MiB")
    assert int(LOCATED.match(line)["line"]) > 10_000  # type: ignore[index]


@needs_fd_paths
def test_a_log_line_without_end_is_refused_at_its_line() -> None:
    read_end, write_end = os.pipe()
    stop = threading.Event()

    def feed() -> None:
        try:
            os.write(write_end, b"case,activity,timestamp\n")
            while not stop.is_set():
                os.write(write_end, b"x" * 65536)
        except OSError:
            pass

    thread = threading.Thread(target=feed, daemon=True)
    thread.start()
    try:
        code, out = invoke("discover", f"/dev/fd/{read_end}")
    finally:
        stop.set()
        os.close(read_end)
        thread.join(5)
        os.close(write_end)
    assert_located(code, out, f"/dev/fd/{read_end}", "line 2 is longer than")


# -- what is not a file or a pipe is refused --------------------------------------------------


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
@pytest.mark.parametrize("arguments", [
    ["validate", "/dev/zero"],
    ["audit", "{good}", "--config", "/dev/zero"],
    ["audit", "{good}", "--baseline", "/dev/zero"],
    ["conform", "{good}", "{log}", "--map", "/dev/zero"],
    ["discover", "/dev/zero"],
    ["import", "bpmn", "/dev/zero"],
])
def test_devices_are_refused(tmp_path: Path, arguments: list[str]) -> None:
    good = write(tmp_path, "good.yaml", JOURNEY)
    log = write(tmp_path, "log.csv", LOG)
    filled = [a.format(good=good, log=log) for a in arguments]
    code, out = cli(*filled, timeout=30)
    assert_located(code, out, "/dev/zero", "it is a device, not a file")


def test_folders_are_refused_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        read_input(tmp_path, "folder", error=ConfigError, what="configuration")
    assert str(caught.value) == ("folder:1:1: cannot read the configuration: it is a folder, "
                                 "not a file")


@needs_fifo
def test_a_named_pipe_nobody_writes_to_does_not_hang(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "PIPE_IDLE_SECONDS", 0.5)
    fifo = tmp_path / "journey.yaml"
    os.mkfifo(fifo)
    started = time.monotonic()
    code, out = invoke("validate", str(fifo))
    assert_located(code, out, fifo, "nothing arrived on the pipe for 0.5 s")
    assert time.monotonic() - started < 10


@needs_fifo
def test_a_named_pipe_written_to_a_moment_later_is_read(tmp_path: Path) -> None:
    fifo = tmp_path / "journey.yaml"
    os.mkfifo(fifo)

    def writer() -> None:
        time.sleep(0.3)
        with open(fifo, "w", encoding="utf-8") as handle:
            handle.write(JOURNEY)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    code, out = invoke("validate", str(fifo))
    thread.join(5)
    assert code == 0, out


# -- git blobs ----------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_journey_over_the_limit_in_git_is_refused(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                       cwd=tmp_path, check=True, capture_output=True)

    journey = write(tmp_path, "j.yaml", JOURNEY)
    git("init", "-q")
    with open(journey, "a", encoding="utf-8") as handle:
        line = "# " + "x" * 1020 + "\n"
        handle.write(line * (MAX_INPUT_BYTES // len(line) + 16))
    git("add", "j.yaml")
    git("commit", "-qm", "large")
    write(tmp_path, "j.yaml", JOURNEY)
    for command in ("diff", "compare"):
        code, out = cli(command, "j.yaml", "--base", "HEAD", cwd=tmp_path, timeout=60)
        assert_located(code, out, "HEAD:j.yaml", "larger than 16 MiB")


# -- one depth limit for YAML, TOML and JSON -------------------------------------------------


@pytest.mark.parametrize(("name", "text"), [
    ("arrays.toml", "select = " + "[" * 3000 + "]" * 3000 + "\n"),
    ("tables.toml", "select = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n"),
    ("dotted.toml", "a" + ".a" * 3000 + " = 1\n"),
], ids=["arrays", "inline-tables", "dotted-keys"])
def test_a_config_nested_3000_deep_is_located(tmp_path: Path, name: str, text: str) -> None:
    good = write(tmp_path, "good.yaml", JOURNEY)
    config = write(tmp_path, name, "# deep\n" + text)
    code, out = cli("audit", str(good), "--config", str(config))
    line = assert_located(code, out, config, f"nesting deeper than {MAX_DEPTH} levels")
    assert line.startswith(f"{config}:2:")


@pytest.mark.parametrize("suffix", [".toml", ".yaml"])
def test_a_mapping_nested_3000_deep_is_located(tmp_path: Path, suffix: str) -> None:
    good = write(tmp_path, "good.yaml", JOURNEY)
    log = write(tmp_path, "log.csv", LOG)
    equals = " = " if suffix == ".toml" else ": "
    mapping = write(tmp_path, "map" + suffix, "entries" + equals + "[" * 3000 + "]" * 3000)
    for arguments in (["conform", str(good), str(log)], ["discover", str(log)]):
        code, out = cli(*arguments, "--map", str(mapping))
        line = assert_located(code, out, mapping)
        # the limit is the reader's for TOML; for YAML, newer libyaml versions stop first,
        # at their own flow-nesting limit: located either way
        assert (f"nesting deeper than {MAX_DEPTH} levels" in line
                or "exceeded maximum nesting depth" in line), line


def test_a_baseline_nested_100000_deep_is_located(tmp_path: Path) -> None:
    good = write(tmp_path, "good.yaml", JOURNEY)
    baseline = write(tmp_path, "baseline.json", "[" * 100_000 + "]" * 100_000)
    code, out = cli("audit", str(good), "--baseline", str(baseline))
    line = assert_located(code, out, baseline, f"nesting deeper than {MAX_DEPTH} levels")
    assert line.startswith(f"{baseline}:1:{MAX_DEPTH + 1}:")


def test_nesting_up_to_the_limit_is_parsed() -> None:
    deep = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert json.dumps(parse_json(deep, "j")) == deep  # parsed, not refused
    shallower = "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)  # under the table that holds it
    assert parse_toml("x = " + shallower, "t")["x"] == parse_json(shallower, "j")
    with pytest.raises(ProblemsError, match=r"^t:1:1: nesting deeper"):
        parse_toml("x = " + deep, "t")
    with pytest.raises(ProblemsError, match=rf"^j:1:{MAX_DEPTH + 1}: nesting deeper"):
        parse_json("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "j")


def test_brackets_inside_strings_and_comments_do_not_count() -> None:
    noise = "[" * 5000
    assert parse_json(json.dumps({"a": noise}), "j") == {"a": noise}
    text = f'a = "{noise}"\nb = \'{noise}\'\nc = """\n{noise}"""\n# {noise}\n'
    assert parse_toml(text, "t")["b"] == noise


# -- configurations and baselines with values out of range --------------------------------------


def test_a_pyproject_whose_tool_is_not_a_table(tmp_path: Path) -> None:
    good = write(tmp_path, "good.yaml", JOURNEY)
    pyproject = write(tmp_path, "pyproject.toml", '# about cx-audit\ntool = 5\n[project]\n')
    code, out = cli("audit", str(good), "--config", str(pyproject))
    line = assert_located(code, out, pyproject, "'tool' must be a table")
    assert line.startswith(f"{pyproject}:2:1:")
    # found on the way up from the journey's folder: passed over (it has no [tool.cx-audit])
    code, out = cli("audit", "good.yaml", cwd=tmp_path)
    assert code in (0, 1) and "internal error" not in out, out


@pytest.mark.parametrize(("value", "message"), [
    ("9" * 5000, "a number of 5,000 digits is out of range"),
    ("1" + "0" * 400, "option 'max_wait' is out of range: found a number of 401 digits"),
    ("-1" + "0" * 400, "option 'max_wait' is out of range"),
])
def test_a_huge_max_wait_in_a_config(tmp_path: Path, value: str, message: str) -> None:
    good = write(tmp_path, "good.yaml", JOURNEY)
    config = write(tmp_path, ".cx-audit.toml", f"# waits\nmax_wait = {value}\n")
    code, out = cli("audit", str(good), "--config", str(config))
    line = assert_located(code, out, config, message)
    assert line.startswith(f"{config}:2:")


def test_a_baseline_with_a_5000_digit_number(tmp_path: Path) -> None:
    good = write(tmp_path, "good.yaml", JOURNEY)
    baseline = write(tmp_path, "baseline.json",
                     '{"cx-audit-baseline": 1,\n "findings": [' + "7" * 5000 + "]}")
    code, out = cli("audit", str(good), "--baseline", str(baseline))
    line = assert_located(code, out, baseline, "a number of 5,000 digits is out of range")
    assert line.startswith(f"{baseline}:2:15:")


# -- the loader: tags, long integers, numbers out of range --------------------------------------


@pytest.mark.parametrize(("old", "new", "message"), [
    ("journey: good", "journey: good\ntitle: !!int abc", "'abc' is tagged !!int but is not an "
                                                        "integer"),
    ("journey: good", "journey: good\ntitle: !!bool yes", "'yes' is tagged !!bool"),
    ("journey: good", "journey: good\ntitle: !!null x", "'x' is tagged !!null"),
    ("next: [agent]", "next: [!!int agent]", "'agent' is tagged !!int"),
    ("{to: gave-up}", "{to: !!null gave-up}", "'gave-up' is tagged !!null"),
    ("owner: care", "can_resolve: !!bool yes", "'yes' is tagged !!bool"),
])
def test_a_value_its_tag_cannot_hold_is_located(tmp_path: Path, old: str, new: str,
                                                message: str) -> None:
    """The core schema's tags are honoured, so a value a tag cannot hold is an error there."""
    path = journey_with(tmp_path, old, new)
    code, out = cli("validate", str(path))
    assert_located(code, out, path, message)
    [line] = [x for x in out.splitlines() if message in x]
    found = LOCATED.match(line)
    assert found is not None
    text = path.read_text("utf-8").splitlines()[int(found["line"]) - 1]
    assert int(found["col"]) == text.index("!!") + 1


def test_a_tag_that_fits_is_honoured(tmp_path: Path) -> None:
    """The core schema's tags are read: ``!!str 5`` is the text 5, ``!!float 1`` a number."""
    text = journey_with(tmp_path, "journey: good", "journey: good\ntitle: !!str 5")
    assert cli("validate", str(text))[0] == 0
    number = journey_with(tmp_path, "wait: 2m", "wait: !!float 2", "number.yaml")
    assert cli("validate", str(number))[0] == 0


@pytest.mark.parametrize(("old", "new"), [
    ("journey: good", "journey: good\ntitle: {digits}"),
    ("journey: good", "journey: good\nversion: {digits}"),
    ("owner: care", "owner: {digits}"),
    ("owner: care", "label: {digits}"),
    ("owner: care", "evidence: [{digits}]"),
    ("next: [agent]", "next: [{digits}]"),
    ("owner: care", "x-note: {digits}\n    notes: {digits}"),
    ("agents: 2", "agents: {digits}"),
    ("wait: 2m", "wait: {digits}"),
])
def test_an_integer_of_5000_digits_is_located(tmp_path: Path, old: str, new: str) -> None:
    path = journey_with(tmp_path, old, new.format(digits="1" * 5000))
    code, out = cli("validate", str(path))
    assert_located(code, out, path, "has 5,000 digits and is out of range")
    assert "set_int_max_str_digits" not in out


def test_an_integer_of_5000_digits_in_quotes_is_text(tmp_path: Path) -> None:
    path = journey_with(tmp_path, "owner: care", f"label: '{'1' * 5000}'")
    assert cli("validate", str(path))[0] == 0


HUGE = ("1" + "0" * 400, "0x" + "f" * 400, "1e400", "-1e400", "!!float 1" + "0" * 400)


@pytest.mark.parametrize(("old", "field"), [
    ("wait: 2m", "wait: {}"),
    ("handle: 3m", "handle: {}"),
    ("arrivals: 10", "arrivals: {}"),
    ("p: 0.9", "p: {}"),
    ("owner: care", "emotion: {}"),
    ("owner: care", "abandon: {}"),
    ("kind: entry,", "kind: entry, share: {},"),
])
def test_numbers_out_of_range_are_located(tmp_path: Path, old: str, field: str) -> None:
    for number, huge in enumerate(HUGE):
        path = journey_with(tmp_path, old, field.format(huge), f"bad{number}.yaml")
        code, out = cli("validate", str(path))
        line = assert_located(code, out, path)
        negative_duration = huge.startswith("-") and old.startswith(("wait", "handle"))
        assert ("is out of range" in line or (negative_duration and (
            "must be zero or more" in line or "must be positive" in line))), line
    path = journey_with(tmp_path, old, field.format(".inf"), "infinite.yaml")
    assert_located(*cli("validate", str(path)), path, "must be a finite")


def test_agents_out_of_range_are_located(tmp_path: Path) -> None:
    for number, huge in enumerate((str(MAX_AGENTS + 1), "1" + "0" * 400, "0x" + "f" * 400)):
        path = journey_with(tmp_path, "agents: 2", f"agents: {huge}", f"bad{number}.yaml")
        code, out = cli("validate", str(path))
        assert_located(code, out, path, f"at most {MAX_AGENTS:,}")
    path = journey_with(tmp_path, "agents: 2", f"agents: {MAX_AGENTS}", "most.yaml")
    assert cli("validate", str(path))[0] == 0


def test_a_wait_of_1e308_is_refused_and_the_longest_waits_add_up(tmp_path: Path) -> None:
    path = journey_with(tmp_path, "wait: 2m", "wait: 1e308")
    assert_located(*cli("validate", str(path)), path, "at most 100 years")
    longest = f"{MAX_DURATION_MINUTES}"
    path = write(tmp_path, "long.yaml", (
        "journey: long\nsteps:\n"
        f"  a: {{kind: entry, wait: {longest}, next: [b]}}\n"
        f"  b: {{wait: {longest}, next: [c]}}\n"
        f"  c: {{wait: 36500d, next: [done]}}\n"
        "  done: {kind: resolution}\n"))
    code, out = cli("paths", str(path), "-f", "json")
    assert code in (0, 1), out

    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} is not JSON")

    [route] = json.loads(out, parse_constant=refuse)["routes"]
    assert route["wait"] == 3 * MAX_DURATION_MINUTES
    code, out = cli("audit", str(path), "-f", "json")
    metrics = json.loads(out, parse_constant=refuse)["journeys"][0]["metrics"]
    assert metrics["wait_expected"] == pytest.approx(3 * MAX_DURATION_MINUTES)


def test_a_bad_file_does_not_stop_the_audit_of_the_others(tmp_path: Path) -> None:
    bad = [
        journey_with(tmp_path, "journey: good", "journey: good\ntitle: !!int abc", "a.yaml"),
        journey_with(tmp_path, "wait: 2m", "wait: 1" + "0" * 400, "b.yaml"),
        journey_with(tmp_path, "owner: care", "label: " + "1" * 5000, "c.yaml"),
    ]
    good = write(tmp_path, "d.yaml", JOURNEY)
    code, out = cli("audit", str(tmp_path), "-f", "json")
    assert code == 2 and "internal error" not in out
    report = json.loads(out[out.index("{"):])
    assert [j["file"] for j in report["journeys"]] == [str(good)]
    assert sorted({e["file"] for e in report["errors"]}) == [str(p) for p in bad]


# -- event logs: timestamps at the edge of the calendar ------------------------------------------


def test_a_timestamp_past_the_year_9999_is_a_bad_row(tmp_path: Path) -> None:
    log = write(tmp_path, "log.csv", LOG + "1,done,9999-12-31T23:59:60\n")
    code, out = cli("discover", str(log))
    line = assert_located(code, out, log, "falls outside the years 1 to 9999")
    assert line.startswith(f"{log}:4:3:")
    code, out = cli("discover", str(log), "--max-bad-rows", "1")
    assert code == 0 and "1 bad rows were skipped" in out, out


def test_a_timestamp_with_a_5000_digit_fraction_is_read(tmp_path: Path) -> None:
    log = write(tmp_path, "log.csv", LOG + "1,done,2024-01-01T10:05:30." + "5" * 5000 + "\n")
    code, out = cli("discover", str(log))
    assert code == 0, out
    assert '  done:\n    kind: resolution\n    wait: "30.6s"\n' in out  # 30.5555… s


@pytest.mark.parametrize(("text", "accepted"), [
    ("9999-12-31T23:59:59.999", True),
    ("9999-12-31T23:59:60", False),
    ("9999-12-31T24:00:00", False),
    ("9999-12-31T23:00:00-02:00", False),
    ("0001-01-01T00:00:00", True),
    ("0001-01-01T00:30:00+01:00", False),
    ("2024-01-01T10:00:00." + "9" * 5000, True),
])
def test_timestamps_are_kept_within_the_years_1_to_9999(text: str, accepted: bool) -> None:
    assert (TimestampParser()(text) is not None) is accepted
