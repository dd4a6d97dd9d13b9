"""The mapping file: what the activities of an event log mean for a journey.

A small YAML (``.yaml``/``.yml``) or TOML (``.toml``) file; every key is
optional. Activities are named as they appear in the log.

```yaml
journey: helpdesk                 # id of a discovered journey (default: from the file name)
title: Helpdesk tickets
columns: {case: Case ID, activity: Activity, timestamp: Complete Timestamp, resource: Resource,
          lifecycle: Transition}
entries: [Assign seriousness, Insert ticket]    # where customers start
resolutions: [Closed]                           # the matter is solved
abandons: [INVALID, DUPLICATE]                  # the customer gave up
shields: {Wait: hold}                           # activity -> shield kind
owners: {Assign seriousness: triage}            # activity -> owning team
handoffs:                                       # owner changes that lose the context
  - {from: first-line, to: second-line, handoff: cold}
steps: {"*-L1": l1, Closed: done}               # activity (or glob pattern) -> step id
ignore: [Unmatched*]                            # activities to leave out
repeats: loop                                   # or merge
```

``columns`` name the log's columns (the command-line options win over it);
``lifecycle`` is the column of lifecycle transitions (``start``,
``complete``, …), like ``--lifecycle-column``.
Wherever an activity is named (``entries`` to ``ignore``), a name with
``*``, ``?`` or ``[`` is a glob pattern (``Completed-*``), tried after the
exact names, in file order. ``steps`` ties activities to the steps of a hand-written journey for
``conform``, and names the steps ``discover`` writes. ``ignore`` (names or patterns)
leaves those events out altogether, as if
they were not in the log. ``repeats``: with ``loop`` (the default) an
activity repeated right after itself is a visit of its own and a self-loop,
as it happened; with ``merge`` the repeats are one visit.

A change of owner between two consecutive steps is a handoff: ``warm``
unless ``handoffs`` lists that pair of owners as ``cold`` (a pair may also
be listed as ``warm``, or ``none`` for no handoff at all).
"""

from __future__ import annotations

import difflib
import fnmatch
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cx_audit.core.errors import MappingError, Problem, YamlSourceError
from cx_audit.core.model import SLUG_PATTERN
from cx_audit.eventlog.reader import LogColumns
from cx_audit.io.reading import parse_toml, read_text
from cx_audit.io.yamlsource import MappingNode, compose_text, to_python

__all__ = ["MAPPING_KEYS", "LogMapping", "MappingError", "is_pattern", "load_mapping", "lookup",
           "mapping_from_data", "matches"]

MAPPING_KEYS = ("journey", "title", "columns", "entries", "resolutions", "abandons", "shields",
                "owners", "handoffs", "steps", "ignore", "repeats")
_COLUMN_KEYS = ("case", "activity", "timestamp", "resource", "lifecycle")
_HANDOFF_KINDS = ("warm", "cold", "none")
_GLOB = re.compile(r"[*?\[]")



