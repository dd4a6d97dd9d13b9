"""Fixtures for the importer tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import DATA


@pytest.fixture
def data() -> Path:
    """The shared real material (../shared/data), or skip when it is not there."""
    if not DATA.is_dir():
        pytest.skip("../shared/data is not available")
    return DATA
