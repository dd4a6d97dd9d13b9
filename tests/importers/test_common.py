"""The importer registry, the result type, file reading and the written journey text."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

from cx_audit import importers
from cx_audit.importers import (
    IMPORTERS,
    ImportResult,
    bpmn,
    drafts,
    import_bpmn,
    import_connect,
    import_file,
    import_mermaid,
    journey_text,
)
from cx_audit.io.loader import load_journey_bytes
from cx_audit.io.writer import MODELINE


def test_the_registry_names_one_importer_per_format() -> None:
    assert {"bpmn": import_bpmn, "connect": import_connect,
                         "mermaid": import_mermaid} == IMPORTERS


@pytest.mark.parametrize("module", [drafts, bpmn])
def test_doctests(module: object) -> None:
    assert doctest.testmod(module).failed == 0  # type: ignore[arg-type]


def test_journey_text_puts_the_notes_on_top_and_loads_back() -> None:
    result = import_mermaid(b"journey\n  section Empty\n  section Work\n    Call: 3: Me\n",
                            "diagram.mmd")
    text = journey_text(result)
    lines = text.splitlines()
    assert lines[0] == MODELINE
    assert lines[1].startswith("# Imported from diagram.mmd (Mermaid journey)")
    assert "# - Section 'Empty' has no tasks: it adds no step." in lines
    journey = load_journey_bytes(text.encode(), "diagram.yaml")
    assert list(journey.steps) == ["call", "journey-complete"]


def test_long_notes_are_wrapped() -> None:
    result = ImportResult({"journey": "j", "steps": {}}, ["word " * 60], [], "bpmn", "x.bpmn")
    comments = [line for line in journey_text(result).splitlines() if line.startswith("#")]
    assert all(len(line) <= 100 for line in comments)
    assert sum(line.startswith("#   ") for line in comments) >= 2


def test_journey_text_refuses_a_result_without_journey() -> None:
    result = import_bpmn(b"<broken", "broken.bpmn")
    assert not result.ok and result.format == "bpmn" and result.source == "broken.bpmn"
    with pytest.raises(ValueError, match=r"broken\.bpmn:1:"):
        journey_text(result)


def test_import_file_reports_an_unreadable_file(tmp_path: Path) -> None:
    result = import_file("mermaid", tmp_path / "missing.mmd", "missing.mmd")
    [problem] = result.problems
    assert (problem.file, problem.line, problem.column) == ("missing.mmd", 1, 1)
    assert "cannot read the file" in problem.message


def test_import_file_refuses_oversized_files(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.bpmn"
    path.write_bytes(b"x" * 2048)
    monkeypatch.setattr(importers, "MAX_IMPORT_BYTES", 1024)
    [problem] = import_file("bpmn", path).problems
    assert "are not read" in problem.message


def test_import_file_passes_options(tmp_path: Path) -> None:
    path = tmp_path / "end.bpmn"
    path.write_text(
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p">'
        '<startEvent id="s"/><endEvent id="e" name="Caller hangs up"/>'
        '<sequenceFlow id="f" sourceRef="s" targetRef="e"/></process></definitions>',
        encoding="utf-8")
    default = import_file("bpmn", path).document["steps"]["caller-hangs-up"]["kind"]
    plain = import_file("bpmn", path, abandon_words=()).document["steps"]["caller-hangs-up"]["kind"]
    assert (default, plain) == ("abandon", "resolution")


def test_imports_are_deterministic() -> None:
    data = b"journey\n  title Same\n  section A\n    One: 1: customer\n    Two: 5: customer\n"
    first, second = import_mermaid(data, "a.mmd"), import_mermaid(data, "a.mmd")
    assert journey_text(first) == journey_text(second)


@pytest.mark.parametrize(("text", "slug"), [
    ("Ligação telefônica", "ligacao-telefonica"), ("  Result? ", "result"),
    ("A" * 80, "a" * 48), ("word " * 20, "-".join(["word"] * 9)),
    ("???", "step"), ("Über-Straße 5", "uber-strasse-5"), ("Søndergård", "sondergard"),
    ("Café Crème", "cafe-creme"), ("Łódź", "lodz"),
])
def test_slugify(text: str, slug: str) -> None:
    assert drafts.slugify(text) == slug