@dataclass(frozen=True)
class LogMapping:
    """A validated mapping (every field empty by default)."""

    journey: str | None = None
    title: str | None = None
    columns: LogColumns = field(default_factory=LogColumns)
    entries: tuple[str, ...] = ()
    resolutions: tuple[str, ...] = ()
    abandons: tuple[str, ...] = ()
    shields: Mapping[str, str] = field(default_factory=dict)
    owners: Mapping[str, str] = field(default_factory=dict)
    handoffs: Mapping[tuple[str, str], str] = field(default_factory=dict)
    steps: tuple[tuple[str, str], ...] = ()
    ignore: tuple[str, ...] = ()
    repeats: str = "loop"
    file: str | None = None

    @property
    def merge_repeats(self) -> bool:
        """True when repeats of an activity are one visit."""
        return self.repeats == "merge"

    def is_ignored(self, activity: str) -> bool:
        """True when ``ignore`` names the activity or a pattern matches it."""
        return matches(activity, self.ignore)

    def has_role(self, activity: str, role: str) -> bool:
        """True when the ``entries``, ``resolutions`` or ``abandons`` list covers the activity."""
        return matches(activity, getattr(self, role))

    def step_for(self, activity: str) -> str | None:
        """The step id ``steps`` gives the activity: its exact name first, then patterns."""
        return lookup(self.steps, activity)

    def owner_of(self, activity: str) -> str | None:
        """The team ``owners`` gives the activity (exact name, then patterns)."""
        return lookup(tuple(self.owners.items()), activity)

    def shield_of(self, activity: str) -> str | None:
        """The shield kind ``shields`` gives the activity (exact name, then patterns)."""
        return lookup(tuple(self.shields.items()), activity)

    def handoff(self, source_owner: str | None, target_owner: str | None) -> str | None:
        """``warm``/``cold`` for a change of owner, ``None`` when there is no handoff."""
        if not source_owner or not target_owner or source_owner == target_owner:
            return None
        kind = self.handoffs.get((source_owner, target_owner), "warm")
        return None if kind == "none" else kind


def is_pattern(name: str) -> bool:
    """True when ``name`` is a glob pattern (holds ``*``, ``?`` or ``[``)."""
    return bool(_GLOB.search(name))


def matches(activity: str, names: Sequence[str]) -> bool:
    """True when one of ``names`` is the activity or a glob pattern matching it."""
    return any(activity == name or (is_pattern(name) and fnmatch.fnmatchcase(activity, name))
               for name in names)


def lookup(pairs: Sequence[tuple[str, str]], activity: str) -> str | None:
    """The value of the activity's exact name in ``pairs``, else of the first matching pattern."""
    for key, value in pairs:
        if key == activity:
            return value
    for key, value in pairs:
        if is_pattern(key) and fnmatch.fnmatchcase(activity, key):
            return value
    return None


def load_mapping(path: str | os.PathLike[str]) -> LogMapping:
    """Read and validate a mapping file (TOML for ``*.toml``, else YAML).

    Raises :class:`MappingError` with every problem found.
    """
    name = os.fspath(path)
    text = read_text(path, name, error=MappingError, what="mapping")
    positions: dict[str, tuple[int, int]] = {}
    if name.lower().endswith(".toml"):
        data = parse_toml(text, name, error=MappingError)
        for number, line_text in enumerate(text.splitlines(), start=1):
            found = re.match(r"\s*\[?\s*([A-Za-z_]+)", line_text)
            if found and found[1] in MAPPING_KEYS:
                positions.setdefault(found[1], (number, found.start(1) + 1))
    else:
        try:
            root, problems = compose_text(text, name)
        except YamlSourceError as exc:
            raise MappingError(exc.problems) from None
        if problems:
            raise MappingError(problems)
        if isinstance(root, MappingNode):
            for key, _value in root.pairs:
                positions[str(to_python(key))] = (key.line, key.column)
        data = to_python(root)
    return mapping_from_data(data, name, positions)


def mapping_from_data(data: Any, file: str = "<mapping>",
                      positions: Mapping[str, tuple[int, int]] | None = None) -> LogMapping:
    """Validate plain data as a mapping; ``positions`` place problems (key -> line, column)."""
    reader = _Reader(file, positions or {})
    mapping = reader.read(data)
    if reader.problems:
        raise MappingError(reader.problems)
    return mapping


