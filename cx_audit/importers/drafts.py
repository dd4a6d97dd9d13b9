"""Pieces every importer shares: ids, labels, and the journey document itself.

An importer describes the journey as a list of :class:`DraftStep` (each with
its outgoing :class:`DraftEdge`) and :func:`render_document` turns that into
the plain data of a journey file: step ids become unique slugs, duplicate
targets are merged into one transition, and the source element's id is kept
under ``x-source-id``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cx_audit.core.model import FORMAT_VERSION
from cx_audit.text import words

__all__ = [
    "TEXT_MAX",
    "DraftEdge",
    "DraftStep",
    "cap_text",
    "clean_text",
    "render_document",
    "slugify",
]

SLUG_MAX = 48
"""Longest step id made from a name; longer names are cut at a word boundary."""

TEXT_MAX = 1000
"""Longest text an import writes into a journey field (a label, owner, title, tag or note).

Longer text (a 20 MB element name) is cut to this many characters, ending in
``…``, and a note says so; the journey then stays far below the loader's
size limit."""

_FIELD_ORDER = ("channel", "actor", "owner", "shield", "wait", "emotion", "can_resolve",
                "silent", "tags", "notes")


def clean_text(text: str | None) -> str:
    """``text`` with every run of white space (line breaks included) made one space."""
    return " ".join((text or "").split())


def slugify(text: str, fallback: str = "step") -> str:
    """A journey id made from ``text``: lower-case ASCII letters, digits and ``-``.

    Letters are transliterated (``Ligação`` gives ``ligacao``, ``Straße``
    ``strasse``) and the id is cut at a word boundary past
    :data:`SLUG_MAX` characters (:func:`cx_audit.text.words.slugify`);
    ``fallback`` is used when nothing is left.

    >>> slugify("Ligação telefônica"), slugify("  Result? "), slugify("???", "gateway")
    ('ligacao-telefonica', 'result', 'gateway')
    """
    return words.slugify(text, fallback, SLUG_MAX)


@dataclass
class DraftEdge:
    """A transition to the draft step with key ``target``.

    ``p`` is the share of the step's customers who take it, when the
    importer has a reason to give one (``None``: the even split of the rest).
    """

    target: str
    label: str = ""
    handoff: str | None = None
    p: float | None = None


@dataclass
class DraftStep:
    """A step before ids are assigned.

    ``key`` is the importer's own key; ``name`` becomes the label and, as a
    slug, the id (``fallback`` when the name is empty); ``label`` replaces the
    label when the element has no name of its own; ``fields`` holds the
    format's optional step keys (actor, owner, shield, emotion, tags, notes).
    """

    key: str
    name: str
    fallback: str
    kind: str = "step"
    label: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    source_id: str | None = None
    extensions: dict[str, Any] = field(default_factory=dict)
    edges: list[DraftEdge] = field(default_factory=list)


def cap_text(text: str, limit: int = TEXT_MAX) -> str:
    """``text`` cut to ``limit`` characters, the last one ``…``, when it is longer.

    >>> cap_text("abcdef", 4), cap_text("abc", 4)
    ('abc…', 'abc')
    """
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Ids:
    """Unique ids: the first use of a slug keeps it, later ones get ``-2``, ``-3``, ….

    Remembers the next number to try for each slug, so that a hundred
    thousand steps of one name take linear time, not quadratic.
    """

    def __init__(self) -> None:
        self.taken: set[str] = set()
        self.next_number: dict[str, int] = {}

    def claim(self, base: str) -> str:
        candidate, number = base, self.next_number.get(base, 2)
        while candidate in self.taken:
            suffix = f"-{number}"
            candidate = base[: SLUG_MAX - len(suffix)].rstrip("-") + suffix
            number += 1
        self.next_number[base] = number
        self.taken.add(candidate)
        return candidate


def _merge_labels(labels: Iterable[str]) -> str:
    """The distinct labels joined with ``; ``, in order, stopping once past :data:`TEXT_MAX`."""
    seen: dict[str, None] = {}
    length = 0
    for label in labels:
        if label and label not in seen:
            seen[label] = None
            length += len(label) + 2
            if length > TEXT_MAX:
                break
    return cap_text("; ".join(seen))


def _capped(value: Any, where: tuple[str, ...], notes: list[str] | None) -> Any:
    """``value`` with every string cut to :data:`TEXT_MAX`, noting each cut in ``notes``.

    ``where`` names the place (a step, then keys) for the note.
    """
    if isinstance(value, str):
        if len(value) <= TEXT_MAX:
            return value
        if notes is not None:
            notes.append(f"{', '.join(where)} is {len(value):,} characters long; only the "
                         f"first {TEXT_MAX:,} are kept.")
        return cap_text(value)
    if isinstance(value, dict):
        return {key: item if isinstance(item, str) and len(item) <= TEXT_MAX
                else _capped(item, (*where, str(key)), notes) for key, item in value.items()}
    if isinstance(value, list):
        return [item if isinstance(item, str) and len(item) <= TEXT_MAX
                else _capped(item, where, notes) for item in value]
    return value


def render_document(journey_id: str, title: str, drafts: list[DraftStep],
                    extensions: dict[str, Any] | None = None,
                    notes: list[str] | None = None) -> dict[str, Any]:
    """The journey document (plain data for :func:`cx_audit.io.writer.dump_journey`).

    Steps keep the order of ``drafts``. Several edges to one target become
    one transition whose label joins theirs and which is a handoff when any
    of them is; it has a ``p`` (their sum) only when every one of them has
    one. Edges to unknown keys are dropped (importers report those).
    Every string is cut to :data:`TEXT_MAX` characters; each cut is added
    to ``notes``.
    """
    claimed = _Ids()
    ids = {d.key: claimed.claim(slugify(d.name, d.fallback) if d.name else d.fallback)
           for d in drafts}
    steps: dict[str, Any] = {}
    for draft in drafts:
        step: dict[str, Any] = {}
        if draft.kind != "step":
            step["kind"] = draft.kind
        step["label"] = draft.name or draft.label or draft.fallback
        for key in _FIELD_ORDER:
            value = draft.fields.get(key)
            if value is not None and value != [] and value != "":
                step[key] = value
        merged: dict[str, list[DraftEdge]] = {}
        for edge in draft.edges:
            if edge.target in ids:
                merged.setdefault(edge.target, []).append(edge)
        if merged:
            plain = all(not e.label and not e.handoff and e.p is None
                        for group in merged.values() for e in group)
            transitions: list[Any] = []
            for target, group in merged.items():
                if plain:
                    transitions.append(ids[target])
                    continue
                entry: dict[str, Any] = {"to": ids[target]}
                shares = [e.p for e in group]
                if all(p is not None for p in shares):
                    entry["p"] = round(sum(p for p in shares if p is not None), 6)
                handoffs = {e.handoff for e in group if e.handoff}
                if handoffs:
                    entry["handoff"] = "cold" if "cold" in handoffs else "warm"
                label = _merge_labels(e.label for e in group)
                if label:
                    entry["label"] = label
                transitions.append(entry)
            step["next"] = transitions
        if draft.source_id is not None:
            step["x-source-id"] = draft.source_id
        step.update(draft.extensions)
        steps[ids[draft.key]] = _capped(step, (f"Step {ids[draft.key]}",), notes)
    document: dict[str, Any] = {"journey": journey_id, "version": FORMAT_VERSION,
                                "title": _capped(title or journey_id, ("The title",), notes)}
    document.update(_capped(extensions or {}, ("The journey",), notes))
    document["steps"] = steps
    return document
