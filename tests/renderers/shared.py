"""The audit runs shared by the CI-format tests: a small fixed one behind the golden files,
and a hostile one.

Journeys are written as text into a temporary folder and audited from there
with relative paths, so every path in the outputs is ``journeys/...`` on any
machine. Set ``CX_AUDIT_UPDATE_GOLDEN=1`` to rewrite the golden files, then
read the diff before keeping it. Only the pinned rules run (tests/conftest.py), so
adding a rule changes no golden file here.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from textwrap import dedent

from conftest import PINNED

from cx_audit.audit.run import AuditRun, run_audit

GOLDEN = Path(__file__).resolve().parent / "golden"
ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"

SAMPLE = {
    "journeys/support.yaml": """\
        journey: support
        title: Broadband support
        owner: care
        steps:
          call:
            kind: entry
            label: Calls the hotline
            next: [menu]
          menu:
            shield: ivr
            actor: system
            ignore:
              CX502: "the wait is the recorded message"
              long-wait: "same, by name"
            next:
              - {to: agent, p: 0.7}
              - {to: lost}
          agent:
            actor: frontline
            can_resolve: false
            next:
              - {to: done, p: 0.6}
              - {to: billing, handoff: cold}
          billing:
            actor: backoffice
            wait: 3d
            evidence:
              - "Callbacks take 3 days (CRM export, May)"
            next: [done]
          done:
            kind: resolution
          lost:
            kind: abandon
        """,
    "journeys/clean.yaml": """\
        journey: clean
        title: Password reset
        owner: web
        steps:
          start:
            kind: entry
            label: Opens the reset page
            next: [done]
          done:
            kind: resolution
        """,
    "journeys/broken.yaml": """\
        journey: broken
        steps:
          ask:
            kind: entyr
            next: [done]
          done:
            kind: resolution
        """,
}
SAMPLE_PATHS = [*SAMPLE, "journeys/gone.yaml"]
"""The sample's arguments: three files (one invalid) and a path that does not exist."""

HOSTILE_TEXT = (
    '100% sure\n::error file=x.yaml,line=1::injected, a:b <script>alert(1)</script> ]]> '
    '"quoted" \x1b[31mred\x1b[0m [red]bold[/red]\r\nlast line'
)
"""Everything a careless format would let through: %, CR/LF, :, ',', markup, ANSI, rich."""

HOSTILE_FILE = "journeys/odd, name: 50%.yaml"
HOSTILE_BROKEN = "journeys/broken, too.yaml"


def hostile_journeys() -> dict[str, str]:
    """Journeys whose ids are slugs but whose free text is hostile."""
    text = json.dumps(HOSTILE_TEXT)  # a JSON string is a valid YAML double-quoted scalar
    return {
        HOSTILE_FILE: f"""\
            journey: hostile
            title: {text}
            persona: {text}
            steps:
              call:
                kind: entry
                label: {text}
                next:
                  - {{to: agent, handoff: cold, label: {text}}}
              agent:
                actor: frontline
                can_resolve: false
                wait: 45m
                evidence:
                  - {text}
                  - "second note: 5%, fine"
                next: [done]
              done:
                kind: resolution
            """,
        HOSTILE_BROKEN: f"""\
            journey: hostile-broken
            steps:
              ask:
                kind: entry
                wait: {text}
                next: [done]
              done:
                kind: resolution
            """,
    }


def audit_files(folder: Path, files: dict[str, str], paths: list[str]) -> AuditRun:
    """Write ``files`` (name -> text) below ``folder``, then audit ``paths`` (relative)."""
    for name, text in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(dedent(text), encoding="utf-8")
    return run_audit(paths, PINNED)


def build_sample_run(folder: Path) -> AuditRun:
    """The fixed run behind the golden files; ``folder`` must be the working directory."""
    return audit_files(folder, SAMPLE, SAMPLE_PATHS)


def build_hostile_run(folder: Path) -> AuditRun:
    """A run whose titles, labels, evidence, bad values and file names are hostile."""
    files = hostile_journeys()
    return audit_files(folder, files, list(files))


def check_golden(name: str, text: str) -> None:
    """Compare ``text`` with ``golden/NAME``; CX_AUDIT_UPDATE_GOLDEN=1 rewrites the file."""
    path = GOLDEN / name
    if os.environ.get("CX_AUDIT_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    assert path.exists(), f"no golden file {name}: run with CX_AUDIT_UPDATE_GOLDEN=1"
    assert text == path.read_bytes().decode("utf-8")
