"""Fixtures of the CI-format tests: the shared runs, each audited from its own folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from cx_audit.audit.run import AuditRun

from .shared import build_hostile_run, build_sample_run


@pytest.fixture
def sample_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AuditRun:
    """The shared sample run, audited from its own folder."""
    monkeypatch.chdir(tmp_path)
    return build_sample_run(tmp_path)


@pytest.fixture
def hostile_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AuditRun:
    """The shared hostile run, audited from its own folder."""
    monkeypatch.chdir(tmp_path)
    return build_hostile_run(tmp_path)