class _Reader:
    def __init__(self, file: str, positions: Mapping[str, tuple[int, int]]) -> None:
        self.file = file
        self.positions = positions
        self.problems: list[Problem] = []

    def error(self, key: str, message: str) -> None:
        line, column = self.positions.get(key, (1, 1))
        self.problems.append(Problem(self.file, line, column, message))

    def text(self, key: str, value: Any) -> str | None:
        if isinstance(value, str) and value.strip():
            return value
        self.error(key, f"'{key}' must be a non-empty string")
        return None

    def names(self, key: str, value: Any) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.error(key, f"'{key}' must be a list of activity names")
            return ()
        return tuple(value)

    def table(self, key: str, value: Any) -> dict[str, str]:
        if not isinstance(value, dict) or not all(
                isinstance(v, str) and v.strip() for v in value.values()):
            self.error(key, f"'{key}' must map activity names to non-empty strings")
            return {}
        return {str(k): v for k, v in value.items()}

    def read(self, data: Any) -> LogMapping:
        if data is None:
            data = {}
        if not isinstance(data, dict):
            self.error("", "a mapping file must be a mapping of keys such as 'resolutions'")
            return LogMapping(file=self.file)
        fields: dict[str, Any] = {"file": self.file}
        for raw_key, value in data.items():
            key = str(raw_key)
            if key == "journey":
                slug = self.text(key, value)
                if slug is not None and not re.match(SLUG_PATTERN, slug):
                    self.error(key, f"'journey' must be a slug such as 'helpdesk', not {slug!r}")
                else:
                    fields[key] = slug
            elif key == "title":
                fields[key] = self.text(key, value)
            elif key == "columns":
                fields[key] = self.columns(value)
            elif key in ("entries", "resolutions", "abandons", "ignore"):
                fields[key] = self.names(key, value)
            elif key in ("shields", "owners"):
                fields[key] = self.table(key, value)
            elif key == "handoffs":
                fields[key] = self.handoffs(value)
            elif key == "steps":
                fields[key] = self.steps(value)
            elif key == "repeats":
                if value in ("loop", "merge"):
                    fields[key] = value
                else:
                    self.error(key, f"'repeats' must be 'loop' or 'merge', not {value!r}")
            else:
                close = difflib.get_close_matches(key, MAPPING_KEYS, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                self.error(key, f"unknown mapping key '{key}'{hint}; the keys are: "
                           + ", ".join(MAPPING_KEYS))
        roles: dict[str, str] = {}
        for key in ("entries", "resolutions", "abandons"):
            for activity in fields.get(key, ()):
                if activity in roles and roles[activity] != key:
                    self.error(key, f"activity '{activity}' is in both '{roles[activity]}' "
                               f"and '{key}'")
                roles.setdefault(activity, key)
        return LogMapping(**fields)

    def columns(self, value: Any) -> LogColumns:
        if not isinstance(value, dict):
            self.error("columns", "'columns' must map case/activity/timestamp/resource/"
                       "lifecycle to names")
            return LogColumns()
        found = {}
        for key, name in value.items():
            if key not in _COLUMN_KEYS:
                self.error("columns", f"unknown column role '{key}'; the roles are: "
                           + ", ".join(_COLUMN_KEYS))
            elif not isinstance(name, str) or not name:
                self.error("columns", f"the {key} column must be a name")
            else:
                found[key] = name
        return LogColumns(**found)

    def handoffs(self, value: Any) -> dict[tuple[str, str], str]:
        if not isinstance(value, list):
            self.error("handoffs", "'handoffs' must be a list of {from, to, handoff} entries")
            return {}
        pairs = {}
        for item in value:
            if (not isinstance(item, dict) or set(item) - {"from", "to", "handoff"}
                    or not isinstance(item.get("from"), str)
                    or not isinstance(item.get("to"), str)
                    or item.get("handoff", "cold") not in _HANDOFF_KINDS):
                self.error("handoffs", f"a handoff must be {{from: OWNER, to: OWNER, handoff: "
                           f"warm|cold|none}}, not {item!r}")
                continue
            pairs[(item["from"], item["to"])] = item.get("handoff", "cold")
        return pairs

    def steps(self, value: Any) -> tuple[tuple[str, str], ...]:
        table = self.table("steps", value)
        bad = [step for step in table.values() if not re.match(SLUG_PATTERN, step)]
        for step in bad:
            self.error("steps", f"step ids are slugs such as 'take-charge', not {step!r}")
        return tuple(table.items())
