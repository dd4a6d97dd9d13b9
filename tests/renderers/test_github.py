"""GitHub Actions annotations: one command line per item, escaped so none can be split or forged."""

from __future__ import annotations

import re

from cx_audit.audit.run import AuditRun
from cx_audit.core.findings import Finding
from cx_audit.renderers.github import escape_data, escape_property, render_github
from cx_audit.text.safe import printable

from .shared import (
    HOSTILE_BROKEN,
    HOSTILE_FILE,
    HOSTILE_TEXT,
    check_golden,
)

COMMAND = re.compile(r"::(error|warning|notice) ([^:]*)::(.*)")
PROPERTY_NAMES = ["file", "line", "col", "endLine", "endColumn", "title"]


def _unescape(text: str) -> str:
    """What the runner reads back from an escaped value (``%25`` last)."""
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, char)
    return text


def _parse(output: str) -> list[tuple[str, dict[str, str], str]]:
    """Each line as (command, properties, message), checking the line's shape."""
    assert output.endswith("\n") or output == ""
    commands = []
    for line in output.splitlines():
        match = COMMAND.fullmatch(line)
        assert match, line
        kind, raw, message = match.groups()
        pairs = [item.split("=", 1) for item in raw.split(",")]
        assert all(len(pair) == 2 for pair in pairs), line
        names = [name for name, _ in pairs]
        assert names == [n for n in PROPERTY_NAMES if n in names], line
        commands.append((kind, {name: _unescape(value) for name, value in pairs},
                         _unescape(message)))
    return commands


def test_golden(sample_run: AuditRun) -> None:
    check_golden("sample.github.txt", render_github(sample_run))


def test_escaping_matches_the_toolkit() -> None:
    assert escape_data("50%\r\nnext") == "50%25%0D%0Anext"
    assert escape_data("a:b,c") == "a:b,c"
    assert escape_property("50%\r\na:b,c") == "50%25%0D%0Aa%3Ab%2Cc"
    assert escape_property("%3A") == "%253A"  # % first, so escapes are not escaped twice


def test_one_line_per_finding_and_problem(sample_run: AuditRun) -> None:
    commands = _parse(render_github(sample_run))
    assert len(commands) == len(sample_run.findings) + len(sample_run.problems) + \
        len(sample_run.missing)
    kinds = {"error": "error", "warning": "warning", "info": "notice"}
    findings = sorted(sample_run.findings, key=Finding.sort_key)
    finding_commands = [c for c in commands if "(input-error)" not in c[1]["title"]]
    for (kind, props, message), finding in zip(finding_commands, findings, strict=True):
        assert kind == kinds[finding.severity.value]
        assert props["title"] == f"cx-audit ({finding.rule})"
        assert props["file"] == "journeys/support.yaml"
        assert (int(props["line"]), int(props["col"])) == (finding.line, finding.column)
        assert props["endLine"] == props["line"]
        assert int(props["endColumn"]) == finding.column + 1
        assert message.startswith(finding.message)


def test_input_problems_are_errors(sample_run: AuditRun) -> None:
    commands = _parse(render_github(sample_run))
    problems = [c for c in commands if c[1]["title"] == "cx-audit (input-error)"]
    assert [(kind, props.get("file"), props.get("line")) for kind, props, _ in problems] == [
        ("error", "journeys/broken.yaml", "4"), ("error", None, None)]
    assert problems[1][2] == "journeys/gone.yaml: no such file or folder"


def test_evidence_follows_the_message(sample_run: AuditRun) -> None:
    commands = _parse(render_github(sample_run))
    wait = next(c for c in commands if c[1]["title"] == "cx-audit (CX502)")
    assert wait[2] == ("Customers wait 3 d at step 'billing' (more than 2 d for an asynchronous "
                       "wait; back office)\n"
                       "Evidence: Callbacks take 3 days (CRM export, May)")


def test_a_clean_run_prints_nothing() -> None:
    assert render_github(AuditRun()) == ""


def test_hostile_text_cannot_split_or_forge_a_command(hostile_run: AuditRun) -> None:
    output = render_github(hostile_run)
    assert "\r" not in output and "\x1b" not in output
    commands = _parse(output)  # every line is exactly one well-formed command
    assert len(commands) == len(hostile_run.findings) + len(hostile_run.problems)
    journey_file, broken_file = HOSTILE_FILE, HOSTILE_BROKEN
    shown = printable(HOSTILE_TEXT, keep_newlines=True)
    assert {props["file"] for _, props, _ in commands} == {journey_file, broken_file}
    with_notes = [c for c in commands if c[1]["file"] == journey_file and "Evidence" in c[2]]
    assert with_notes
    for _, _, message in with_notes:
        assert f"Evidence: {shown}\nEvidence: second note: 5%, fine" in message
    problem = next(c for c in commands if c[1]["file"] == broken_file)
    assert problem[0] == "error" and shown in problem[2]
    # the forged command inside the text never starts a line of its own
    assert not any(line.startswith("::error file=x.yaml") for line in output.splitlines())
    assert "[red]bold[/red]" in output and "<script>" in output
