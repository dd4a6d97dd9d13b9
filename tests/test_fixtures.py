"""Every fixture journey gives exactly the problems written at its top.

An invalid fixture starts with ``# expect: LINE:COL message`` lines (every
problem the loader must report, nothing more) and a ``# schema:`` line
saying whether the JSON Schema rejects it too (``reject``), cannot tell
(``accept``: sums, targets, duplicate keys are beyond a schema), or cannot
be asked because the file is not one YAML document (``skip``).
"""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
from conftest import FIXTURES

from cx_audit.io.loader import JourneyError, load_journey
from cx_audit.io.schema import journey_schema
from cx_audit.io.yamlsource import compose_text, to_python

INVALID = sorted((FIXTURES / "invalid").glob("*.yaml"))
VALID = sorted((FIXTURES / "valid").glob("*.yaml"))
VALIDATOR = jsonschema.Draft7Validator(journey_schema())


def header(path: Path, tag: str) -> list[str]:
    return [
        line[len(f"# {tag}: "):].strip()
        for line in path.read_text("utf-8").splitlines()
        if line.startswith(f"# {tag}: ")
    ]


def schema_errors(path: Path) -> list[str]:
    root, _ = compose_text(path.read_text("utf-8"), str(path))
    return [e.message for e in VALIDATOR.iter_errors(to_python(root))]


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_fixture_reports_exactly_its_problems(path: Path) -> None:
    expected = header(path, "expect")
    assert expected, f"{path.name} has no '# expect:' header"
    with pytest.raises(JourneyError) as caught:
        load_journey(path)
    got = [f"{p.line}:{p.column} {p.message}" for p in caught.value.problems]
    assert sorted(got) == sorted(expected)
    assert all(p.file == str(path) for p in caught.value.problems)


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_schema_agrees_on_invalid_fixture(path: Path) -> None:
    (verdict,) = header(path, "schema")
    assert verdict in ("reject", "accept", "skip")
    if verdict == "skip":
        return
    errors = schema_errors(path)
    if verdict == "reject":
        assert errors, "the schema accepts a file the loader rejects for a reason it can state"
    else:
        assert not errors, errors


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_fixture_loads_and_matches_schema(path: Path) -> None:
    load_journey(path)
    assert schema_errors(path) == []
