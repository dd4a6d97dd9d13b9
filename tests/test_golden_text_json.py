"""Golden outputs of the text and JSON formats on a small fixed journey.

The other formats have their own golden files (tests/renderers/golden for
SARIF, GitHub, JUnit and GitLab; tests/golden for Markdown, Mermaid and DOT).
Only the pinned rules run (tests/conftest.py), so adding a rule changes none
of them. Regenerate with CX_AUDIT_UPDATE_GOLDEN=1 after a deliberate change, then
read the difference before committing it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import PINNED

from cx_audit.audit.run import run_audit
from cx_audit.renderers import render_audits

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("CX_AUDIT_UPDATE_GOLDEN") == "1"


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.chdir(GOLDEN)  # relative paths in every output
    return run_audit(["small.yaml"], PINNED)  # a new rule changes no golden file


def check(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs; set CX_AUDIT_UPDATE_GOLDEN=1"


def test_text_golden(run) -> None:  # type: ignore[no-untyped-def]
    check("small.txt", render_audits("text", run, color=False, width=100))


def test_json_golden(run) -> None:  # type: ignore[no-untyped-def]
    text = render_audits("json", run)
    check("small.json", json.dumps(json.loads(text), indent=1) + "\n")
