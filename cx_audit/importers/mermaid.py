"""Mermaid ``journey`` diagrams as journeys.

A Mermaid journey is a list of sections, each with tasks written
``Task name: score: actor, actor``. It has no edges: the order of the tasks
is the order of the journey. The mapping:

- each task becomes a step, in order; the first task is the entry and each
  task leads to the next; after the last task one step is added, the
  resolution "Journey complete" (the diagram says nothing about how the
  journey ends, and a journey needs a resolution to be audited);
- the score (1 bad … 5 good) becomes the emotion, ``score - 3`` (-2 … +2);
  a score that is not a whole number from 1 to 5 is a problem of the input,
  reported at its line and column (Mermaid itself only fails when drawing);
- an actor named like one of the format's actors (``customer``,
  ``frontline``, ``backoffice``, ``system``, ``bot``, ``partner``, any case)
  becomes the step's ``actor``. An actor name with an actor keyword of
  :mod:`cx_audit.text.words` (``Kunde``, ``Second-Level-Support``) gives
  the step that actor too, and stays an owner: it names a team. The other
  actor names, joined by commas, become its ``owner``;
- the section becomes a tag of its tasks;
- the diagram's ``title`` becomes the journey's title and id;
- tasks have no ids in Mermaid, so ``x-source-id`` holds the task's line
  (``line 12``).

The reader follows Mermaid's own grammar: ``%%`` and ``#`` start comments,
front matter between ``---`` lines is skipped, ``accTitle``/``accDescr``
are read and ignored, and task names keep their text up to the first colon.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from cx_audit.core.errors import Problem
from cx_audit.core.model import Actor
from cx_audit.importers.drafts import DraftEdge, DraftStep, clean_text, render_document, slugify
from cx_audit.text.words import actor_for_name

__all__ = ["MermaidJourney", "MermaidTask", "convert_mermaid", "parse_mermaid_journey"]

_ACTORS = {a.value for a in Actor}
_KEYWORD = re.compile(r"(?i)journey\b")
_ACC_LINE = re.compile(r"(?i)acc(?:Title|Descr)\s*:")
_ACC_BLOCK = re.compile(r"(?i)accDescr\s*\{")


@dataclass
class MermaidTask:
    """One task as Mermaid reads it, with where its score was written."""

    section: str | None
    name: str
    score: float | None
    score_text: str
    actors: list[str]
    line: int
    column: int
    score_column: int


@dataclass
class MermaidJourney:
    """The parts of a journey diagram: title, sections in order, tasks in order."""

    title: str = ""
    sections: list[str] = field(default_factory=list)
    tasks: list[MermaidTask] = field(default_factory=list)


def _strip_comment(line: str) -> str:
    """The line without a ``#`` or ``%%`` comment (``%%{…}%%`` directives are dropped too)."""
    for marker in ("%%", "#"):
        index = line.find(marker)
        if index >= 0:
            line = line[:index]
    return line


def _number(text: str) -> float | None:
    """The score as a number, the way a JavaScript ``Number()`` reads plain decimals.

    ``None`` when it is not a finite number (``inf``, ``1e400`` and ``NaN`` included).
    """
    stripped = text.strip()
    if not stripped:
        return 0.0
    try:
        value = float(stripped)
    except ValueError:
        return None
    return value if math.isfinite(value) else None  # inf and 1e400 are no score either


