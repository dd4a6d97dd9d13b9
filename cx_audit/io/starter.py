"""The commented starter journey written by ``cx-audit init``."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from cx_audit.io.writer import journey_id_problem, yaml_scalar
from cx_audit.text.safe import printable

__all__ = ["starter_journey", "starter_target"]


def starter_target(name: str) -> tuple[str, Path]:
    """Journey id and file for ``init NAME``.

    ``NAME`` is either an id (``billing-dispute`` -> ``billing-dispute.yaml``)
    or a file path ending in ``.yaml``/``.yml``, whose stem becomes the id
    (lower-cased, other characters turned into ``-``). Raises
    :class:`ValueError` when ``NAME`` is neither (``Bad Id!``), saying why.
    """
    path = Path(name)
    if path.suffix.lower() not in (".yaml", ".yml"):
        problem = journey_id_problem(name)
        if problem is not None:
            raise ValueError(f"{problem}, or a file name ending in .yaml")
        return name, Path(f"{name}.yaml")
    journey_id = re.sub(r"[^a-z0-9_-]+", "-", path.stem.lower()).strip("-_") or "journey"
    return journey_id, path


def starter_journey(journey_id: str, file_name: str) -> str:
    """The starter text for a journey called ``journey_id`` saved as ``file_name``.

    The id and title are written as YAML scalars (quoted when YAML would
    read them as something else, such as ``1e3`` or ``true``); the file
    name only appears in a comment, made printable so it stays on its line.
    """
    template = resources.files("cx_audit").joinpath("templates/starter.yaml").read_text("utf-8")
    title = journey_id.replace("-", " ").replace("_", " ").capitalize()
    return (
        template.replace("{journey_id}", yaml_scalar(journey_id))
        .replace("{title}", yaml_scalar(title))
        .replace("{file}", printable(file_name))
    )
