"""Write journey documents as YAML files that the loader reads back unchanged.

Importers, ``discover`` and ``init`` build a journey as plain data (the
structure of the format: ``journey``, ``title``, ``steps`` mapping id ->
fields, …) and turn it into text here, with a schema modeline and comment
lines on top.

The loader types plain scalars by the YAML 1.2 core schema, while other YAML
tools still read YAML 1.1 (where ``yes`` and ``off`` are booleans and
``1:30`` a number). So that a file means the same to both, this module emits
the text itself and follows one rule for strings: a string is written plain
only when it matches :data:`PLAIN_TEXT` (it starts with a letter, holds only
letters, digits, spaces and a few punctuation marks, and is not a word that
either version reads as a boolean or null); every other string is
double-quoted, with escapes for control characters, line breaks and
bidirectional overrides. Lone surrogates (``"\\ud800"`` from a JSON file)
cannot be stored in a UTF-8 file, and YAML refuses their escapes, so each is
written as U+FFFD, the replacement character (:func:`yaml_text`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from cx_audit.core.model import SLUG_PATTERN
from cx_audit.text.safe import printable

__all__ = [
    "MODELINE",
    "PLAIN_TEXT",
    "dump_journey",
    "journey_id_problem",
    "yaml_duration",
    "yaml_scalar",
    "yaml_text",
]

MODELINE = "# yaml-language-server: $schema=journey.schema.json"
PLAIN_TEXT = re.compile(r"[^\W\d](?:[\w \-.,;()/'?!&+%*]|:(?=[^\s]))*", re.UNICODE)
"""Strings written without quotes (the rule every written string follows).

A letter or ``_`` first, then letters, digits, spaces and ``-.,;()/'?!&+%*``.
A colon is allowed when something other than white space follows it
(``bpmn:task``). No such string is a number, a date or a null in YAML 1.1 or
1.2, and none holds ``: `` or `` #``; the few words that are booleans or
null (:data:`_RESERVED`) are quoted even so, and so are trailing spaces."""

_RESERVED = frozenset({"y", "n", "yes", "no", "true", "false", "on", "off", "null"})
"""Words (any case) that YAML 1.1 or 1.2 reads as a boolean or null."""

_ID = re.compile(SLUG_PATTERN)
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_NEEDS_ESCAPE = re.compile(
    "[\\\\\"\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]")
_UNSTORABLE = re.compile("[\ufeff\ufffe\uffff]")
"""Characters :func:`~cx_audit.text.safe.printable` leaves that a YAML file cannot hold raw."""
_NAMED_ESCAPES = {"\\": "\\\\", '"': '\\"', "\0": "\\0", "\a": "\\a", "\b": "\\b", "\t": "\\t",
                  "\n": "\\n", "\v": "\\v", "\f": "\\f", "\r": "\\r", "\x1b": "\\e"}
_FLOW_ITEMS = 6
"""Lists of at most this many short step ids are written inline (``next: [a, b]``)."""


def yaml_text(text: str) -> str:
    """``text`` as it can be stored: each lone surrogate replaced by U+FFFD.

    >>> yaml_text("a\\ud800b") == "a\\ufffdb"
    True
    """
    return _SURROGATE.sub("\ufffd", text)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED_ESCAPES.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _plain(text: str) -> bool:
    return (bool(PLAIN_TEXT.fullmatch(text)) and not text.endswith(" ")
            and text.lower() not in _RESERVED)


def yaml_scalar(value: object) -> str:
    """One scalar as YAML text: strings plain or double-quoted (see :data:`PLAIN_TEXT`).

    >>> [yaml_scalar(v) for v in ("Log in", "1e3", "yes", "a: b", None, True, 0.5)]
    ['Log in', '"1e3"', '"yes"', '"a: b"', 'null', 'true', '0.5']
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    if isinstance(value, str):
        text = yaml_text(value)
        if _plain(text):
            return text
        return '"' + _NEEDS_ESCAPE.sub(_escape, text) + '"'
    raise TypeError(f"a journey document holds no {type(value).__name__} values")


