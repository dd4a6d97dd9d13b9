"""Load every journey of an audit: files and folders, ids unique across files."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

from cx_audit.core.model import Journey, Location
from cx_audit.io.files import expand_paths
from cx_audit.io.loader import JourneyError, load_journey
from cx_audit.io.yamlsource import Problem

__all__ = ["JourneySet", "load_paths", "unique_journeys"]


@dataclass(slots=True)
class JourneySet:
    """What an audit read: the valid journeys, the problems, and every file looked at."""

    journeys: list[Journey] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def files_with_problems(self) -> int:
        """How many files have at least one problem."""
        return len({p.file for p in self.problems})


def load_paths(paths: Iterable[str | os.PathLike[str]]) -> JourneySet:
    """Load the journeys named by ``paths`` (files or folders).

    A file with problems contributes its problems and no journey. A journey
    id used by an earlier file is a problem of the later file, at its
    ``journey:`` line.
    """
    result = JourneySet()
    files, result.missing = expand_paths(paths)
    result.files = files
    loaded = []
    for path in files:
        try:
            loaded.append(load_journey(path))
        except JourneyError as exc:
            result.problems.extend(exc.problems)
    result.journeys, duplicates = unique_journeys(loaded)
    result.problems.extend(duplicates)
    return result


class _Named(Protocol):
    """A journey, or what a run keeps of one: its id and where it is named."""

    @property
    def id(self) -> str: ...

    @property
    def location(self) -> Location: ...


NamedJourney = TypeVar("NamedJourney", bound=_Named)


def unique_journeys(journeys: Iterable[NamedJourney]) -> tuple[list[NamedJourney], list[Problem]]:
    """Keep the first journey of each id; later ones become problems at their ``journey:`` line."""
    first_seen: dict[str, NamedJourney] = {}
    kept: list[NamedJourney] = []
    problems: list[Problem] = []
    for journey in journeys:
        earlier = first_seen.get(journey.id)
        if earlier is not None:
            loc = journey.location
            problems.append(Problem(
                loc.file, loc.line, loc.column,
                f"journey id '{journey.id}' is already used by {earlier.location}",
            ))
            continue
        first_seen[journey.id] = journey
        kept.append(journey)
    return kept, problems
