"""Every error a caller of cx-audit catches, and the located problem they carry.

Bad input is reported as :class:`Problem` values (``FILE:LINE:COL: message``),
collected rather than raised one at a time, so that a user sees every
problem of a file at once. The errors that carry them share one base,
:class:`ProblemsError`; the command line turns any of them into those lines
and exit status 2.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "FACTOR_WORK_LIMIT",
    "BaselineError",
    "CatalogueError",
    "ConfigError",
    "EventLogError",
    "JourneyError",
    "LoopTooEntangled",
    "MappingError",
    "OutputRefused",
    "Problem",
    "ProblemsError",
    "XmlInputError",
    "YamlSourceError",
]


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One problem in an input file, at a 1-based line and column."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class ProblemsError(Exception):
    """An input cannot be used; ``problems`` say where and why, in file order."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def problem(self) -> Problem:
        """The first problem (an error always carries at least one)."""
        return self.problems[0]


class YamlSourceError(ProblemsError):
    """A file could not be read as one YAML document."""


class JourneyError(ProblemsError):
    """A journey file is invalid."""


class ConfigError(ProblemsError):
    """The configuration is invalid."""


class BaselineError(ProblemsError):
    """A baseline file cannot be used."""


class EventLogError(ProblemsError):
    """An event log cannot be read."""


class MappingError(ProblemsError):
    """A mapping from event-log activities to journey steps is invalid."""


class CatalogueError(Exception):
    """The rule modules do not form a valid catalogue (a clash or a malformed rule).

    Raised when the catalogue is built, at import: a defect of the package
    or of a rule being added, not of the user's input.
    """


class XmlInputError(Exception):
    """An input is not acceptable XML; ``line`` and ``column`` are 1-based.

    Raised while parsing, before the file name is known; the importer turns
    it into a :class:`Problem`.
    """

    def __init__(self, line: int, column: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.column = column
        self.message = message


class OutputRefused(Exception):
    """Writing the requested output would destroy something the user owns."""


FACTOR_WORK_LIMIT = 30_000_000
"""Most elimination updates one loop's factorisation may take (about half a minute).

Journeys' loops are local and factor in linear time; a loop of thousands of
steps that all lead to one another at random fills the factors until the
work grows with the cube of its size. Past this budget the journey is
reported as too entangled to solve exactly, instead of the audit hanging."""


class LoopTooEntangled(ArithmeticError):
    """A loop cannot be solved within the work budget, or within floating point.

    ``size`` is the number of steps of the loop. The audit reports it as a
    problem of the journey file rather than hanging or printing infinities.
    """

    def __init__(self, size: int, message: str | None = None) -> None:
        super().__init__(message or (
            f"a loop of {size} steps that all lead to one another is too entangled to solve "
            f"exactly (more than {FACTOR_WORK_LIMIT:,} elimination updates); split it into "
            "smaller loops"))
        self.size = size
