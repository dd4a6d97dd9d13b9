"""Write journey documents as YAML files that the loader reads back unchanged.

Importers and ``discover`` build a journey as plain data (the structure of
the format: ``journey``, ``title``, ``steps`` mapping id -> fields, …) and
turn it into text here, with a schema modeline and comment lines on top.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from cx_audit.core.model import SLUG_PATTERN

__all__ = ["MODELINE", "dump_journey"]

MODELINE = "# yaml-language-server: $schema=journey.schema.json"
_ID = re.compile(SLUG_PATTERN)


class _Dumper(yaml.SafeDumper):
    """Block style, insertion order, no aliases, wide lines."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _flow_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    """Short lists of step ids inline (``next: [a, b]``), everything else in block style.

    Only ids go inline: a list of sentences in flow style (``[a; b, c]``)
    reads as if its commas separated items.
    """
    simple = 0 < len(data) <= 6 and all(
        isinstance(item, str) and len(item) < 40 and _ID.fullmatch(item) for item in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=simple)


_Dumper.add_representer(list, _flow_list)


def dump_journey(document: Mapping[str, Any], comments: Iterable[str] = (),
                 modeline: str | None = MODELINE) -> str:
    """The YAML text of a journey document, with ``comments`` as ``#`` lines on top.

    Strings that YAML 1.1 or 1.2 would read as another type (``no``, ``1``,
    ``null``) are quoted by the dumper, so the text loads back as written.
    """
    lines = [modeline] if modeline else []
    for comment in comments:
        for part in str(comment).splitlines() or [""]:
            lines.append(f"# {part}".rstrip())
    body = yaml.dump(dict(document), Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=100, indent=2)
    return "\n".join(lines) + ("\n" if lines else "") + body