def parse_mermaid_journey(text: str, source: str) -> tuple[MermaidJourney, list[Problem]]:
    """Read a journey diagram; problems are reported with their 1-based line and column."""
    journey = MermaidJourney()
    problems: list[Problem] = []
    lines = text.splitlines()
    index = 0
    if lines and lines[0].strip() == "---":
        closing = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        if closing is None:
            return journey, [Problem(source, 1, 1, "the front matter that starts here is never "
                                                   "closed with '---'")]
        index = closing + 1
    header_seen = False
    section: str | None = None
    in_block = False
    for number in range(index, len(lines)):
        raw = lines[number]
        line_no = number + 1
        if in_block:
            if "}" in raw:
                in_block = False
            continue
        body = _strip_comment(raw)
        stripped = body.strip()
        if not stripped:
            continue
        column = len(body) - len(body.lstrip()) + 1
        if not header_seen:
            if _KEYWORD.fullmatch(stripped):
                header_seen = True
                continue
            return journey, [Problem(source, line_no, column, "not a Mermaid journey diagram: "
                                     f"the first statement is '{stripped[:40]}', expected "
                                     "'journey'")]
        lowered = stripped.lower()
        if lowered.startswith("title ") or lowered == "title":
            journey.title = clean_text(stripped[5:])
        elif _ACC_BLOCK.match(stripped):
            in_block = "}" not in stripped
        elif _ACC_LINE.match(stripped):
            continue
        elif lowered.startswith(("section ", "section\t")):
            name = stripped[8:]
            if ":" in name:
                problems.append(Problem(source, line_no, column + 8 + name.index(":"),
                                        "a section name cannot contain ':'"))
                name = name[: name.index(":")]
            section = name.strip()
            journey.sections.append(section)
        elif ":" in stripped:
            offset = body.index(stripped)
            name, _, data = stripped.partition(":")
            pieces = data.split(":")
            score_text = pieces[0]
            actors = [a.strip() for a in pieces[1].split(",")] if len(pieces) > 1 else []
            lead = len(score_text) - len(score_text.lstrip())
            score_column = offset + len(name) + 1 + lead + 1
            task = MermaidTask(section, name, _number(score_text), score_text.strip(), actors,
                               line_no, offset + 1, score_column)
            journey.tasks.append(task)
            if task.score is None or task.score != int(task.score) or not 1 <= task.score <= 5:
                shown = task.score_text or "nothing"
                problems.append(Problem(
                    source, line_no, score_column,
                    f"the score of task '{clean_text(name)}' must be a whole number from 1 "
                    f"(bad) to 5 (good), found {shown!r}" if task.score_text else
                    f"the task '{clean_text(name)}' has no score: write it as "
                    "'Task: 1-5: actors'"))
            if len(pieces) > 2:
                problems.append(Problem(source, line_no, score_column,
                                        f"the task '{clean_text(name)}' has more than two ':'; "
                                        "write it as 'Task: score: actor, actor'"))
        else:
            problems.append(Problem(source, line_no, column,
                                    f"cannot read '{stripped[:40]}': expected 'title', "
                                    "'section' or a task 'name: score: actors'"))
    if not header_seen:
        problems.append(Problem(source, 1, 1, "not a Mermaid journey diagram: the 'journey' "
                                              "keyword is missing"))
    return journey, problems


def _decode(data: bytes, source: str) -> tuple[str | None, Problem | None]:
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        return None, Problem(source, line, column, "the file is not UTF-8 text "
                                                   f"(byte 0x{data[exc.start]:02x})")


def convert_mermaid(data: bytes, source: str) -> tuple[dict[str, Any], list[str], list[Problem]]:
    """The journey document, notes and problems for the journey diagram ``data``."""
    text, problem = _decode(data, source)
    if text is None:
        assert problem is not None
        return {}, [], [problem]
    journey, problems = parse_mermaid_journey(text, source)
    if problems and not journey.tasks and not journey.sections and not journey.title:
        return {}, [], problems
    notes: list[str] = []
    used = {t.section for t in journey.tasks}
    for name in journey.sections:
        if name not in used:
            notes.append(f"Section '{name}' has no tasks: it adds no step.")
    drafts: list[DraftStep] = []
    for position, task in enumerate(journey.tasks):
        names = [a for a in task.actors if a]
        mapped = [actor for actor in (a.lower() if a.lower() in _ACTORS else actor_for_name(a)
                                      for a in names) if actor]
        others = [a for a in names if a.lower() not in _ACTORS]
        emotion = None
        if task.score is not None and task.score == int(task.score) and 1 <= task.score <= 5:
            emotion = int(task.score) - 3
        if len(set(mapped)) > 1:
            notes.append(f"Task '{clean_text(task.name)}' (line {task.line}) names the actors "
                         f"{', '.join(sorted(set(mapped)))}; a step has one actor, so "
                         f"'{mapped[0]}' is used.")
        drafts.append(DraftStep(
            key=f"task{position}", name=clean_text(task.name), fallback="task",
            kind="entry" if position == 0 else "step",
            fields={"actor": mapped[0] if mapped else None,
                    "owner": ", ".join(others) or None,
                    "emotion": emotion,
                    "tags": [task.section] if task.section else []},
            source_id=f"line {task.line}",
            edges=[DraftEdge(f"task{position + 1}" if position + 1 < len(journey.tasks)
                             else "complete")],
        ))
    if drafts:
        drafts.append(DraftStep("complete", "", "journey-complete", kind="resolution",
                                label="Journey complete"))
    else:
        notes.append("The diagram has no tasks, so the journey has no steps.")
    stem = PurePath(source).stem
    title = journey.title or stem
    document = render_document(slugify(title, "") or slugify(stem, "journey"), title, drafts,
                               {"x-imported-from": {"format": "mermaid",
                                                    "file": PurePath(source).name}},
                               notes)
    return document, notes, problems
