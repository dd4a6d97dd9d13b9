"""GitHub Actions workflow commands: one annotation per finding, on the journey file.

Each finding becomes one line such as (wrapped here)::

    ::warning file=journeys/a.yaml,line=12,col=9,endLine=12,endColumn=10,
    title=cx-audit (CX301)::Cold handoff from 'agent' to 'billing': ...

with ``error``, ``warning`` and ``notice`` for the severities error,
warning and info. The step's ``evidence`` lines follow the message on
lines of their own (encoded as ``%0A``, so the command stays one line).
Input problems are ``::error`` lines titled ``cx-audit (input-error)``;
a path that does not exist gets one without a file.

Everything that can come from a journey file (paths, messages, evidence)
is made printable first (control characters such as terminal escapes shown
as ``\\x1b``), then escaped the way the Actions toolkit does: in the
message ``%``, CR and LF; in property values also ``:`` and ``,``. No
line can therefore end a command early or start a new one.

GitHub shows at most 10 errors, 10 warnings and 10 notices per step (50
per job); the rest are not displayed as annotations but stay in the log.
Every finding is printed all the same.
"""

from __future__ import annotations

from cx_audit.audit.engine import JourneyAudit
from cx_audit.audit.run import AuditRun
from cx_audit.core.findings import Finding, Severity
from cx_audit.renderers.sarif import INPUT_RULE_ID, relative_path
from cx_audit.text.safe import printable

__all__ = ["escape_data", "escape_property", "render_github"]

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """A command's message: ``%`` first, then CR and LF."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value: as a message, plus ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(kind: str, message: str, *, file: str | None = None, line: int | None = None,
             column: int | None = None, title: str) -> str:
    properties: list[tuple[str, str]] = []
    if file is not None:
        properties.append(("file", relative_path(file)))
    if line is not None:
        line = max(line, 1)
        properties.append(("line", str(line)))
        if column is not None:
            column = max(column, 1)
            properties += [("col", str(column)), ("endLine", str(line)),
                           ("endColumn", str(column + 1))]
        else:
            properties.append(("endLine", str(line)))
    properties.append(("title", title))
    rendered = ",".join(f"{key}={escape_property(printable(value, keep_newlines=True))}"
                        for key, value in properties if value)
    return f"::{kind} {rendered}::{escape_data(printable(message, keep_newlines=True))}"


def _finding_message(finding: Finding) -> str:
    lines = [finding.message or finding.name]
    lines += [f"Evidence: {note}" for note in finding.evidence.notes]
    return "\n".join(lines)


def render_github(run: AuditRun[JourneyAudit]) -> str:
    """The run as workflow commands, one line each (empty when there is nothing to say)."""
    lines = []
    for problem in sorted(run.problems):
        lines.append(_command("error", problem.message or "invalid input", file=problem.file,
                              line=problem.line, column=problem.column,
                              title=f"cx-audit ({INPUT_RULE_ID})"))
    for missing in run.missing:
        lines.append(_command("error", f"{missing}: no such file or folder",
                              title=f"cx-audit ({INPUT_RULE_ID})"))
    for finding in sorted(run.findings, key=Finding.sort_key):
        lines.append(_command(COMMANDS.get(finding.severity, "warning"),
                              _finding_message(finding), file=finding.file, line=finding.line,
                              column=finding.column, title=f"cx-audit ({finding.rule})"))
    return "".join(line + "\n" for line in lines)
