"""Shared test helpers: fixture folders and the project's real material."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cx_audit.audit.config import Config

ROOT = Path(__file__).resolve().parent.parent

# Tests that start ``python -m cx_audit`` in a child process must run this checkout, not a
# copy installed earlier: the child finds the package through PYTHONPATH.
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
FIXTURES = Path(__file__).resolve().parent / "fixtures"
JOURNEYS = ROOT / "journeys"
SHARED_DATA = ROOT.parent / "shared" / "data"

PINNED_RULES = (
    "CX101", "CX102", "CX103", "CX104", "CX105", "CX106", "CX107",
    "CX201", "CX202", "CX203",
    "CX301", "CX302", "CX303", "CX304", "CX305",
    "CX401", "CX402",
    "CX501", "CX502", "CX503", "CX504", "CX505", "CX506", "CX507",
    "CX900", "CX901",
)
"""The rules that golden files and exact-output tests run: the design rules and CX9 as
they stood when those files were written, by explicit code (never a prefix or ALL).

A rule added later is not among them, so adding a rule changes no golden file and
no exact count: only its own fixtures (tests/rules/<module>/) test it. To show a rule
in the golden files, add its code here and regenerate them (CX_AUDIT_UPDATE_GOLDEN=1).
"""

PINNED = Config(select=PINNED_RULES)
"""The configuration of those tests: the pinned rules at their default settings."""

PINNED_ARGS = ("--select", ",".join(PINNED_RULES))
"""The same selection on the command line."""


@pytest.fixture
def shared_data() -> Path:
    """The shared real material, or skip when it is not beside the checkout."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not available")
    return SHARED_DATA
