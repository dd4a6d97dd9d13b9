"""The commented starter journey written by ``cx-audit init``."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

__all__ = ["starter_journey", "starter_target"]


def starter_target(name: str) -> tuple[str, Path]:
    """Journey id and file for ``init NAME``.

    ``NAME`` is either an id (``billing-dispute`` -> ``billing-dispute.yaml``)
    or a file path ending in ``.yaml``/``.yml``, whose stem becomes the id
    (lower-cased, other characters turned into ``-``).
    """
    path = Path(name)
    if path.suffix.lower() in (".yaml", ".yml"):
        stem = path.stem
    else:
        stem, path = name, Path(f"{name}.yaml")
    journey_id = re.sub(r"[^a-z0-9_-]+", "-", stem.lower()).strip("-_") or "journey"
    return journey_id, path


def starter_journey(journey_id: str, file_name: str) -> str:
    """The starter text for a journey called ``journey_id`` saved as ``file_name``."""
    template = resources.files("cx_audit").joinpath("templates/starter.yaml").read_text("utf-8")
    title = journey_id.replace("-", " ").replace("_", " ").capitalize()
    return (
        template.replace("{journey_id}", journey_id)
        .replace("{title}", json.dumps(title))
        .replace("{file}", file_name)
    )
