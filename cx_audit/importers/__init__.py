"""Turn models made with other tools into journey files.

Three formats are read (``docs/importers.md`` describes every mapping):

``bpmn``
    BPMN 2.0 XML from Camunda, Signavio, bpmn.io and other modelers
    (:func:`import_bpmn`);
``connect``
    Amazon Connect contact flows, both the flow language (``Actions``) and
    the older console export (``modules``) (:func:`import_connect`);
``mermaid``
    Mermaid ``journey`` diagrams (:func:`import_mermaid`).

Each importer takes the file's bytes and a display name and returns an
:class:`ImportResult`: the journey as plain data, the ``notes`` that say in
plain sentences what could not be mapped, and the ``problems`` that made the
input unreadable or invalid (with line and column where known). Importers
never raise for bad input. :func:`journey_text` gives the YAML to write,
with the notes as comments on top; :func:`import_file` reads a file by path.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from cx_audit.core.errors import Problem, ProblemsError
from cx_audit.importers.bpmn import DEFAULT_ABANDON_WORDS, convert_bpmn
from cx_audit.importers.connect import DEFAULT_ERROR_SHARE, convert_connect
from cx_audit.importers.drafts import TEXT_MAX, cap_text
from cx_audit.importers.mermaid import convert_mermaid
from cx_audit.io.reading import read_input
from cx_audit.io.writer import dump_journey

__all__ = [
    "DEFAULT_ABANDON_WORDS",
    "DEFAULT_ERROR_SHARE",
    "IMPORTERS",
    "MAX_IMPORT_BYTES",
    "ImportResult",
    "import_bpmn",
    "import_connect",
    "import_file",
    "import_mermaid",
    "journey_text",
]

MAX_IMPORT_BYTES = 32 * 1024 * 1024
"""Largest input file read by :func:`import_file` (32 MiB)."""

NOTE_MAX = 2 * TEXT_MAX
"""Longest note kept; a note quoting a huge element name is cut, ending in ``…``."""


@dataclass
class ImportResult:
    """What an importer made of one input file.

    ``document`` is the journey as plain data (empty when the input could
    not be read at all); ``notes`` say what could not be mapped, one
    sentence each, naming the element; ``problems`` are errors of the input
    itself. A result with problems should not be written out as a journey.
    """

    document: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    format: str = ""
    source: str = ""

    @property
    def ok(self) -> bool:
        """True when the input had no problems and a journey was made."""
        return not self.problems and bool(self.document)


def import_bpmn(data: bytes, source: str, *,
                abandon_words: Iterable[str] = DEFAULT_ABANDON_WORDS,
                process: str | None = None) -> ImportResult:
    """Import a BPMN 2.0 model.

    ``abandon_words``: an end event whose name contains one of these words
    or phrases (whole words, any case) becomes an ``abandon`` step instead
    of a ``resolution``; pass ``()`` to make every end event a resolution.
    ``process``: the id, name or pool name of the one process to import;
    by default every process of the file is merged into one journey.
    """
    result = convert_bpmn(data, source, abandon_words=abandon_words, process=process)
    return ImportResult(result.document, _short_notes(result.notes), result.problems, "bpmn",
                        source)


def import_connect(data: bytes, source: str, *,
                   error_share: float = DEFAULT_ERROR_SHARE) -> ImportResult:
    """Import an Amazon Connect contact flow (flow language or older console export).

    ``error_share``: the share of a step's contacts that each of its error
    branches gets (``p``), from 0 to below 1; the step's other transitions
    share the rest evenly. Raises :class:`ValueError` for another value.
    """
    document, notes, problems = convert_connect(data, source, error_share=error_share)
    return ImportResult(document, _short_notes(notes), problems, "connect", source)


def import_mermaid(data: bytes, source: str) -> ImportResult:
    """Import a Mermaid ``journey`` diagram."""
    document, notes, problems = convert_mermaid(data, source)
    return ImportResult(document, _short_notes(notes), problems, "mermaid", source)


def _short_notes(notes: list[str]) -> list[str]:
    """Each note cut to :data:`NOTE_MAX` characters (they quote element names)."""
    return [cap_text(note, NOTE_MAX) for note in notes]


IMPORTERS: dict[str, Callable[..., ImportResult]] = {
    "bpmn": import_bpmn,
    "connect": import_connect,
    "mermaid": import_mermaid,
}
"""Format name -> importer; each is called as ``importer(data, source, **options)``."""

_FORMAT_NAMES = {"bpmn": "BPMN 2.0", "connect": "Amazon Connect", "mermaid": "Mermaid journey"}


def import_file(format: str, path: str | os.PathLike[str], display_name: str | None = None,
                **options: Any) -> ImportResult:
    """Read ``path`` and import it with the importer for ``format``.

    Unreadable and oversized files come back as a problem, not an exception;
    an unknown ``format`` raises :class:`KeyError` (a programming error).
    """
    importer = IMPORTERS[format]
    name = display_name if display_name is not None else os.fspath(path)
    try:
        data = read_input(path, name, limit=MAX_IMPORT_BYTES)
    except ProblemsError as exc:
        return ImportResult({}, [], list(exc.problems), format, name)
    return importer(data, name, **options)


def journey_text(result: ImportResult) -> str:
    """The journey file to write: YAML from :func:`cx_audit.io.writer.dump_journey`.

    The comment lines on top say where the journey came from and list the
    notes, so that whoever reviews the file sees what was not mapped.
    Raises :class:`ValueError` when the result holds no journey.
    """
    if not result.document:
        raise ValueError("the import produced no journey: " + "; ".join(
            str(p) for p in result.problems))
    origin = _FORMAT_NAMES.get(result.format, result.format or "another format")
    comments = [(f"Imported from {result.source or 'an unnamed source'} ({origin}) by "
                 "cx-audit import; review it before relying on the audit.")]
    if result.notes:
        comments.append("Not mapped, or mapped with a loss:")
        comments.extend(textwrap.fill(note, width=96, initial_indent="- ",
                                      subsequent_indent="  ") for note in result.notes)
    return dump_journey(result.document, comments)
