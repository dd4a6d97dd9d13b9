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

__all__ = ["MODELINE", "dump_journey", "yaml_duration"]

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


def yaml_duration(minutes: float) -> str:
    """A duration in minutes as a journey file writes it (``wait: 45s``), for the loader to read.

    Three significant figures, in the largest unit that keeps the number at
    least 1 (hours up to two days). Unlike the durations shown to people
    (:func:`cx_audit.text.formatting.human_duration`), the unit is glued to
    the number, as :func:`cx_audit.io.loader.parse_duration` reads it.

    >>> yaml_duration(0.5), yaml_duration(12.25), yaml_duration(150), yaml_duration(4320)
    ('30s', '12.2m', '2.5h', '3d')
    """
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
    return f"{float(f'{value:.3g}'):g}{unit}"


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
