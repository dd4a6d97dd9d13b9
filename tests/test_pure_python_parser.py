"""The loader gives the same results with PyYAML's pure-Python parser as with libyaml.

The C parser is used where PyYAML was built with libyaml; elsewhere the
loader falls back to the pure-Python parser, which emits the same events.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, JOURNEYS

import cx_audit.io.yamlsource as yamlsource
from cx_audit.io.loader import JourneyError, load_journey

FILES = sorted((FIXTURES / "valid").glob("*.yaml")) + sorted(JOURNEYS.glob("*.yaml"))
INVALID = sorted((FIXTURES / "invalid").glob("*.yaml"))
PARSER_MESSAGES = ("invalid YAML", "invalid character")


def outcome(path: Path) -> object:
    try:
        return load_journey(path)
    except JourneyError as exc:
        return [(p.line, p.column, p.message) for p in exc.problems]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_valid_files_load_identically(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with_c = outcome(path)
    monkeypatch.setattr(yamlsource, "_Parser", yaml.SafeLoader)
    assert outcome(path) == with_c


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_files_give_the_same_problems(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with_c = outcome(path)
    monkeypatch.setattr(yamlsource, "_Parser", yaml.SafeLoader)
    pure = outcome(path)
    assert isinstance(with_c, list) and isinstance(pure, list)
    # the parsers word (and may place) their own syntax errors differently; everything the
    # loader itself reports is identical
    assert [p for p in pure if not p[2].startswith(PARSER_MESSAGES)] == [
        p for p in with_c if not p[2].startswith(PARSER_MESSAGES)]
    assert len(pure) == len(with_c)
