"""The Mermaid journey importer: the real diagrams against Mermaid's own parse, and edge cases."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cx_audit.core.model import StepKind
from cx_audit.importers import import_file, import_mermaid, journey_text
from cx_audit.importers.mermaid import parse_mermaid_journey

from .helpers import DATA, findings, load

DIAGRAMS = DATA / "journeys" / "mermaid"
INVALID_SCORES = {  # file -> (line, column) of the bad score
    "spec_07_INVALID_score-non-integer.mmd": (7, 19),
    "spec_08_INVALID_score-negative.mmd": (4, 19),
    "spec_09_INVALID_score-above-5.mmd": (4, 19),
}


def expected_parses() -> dict[str, tuple[list[str], list[list[object]]]]:
    """What Mermaid 11 itself made of each diagram (sections, and tasks as 4-item lists)."""
    out = {}
    line = re.compile(r"OK\s+(\S+)\s+sections=(\[.*?\])\s+tasks=(\[.*\])$")
    text = (DIAGRAMS / "EXPECTED_mermaid-11-parse-output.txt").read_text(encoding="utf-8")
    for row in text.splitlines():
        match = line.match(row.strip())
        if match:
            out[match[1]] = (json.loads(match[2]), json.loads(match[3]))
    return out


def test_every_diagram_parses_as_mermaid_does(data: Path) -> None:
    expected = expected_parses()
    assert len(expected) == 11
    for name, (sections, tasks) in expected.items():
        journey, _problems = parse_mermaid_journey(
            (DIAGRAMS / name).read_text(encoding="utf-8"), name)
        assert journey.sections == sections, name
        got = [[t.section, t.name, t.score, t.actors] for t in journey.tasks]
        assert got == tasks, name


def test_every_diagram_becomes_an_ordered_journey(data: Path) -> None:
    expected = expected_parses()
    for name, (_sections, tasks) in expected.items():
        result = import_file("mermaid", DIAGRAMS / name, name)
        if name in INVALID_SCORES:
            [problem] = result.problems
            assert (problem.line, problem.column) == INVALID_SCORES[name], name
            assert "whole number from 1" in problem.message
            result.problems.clear()  # the journey itself is still made, without that emotion
        journey = load(result)
        steps = list(journey.steps.values())
        if not tasks:
            assert steps == [] and result.notes
            continue
        assert [s.label for s in steps[:-1]] == [str(t[1]).strip() for t in tasks]
        assert steps[0].kind is StepKind.ENTRY and steps[-1].kind is StepKind.RESOLUTION
        assert [s.id for s in journey.steps.values()][-1] == "journey-complete"
        for step, task in zip(steps, tasks, strict=False):
            score = task[2]
            valid = isinstance(score, int) and 1 <= score <= 5
            assert step.emotion == (score - 3 if valid else None), (name, task)
            assert step.tags == (task[0],)
            assert [t.target for t in step.next] == [steps[steps.index(step) + 1].id]
        assert findings(journey) == []


def test_scores_map_onto_emotions(data: Path) -> None:
    journey = load(import_file("mermaid", DIAGRAMS / "docs_my-working-day.mmd"))
    assert journey.id == "my-working-day" and journey.title == "My working day"
    assert [s.emotion for s in journey.steps.values()] == [2, 0, -2, 2, 2, None]
    assert journey.steps["do-work"].owner == "Me, Cat"
    assert ("CX505", "do-work") in findings(journey, ("CX505",))


def test_repeated_names_get_unique_ids(data: Path) -> None:
    journey = load(import_file("mermaid", DIAGRAMS / "spec_04_missing-actors.mmd"))
    assert list(journey.steps)[:5] == ["sign-up", "browse-features", "use-core-functionality",
                                       "browse-features-2", "use-core-functionality-2"]
    assert all(s.owner is None for s in journey.steps.values())


def test_a_section_without_tasks_is_noted(data: Path) -> None:
    result = import_file("mermaid", DIAGRAMS / "spec_01_empty-section.mmd")
    assert any("'Order from website'" in n for n in result.notes)
    assert result.document["journey"] == "adding-journey-diagram-functionality-to-mermaid"


# -- hand-written diagrams ----------------------------------------------------------

DIAGRAM = """---
config:
  journey:
    maxLabelWidth: 320
---
%% a comment
journey
  title Renewing a policy
  accTitle: Renewal
  accDescr {
    Two lines
    of description
  }
  section Online
    Log in: 2: Customer   # comment after the task
    Chat with assistant: 1: Bot, Customer
  section Phone
    Call the contact centre: 4: Frontline, Renewals team
    Get the new policy: 5
"""


def test_actors_become_actor_or_owner() -> None:
    result = import_mermaid(DIAGRAM.encode(), "renewal.mmd")
    journey = load(result)
    steps = journey.steps
    assert journey.id == "renewing-a-policy"
    assert (steps["log-in"].actor.value, steps["log-in"].owner) == ("customer", None)
    assert steps["chat-with-assistant"].actor.value == "bot"
    assert any("bot, customer" in n for n in result.notes)
    call = steps["call-the-contact-centre"]
    assert (call.actor.value, call.owner, call.tags) == ("frontline", "Renewals team", ("Phone",))
    assert steps["get-the-new-policy"].actor is None
    assert steps["log-in"].extensions["x-source-id"] == "line 15"
    text = journey_text(result)
    assert text.index("# - Task 'Chat with assistant'") < text.index("journey: renewing")


@pytest.mark.parametrize(("line", "position", "words"), [
    ("    Make tea: 4.5: Me", (3, 15), "found '4.5'"),
    ("    Make tea: 0: Me", (3, 15), "found '0'"),
    ("    Make tea: : Me", (3, 15), "has no score"),
    ("    Make tea:", (3, 14), "has no score"),
    ("    Make tea: 3: Me: Cat", (3, 15), "more than two"),
    ("    Just some words", (3, 5), "cannot read 'Just some words'"),
])
def test_bad_lines_are_problems_at_their_position(line: str, position: tuple[int, int],
                                                  words: str) -> None:
    data = f"journey\n  section Morning\n{line}\n".encode()
    result = import_mermaid(data, "bad.mmd")
    [problem] = result.problems
    assert ((problem.line, problem.column), problem.file) == (position, "bad.mmd")
    assert words in problem.message


def test_a_diagram_of_another_kind_is_refused() -> None:
    result = import_mermaid(b"\n  flowchart LR\n  A --> B\n", "flow.mmd")
    [problem] = result.problems
    assert (problem.line, problem.column) == (2, 3)
    assert "not a Mermaid journey diagram" in problem.message and result.document == {}


def test_text_that_is_not_utf8_is_refused_at_the_bad_byte() -> None:
    [problem] = import_mermaid(b"journey\n  title Caf\xe9\n", "latin.mmd").problems
    assert (problem.line, problem.column) == (2, 12)


def test_unclosed_front_matter_is_a_problem() -> None:
    [problem] = import_mermaid(b"---\nconfig: {}\njourney\n", "x.mmd").problems
    assert (problem.line, problem.column) == (1, 1)