class _Emitter:
    """Block-style YAML lines for a journey document, in insertion order.

    Nested mappings are indented by two spaces; list items start at their
    key's indentation (``next:`` then ``- to: …``), as PyYAML writes them.
    Each distinct string is turned into YAML once (a big import repeats its
    tags, owners and labels thousands of times).
    """

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.known: dict[str, str] = {}

    def scalar(self, value: object) -> str:
        if isinstance(value, str):
            text = self.known.get(value)
            if text is None:
                text = self.known[value] = yaml_scalar(value)
            return text
        return yaml_scalar(value)

    def inline(self, value: object) -> str | None:
        """``value`` on one line, or ``None`` when it needs block style."""
        if isinstance(value, Mapping):
            return "{}" if not value else None
        if isinstance(value, list | tuple):
            if not value:
                return "[]"
            if len(value) <= _FLOW_ITEMS and all(
                    isinstance(item, str) and len(item) < 40 and _ID.fullmatch(item)
                    and _plain(item) for item in value):
                return "[" + ", ".join(value) + "]"  # only ids: sentences would misread
            return None
        return self.scalar(value)

    def mapping(self, mapping: Mapping[Any, Any], indent: int, first: str | None = None) -> None:
        """Write ``mapping``; ``first`` replaces the indentation of its first line (``- ``)."""
        pad = " " * indent
        for key, value in mapping.items():
            if not isinstance(key, str):
                raise TypeError(f"a journey document's keys are strings, not "
                                f"{type(key).__name__}")
            lead = pad if first is None else first
            first = None
            name = self.scalar(key)
            inline = self.inline(value)
            if inline is not None:
                self.lines.append(f"{lead}{name}: {inline}")
            elif isinstance(value, Mapping):
                self.lines.append(f"{lead}{name}:")
                self.mapping(value, indent + 2)
            else:
                self.lines.append(f"{lead}{name}:")
                self.sequence(value, indent)

    def sequence(self, items: Sequence[Any], indent: int, first: str | None = None) -> None:
        pad = " " * indent
        for item in items:
            lead = (pad if first is None else first) + "- "
            first = None
            inline = self.inline(item)
            if inline is not None:
                self.lines.append(lead + inline)
            elif isinstance(item, Mapping):
                self.mapping(item, indent + 2, lead)
            else:
                self.sequence(item, indent + 2, lead)


def yaml_duration(minutes: float) -> str:
    """A duration in minutes as a journey file writes it (``wait: 45s``), for the loader to read.

    Three significant figures, in the largest unit that keeps the number at
    least 1 (hours up to two days), always in plain digits (a million days
    is ``2910000d``, never ``2.91e+06d``, which is no duration). Unlike the
    durations shown to people (:func:`cx_audit.text.formatting.human_duration`),
    the unit is glued to the number, as :func:`cx_audit.io.loader.parse_duration`
    reads it. Raises :class:`ValueError` for a duration that is not finite.

    >>> yaml_duration(0.5), yaml_duration(12.25), yaml_duration(150), yaml_duration(4320)
    ('30s', '12.2m', '2.5h', '3d')
    >>> yaml_duration(1440 * 2_912_345), yaml_duration(1e-9)
    ('2910000d', '0.00000006s')
    """
    if not math.isfinite(minutes):
        raise ValueError(f"a duration must be finite, not {minutes}")
    if minutes <= 0:
        return "0s"
    if minutes < 1:
        value, unit = minutes * 60, "s"
    elif minutes < 60:
        value, unit = minutes, "m"
    elif minutes < 2880:
        value, unit = minutes / 60, "h"
    else:
        value, unit = minutes / 1440, "d"
    digits = format(Decimal(f"{value:.3g}"), "f")
    if "." in digits:
        digits = digits.rstrip("0").rstrip(".")
    return f"{digits}{unit}"


def journey_id_problem(value: str) -> str | None:
    """Why ``value`` cannot be a journey id, or ``None`` when it can.

    >>> journey_id_problem("billing-dispute") is None, journey_id_problem("Bad Id!") is not None
    (True, True)
    """
    if _ID.fullmatch(value):
        return None
    return (f"{printable(value)!r} is not a journey id: use lower-case letters, digits, '-' "
            "and '_', starting with a letter or a digit (such as billing-dispute)")


def dump_journey(document: Mapping[str, Any], comments: Iterable[str] = (),
                 modeline: str | None = MODELINE) -> str:
    """The YAML text of a journey document, with ``comments`` as ``#`` lines on top.

    Strings are written by :func:`yaml_scalar`, so the text loads back as
    written (up to the U+FFFD for lone surrogates). Comment text is made
    printable (control characters as ``\\xNN``) and split into lines, so
    that it can neither end the comment nor reach a terminal raw.
    """
    lines = [modeline] if modeline else []
    for comment in comments:
        for part in yaml_text(str(comment)).splitlines() or [""]:
            lines.append(f"# {_UNSTORABLE.sub(_escape, printable(part))}".rstrip())
    emitter = _Emitter()
    emitter.mapping(document, 0)
    lines.extend(emitter.lines)
    return "\n".join(lines) + "\n"
