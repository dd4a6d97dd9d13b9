"""The example journeys shipped in journeys/ are valid, realistic and editor-ready."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
from conftest import JOURNEYS

from cx_audit.audit.collection import load_paths
from cx_audit.io.loader import load_journey
from cx_audit.io.schema import journey_schema
from cx_audit.io.yamlsource import compose_text, to_python

EXAMPLES = sorted(JOURNEYS.glob("*.yaml"))
MODELINE = "# yaml-language-server: $schema=../schema/journey.schema.json"


def test_there_are_enough_examples() -> None:
    assert len(EXAMPLES) >= 6


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_is_valid_and_sized_like_a_real_journey(path: Path) -> None:
    journey = load_journey(path)
    assert 15 <= len(journey.steps) <= 40
    assert path.read_text("utf-8").splitlines()[0] == MODELINE


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_validates_against_the_schema(path: Path) -> None:
    root, problems = compose_text(path.read_text("utf-8"), str(path))
    assert problems == []
    errors = list(jsonschema.Draft7Validator(journey_schema()).iter_errors(to_python(root)))
    assert errors == []


def test_example_ids_are_unique_and_a_redesign_exists() -> None:
    loaded = load_paths([JOURNEYS])
    assert loaded.problems == []
    ids = [j.id for j in loaded.journeys]
    assert any("redesign" in i for i in ids)
