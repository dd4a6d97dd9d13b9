"""Load and validate journey files (format version 1) into the domain model.

The loader reads the whole journey format (README.md, "The journey format
(version 1)"; schema/journey.schema.json for editors). It collects
every problem of a file before giving up, so a user fixes a file in one
round, and reports each at the line and column of the offending node as
``FILE:LINE:COL: message``, with a "did you mean" hint for misspelt keys
and step ids.

Decisions where the format leaves room (also in the README):

- ``next`` may mix plain ids and transition mappings in one list;
- ``share`` is accepted on entry steps only, ``abandon`` on non-terminal
  steps only (on a terminal step it would describe nothing);
- an empty ``shield`` string means "not a shield layer";
- a ``staffing`` block may stand on any non-terminal step; ``arrivals`` is
  per hour, ``handle`` a duration, ``agents`` a whole number of at least 1;
- files larger than :data:`MAX_FILE_BYTES` are refused before parsing.
"""

from __future__ import annotations

import difflib
import math
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

from cx_audit.core.errors import JourneyError, Problem, YamlSourceError
from cx_audit.core.model import (
    FORMAT_VERSION,
    SLUG_PATTERN,
    Actor,
    Handoff,
    Journey,
    Location,
    Staffing,
    Step,
    StepKind,
    Suppression,
    Transition,
)
from cx_audit.io.reading import MAX_INPUT_BYTES, read_input
from cx_audit.io.yamlsource import (
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    compose_text,
    decode_bytes,
    excerpt,
    to_python,
)

__all__ = [
    "JOURNEY_KEYS",
    "MAX_AGENTS",
    "MAX_ARRIVALS_PER_HOUR",
    "MAX_DURATION_MINUTES",
    "MAX_FILE_BYTES",
    "STAFFING_KEYS",
    "STEP_KEYS",
    "TRANSITION_KEYS",
    "load_journey",
    "load_journey_bytes",
    "load_journey_text",
    "parse_duration",
]

MAX_FILE_BYTES = MAX_INPUT_BYTES
"""Largest journey file read (16 MiB, several thousand times a real journey)."""

JOURNEY_KEYS = ("journey", "version", "title", "persona", "owner", "replaces", "steps")
STEP_KEYS = (
    "kind", "label", "channel", "actor", "owner", "shield", "wait", "abandon", "emotion",
    "can_resolve", "share", "ignore", "next", "evidence", "staffing", "notes", "tags", "silent",
)
TRANSITION_KEYS = ("to", "p", "handoff", "label")
STAFFING_KEYS = ("arrivals", "handle", "agents")
_KINDS = {kind.value: kind for kind in StepKind}
_ACTORS = {actor.value: actor for actor in Actor}
_HANDOFFS = {handoff.value: handoff for handoff in Handoff}
"""Each choice's values, in the format's order, to the member they name."""

_KEY_SETS: dict[tuple[str, ...], frozenset[str]] = {keys: frozenset(keys) for keys in
             (JOURNEY_KEYS, STEP_KEYS, TRANSITION_KEYS, STAFFING_KEYS)}
"""The same keys as sets, for lookups."""

MAX_DURATION_MINUTES = 100 * 365 * 1440
"""Longest wait or handle time accepted: 100 years (52,560,000 minutes).

Far beyond any real wait, and small enough that the waits of millions of
steps, each visited millions of times, still add up to a finite figure."""
MAX_AGENTS = 1_000_000_000
"""Most agents a queue's ``staffing`` may name (a billion, beyond any contact centre)."""
MAX_ARRIVALS_PER_HOUR = 1_000_000_000.0
"""Most arrivals per hour a queue's ``staffing`` may name (a billion)."""

SUM_ABOVE_TOLERANCE = 1e-9
"""Given probabilities may exceed 1 by this much (floating-point noise)."""
SUM_BELOW_TOLERANCE = 1e-6
"""Fully given probabilities may fall short of 1 by this much (rounded figures)."""

_SLUG = re.compile(SLUG_PATTERN)
_DURATION = re.compile(r"(?P<number>[0-9]+(?:\.[0-9]+)?|\.[0-9]+)\s*(?P<unit>s|m|h|d)")
_UNIT_MINUTES = {"s": 1 / 60, "m": 1.0, "h": 60.0, "d": 1440.0}
_RULE_KEY = re.compile(r"(?:CX[0-9]{3}|[a-z][a-z0-9]*(?:-[a-z0-9]+)*)")



def parse_duration(value: Any) -> float | None:
    """Minutes for a duration: a number (minutes) or ``90s``/``4m``/``1.5h``/``2d``.

    Returns ``None`` when ``value`` is not a duration at all; negative and
    non-finite numbers are returned as they are for the caller to reject.

    >>> parse_duration("90s"), parse_duration("1.5h"), parse_duration(4)
    (1.5, 90.0, 4.0)
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _as_float(value)
    if isinstance(value, str):
        match = _DURATION.fullmatch(value.strip())
        if match:
            return float(match["number"]) * _UNIT_MINUTES[match["unit"]]
    return None


def load_journey(path: str | os.PathLike[str], display_name: str | None = None) -> Journey:
    """Read and validate the journey file at ``path``.

    ``display_name`` is how the file is named in locations and messages
    (default: the path as given). Raises :class:`JourneyError`.
    """
    name = display_name if display_name is not None else os.fspath(path)
    data = read_input(path, name, error=JourneyError, limit=MAX_FILE_BYTES)
    return load_journey_bytes(data, name)


def load_journey_bytes(data: bytes, file: str = "<bytes>") -> Journey:
    """Validate a journey given as raw bytes (UTF-8). Raises :class:`JourneyError`."""
    try:
        text = decode_bytes(data, file)
    except YamlSourceError as exc:
        raise JourneyError(exc.problems) from None
    return load_journey_text(text, file)


def load_journey_text(text: str, file: str = "<string>") -> Journey:
    """Validate a journey given as text. Raises :class:`JourneyError`."""
    try:
        root, problems = compose_text(text, file)
    except YamlSourceError as exc:
        raise JourneyError(exc.problems) from None
    reader = _JourneyReader(file, problems)
    journey = reader.read(root)
    if reader.problems or journey is None:
        raise JourneyError(reader.problems)
    return journey


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A " (did you mean 'x'?)" hint when a choice is close to ``word``."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _describe(node: Node) -> str:
    """Name what a node holds, for 'expected X, found Y' messages."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    assert isinstance(node, ScalarNode)
    try:
        value = node.value
    except ValueError:
        return f"'{excerpt(node.text)}'"
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {node.text}"
    if isinstance(value, int | float):
        return f"the number {excerpt(node.text)}"
    return f"the text '{value}'"


class _JourneyReader:
    """Walks the composed nodes of one file, building the model and collecting problems."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems
        self.id_locations: dict[Node, Location] = {}

    # -- reporting -------------------------------------------------------

    def error(self, node: Node, message: str) -> None:
        self.problems.append(Problem(self.file, node.line, node.column, message))

    def location(self, node: Node) -> Location:
        return Location(self.file, node.line, node.column)

    def id_location(self, key: Node) -> Location:
        """Where a step id is defined: one shared object per step, however often it is cited."""
        found = self.id_locations.get(key)
        if found is None:
            found = self.id_locations[key] = Location(self.file, key.line, key.column)
        return found

    # -- typed readers: each returns None after reporting a problem ------

    def mapping_fields(
        self, node: Node, allowed: tuple[str, ...], where: str
    ) -> tuple[dict[str, tuple[ScalarNode, Node]], dict[str, Any]] | None:
        """Split a mapping into known fields and ``x-`` extensions; report unknown keys."""
        if type(node) is not MappingNode:
            self.error(node, f"{where} must be a mapping, found {_describe(node)}")
            return None
        known = _KEY_SETS.get(allowed) or frozenset(allowed)
        fields: dict[str, tuple[ScalarNode, Node]] = {}
        extensions: dict[str, Any] = {}
        for pair in node.pairs:
            key = pair[0]
            if type(key) is not ScalarNode:
                continue  # reported by the composer
            name = key.text
            if name in known:
                if name not in fields:
                    fields[name] = pair  # type: ignore[assignment]
            elif name.startswith("x-"):
                extensions[name] = to_python(pair[1])
            else:
                self.error(key, f"unknown key '{name}' in {where}{_did_you_mean(name, allowed)}")
        return fields, extensions

    def text(self, node: Node, what: str) -> str | None:
        if type(node) is ScalarNode and not node.plain and node.tag is None:
            return node.text  # quoted or block, untagged: always text
        value = self.scalar_value(node)
        if value is _UNREADABLE:
            return None  # a value its tag cannot hold, or a number out of range: reported
        if isinstance(value, str):
            return value
        hint = ""
        if isinstance(node, ScalarNode):
            hint = "; put it in quotes" if node.tag is None else "; remove its tag"
        self.error(node, f"{what} must be text, found {_describe(node)}{hint}")
        return None

    def slug(self, node: Node, what: str) -> str | None:
        value = self.text(node, what)
        if value is not None and not _SLUG.match(value):
            self.error(node, f"{what} '{value}' is not a valid id: use lower-case letters, "
                             "digits, '-' and '_', starting with a letter or digit")
            return None
        return value

    def number(self, node: Node, what: str, low: float, high: float,
               low_open: bool = False) -> float | None:
        value = self.scalar_value(node)
        if value is _UNREADABLE:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error(node, f"{what} must be a number, found {_describe(node)}")
            return None
        if isinstance(value, float) and (math.isnan(value) or _spelt_infinite(node)):
            self.error(node, f"{what} must be a finite number, found {_describe(node)}")
            return None
        interval = f"{'(' if low_open else '['}{_bound(low)}, {_bound(high)}]"
        number = _as_float(value)
        if math.isinf(number):
            self.error(node, f"{what} is out of range: it must be in {interval}, found "
                             f"{_describe(node)}")
            return None
        below = number <= low if low_open else number < low
        if below or number > high:
            self.error(node, f"{what} must be in {interval}, found {number:g}")
            return None
        return number

    def duration(self, node: Node, what: str, positive: bool = False) -> float | None:
        value = self.scalar_value(node)
        if value is _UNREADABLE:
            return None
        minutes = parse_duration(value)
        if minutes is None or isinstance(value, bool):
            self.error(node, f"{what} must be a duration such as 90s, 4m, 1.5h, 2d or a number "
                             f"of minutes, found {_describe(node)}")
            return None
        if math.isnan(minutes) or _spelt_infinite(node):
            self.error(node, f"{what} must be a finite duration")
            return None
        if minutes < 0 or (positive and minutes == 0):
            self.error(node, f"{what} must be {'positive' if positive else 'zero or more'}, "
                             f"found {_describe(node) if math.isinf(minutes) else f'{minutes:g}'}"
                             " minutes")
            return None
        if minutes > MAX_DURATION_MINUTES:
            self.error(node, f"{what} is out of range: it must be at most 100 years "
                             f"({MAX_DURATION_MINUTES:,} minutes), found {_describe(node)}")
            return None
        return minutes

    def boolean(self, node: Node, what: str) -> bool | None:
        value = self.scalar_value(node)
        if isinstance(value, bool) or value is _UNREADABLE:
            return value if isinstance(value, bool) else None
        self.error(node, f"{what} must be true or false, found {_describe(node)}")
        return None

    def choice(self, node: Node, what: str, choices: Mapping[str, object]) -> str | None:
        """The node's text when it is one of ``choices`` (their keys, in order)."""
        value = self.text(node, what)
        if value is None:
            return None
        if value not in choices:
            self.error(node, f"{what} must be one of {', '.join(choices)}; found "
                             f"'{value}'{_did_you_mean(value, choices)}")
            return None
        return value

    def text_list(self, node: Node, what: str) -> tuple[str, ...]:
        if not isinstance(node, SequenceNode):
            self.error(node, f"{what} must be a list of text, found {_describe(node)}")
            return ()
        items = (self.text(item, f"each item of {what}") for item in node.items)
        return tuple(item for item in items if item is not None)

    def scalar_value(self, node: Node) -> Any:
        """The typed value of a scalar; a sentinel for collections and for unreadable scalars.

        A scalar its tag cannot hold (``!!int abc``) or an integer too long to
        convert is reported here, once, and comes back as ``_UNREADABLE`` so
        that callers say nothing more about it.
        """
        if not isinstance(node, ScalarNode):
            return _NOT_SCALAR
        try:
            return node.value
        except ValueError as exc:
            self.error(node, str(exc))
            return _UNREADABLE

    # -- the journey -----------------------------------------------------

    def read(self, root: Node) -> Journey | None:
        split = self.mapping_fields(root, JOURNEY_KEYS, "the journey")
        if split is None:
            return None
        fields, extensions = split
        assert isinstance(root, MappingNode)
        journey_id = None
        if "journey" in fields:
            journey_id = self.slug(fields["journey"][1], "the journey id")
        else:
            self.error(root, "missing required key 'journey' (the journey's id)")
        version = FORMAT_VERSION
        if "version" in fields:
            node = fields["version"][1]
            value = self.scalar_value(node)
            if value is not _UNREADABLE and (value != FORMAT_VERSION or isinstance(value, bool)):
                self.error(node, f"unsupported format version {_describe(node)}: "
                                 f"this tool reads version {FORMAT_VERSION}")
        strings = {k: self.optional_text(fields, k) for k in ("title", "persona", "owner")}
        replaces = self.read_replaces(fields["replaces"][1]) if "replaces" in fields else None
        steps: dict[str, Step] = {}
        if "steps" not in fields:
            self.error(root, "missing required key 'steps'")
        else:
            steps = self.read_steps(fields["steps"][1], strings["owner"])
        if journey_id is None:
            return None
        shares = self.entry_shares(steps, fields.get("steps"))
        return Journey(
            id=journey_id,
            file=self.file,
            location=self.location(fields["journey"][0]),
            steps=steps,
            entry_shares=shares,
            title=strings["title"] or journey_id,
            persona=strings["persona"],
            owner=strings["owner"],
            version=version,
            extensions=extensions,
            replaces=replaces,
        )

    def read_replaces(self, node: Node) -> str | None:
        """The id after ``replaces:``: the journey this one redesigns (any id, even its own)."""
        what = "'replaces' (the id of the journey this one redesigns)"
        value = self.scalar_value(node)
        if value is _UNREADABLE:
            return None
        if not isinstance(node, ScalarNode) or value is None:
            self.error(node, f"{what} must be a journey id, found {_describe(node)}")
            return None
        value = self.text(node, what)
        if value is not None and not _SLUG.match(value):
            self.error(node, f"{what} must be a journey id, found '{value}': use lower-case "
                             "letters, digits, '-' and '_', starting with a letter or digit")
            return None
        return value

    def optional_text(self, fields: dict[str, tuple[ScalarNode, Node]], key: str,
                      what: str | None = None) -> str | None:
        if key not in fields:
            return None
        return self.text(fields[key][1], what or f"'{key}'")

    def read_steps(self, node: Node, default_owner: str | None) -> dict[str, Step]:
        if not isinstance(node, MappingNode):
            self.error(node,
                       f"'steps' must be a mapping of step id to step, found {_describe(node)}")
            return {}
        ids: dict[str, ScalarNode] = {}
        for key, _ in node.pairs:
            if isinstance(key, ScalarNode) and key.text not in ids:
                ids[key.text] = key
        steps: dict[str, Step] = {}
        for key, value in node.pairs:
            if not isinstance(key, ScalarNode) or key.text in steps:
                continue
            if not _SLUG.match(key.text):
                self.error(key, f"step id '{key.text}' is not a valid id: use lower-case letters, "
                                "digits, '-' and '_', starting with a letter or digit")
            step = self.read_step(key, value, ids, default_owner)
            if step is not None:
                steps[step.id] = step
        return steps

    def read_step(self, key: ScalarNode, node: Node, ids: dict[str, ScalarNode],
                  default_owner: str | None) -> Step | None:
        step_id = key.text
        where = f"step '{step_id}'"
        value = self.scalar_value(node)
        if value is _UNREADABLE:
            return None
        if isinstance(node, ScalarNode) and value is None:
            node_fields: dict[str, tuple[ScalarNode, Node]] = {}
            extensions: dict[str, Any] = {}
        else:
            split = self.mapping_fields(node, STEP_KEYS, where)
            if split is None:
                return None
            node_fields, extensions = split
        f = node_fields
        kind = StepKind.STEP
        if "kind" in f:
            value = self.choice(f["kind"][1], f"the kind of {where}", _KINDS)
            kind = _KINDS[value] if value else StepKind.STEP
        text = self.text
        label = (text(f["label"][1], f"the label of {where}") if "label" in f else None) or step_id
        channel = text(f["channel"][1], f"the channel of {where}") if "channel" in f else None
        owner = (text(f["owner"][1], f"the owner of {where}") if "owner" in f else None
                 ) or default_owner
        shield = text(f["shield"][1], f"the shield kind of {where}") if "shield" in f else None
        notes = text(f["notes"][1], f"the notes of {where}") if "notes" in f else None
        actor = None
        if "actor" in f:
            value = self.choice(f["actor"][1], f"the actor of {where}", _ACTORS)
            actor = _ACTORS[value] if value else None
        wait = self.duration(f["wait"][1], f"the wait of {where}") if "wait" in f else None
        abandon = 0.0
        if "abandon" in f:
            if kind.is_terminal:
                self.error(f["abandon"][0], f"{where} is a {kind} step: 'abandon' applies only to "
                                            "steps customers can leave")
            else:
                abandon = self.number(f["abandon"][1], f"the abandon rate of {where}", 0, 1) or 0.0
        emotion = None
        if "emotion" in f:
            emotion = self.number(f["emotion"][1], f"the emotion of {where}", -2, 2)
        can_resolve = None
        if "can_resolve" in f:
            can_resolve = self.boolean(f["can_resolve"][1], f"can_resolve of {where}")
        share = None
        if "share" in f:
            if kind is not StepKind.ENTRY:
                self.error(f["share"][0], f"'share' is for entry steps only; {where} is of "
                                          f"kind '{kind}'")
            else:
                share = self.number(f["share"][1], f"the share of {where}", 0, 1, low_open=True)
        staffing = None
        if "staffing" in f:
            staffing = self.read_staffing(f["staffing"][1], where)
        evidence = (self.text_list(f["evidence"][1], f"the evidence of {where}")
                    if "evidence" in f else ())
        tags = self.text_list(f["tags"][1], f"the tags of {where}") if "tags" in f else ()
        silent, parallel = self.silence(f["silent"][1], where) if "silent" in f else (False, False)
        suppressions = self.read_ignore(f["ignore"][1], where) if "ignore" in f else ()
        transitions: tuple[Transition, ...] = ()
        if "next" in f:
            next_key, next_node = f["next"]
            if kind.is_terminal:
                self.error(next_key, f"{where} is a {kind} step and ends the journey: it cannot "
                                     "have 'next'")
            else:
                transitions = self.read_next(step_id, next_key, next_node, ids)
        return Step(
            id=step_id, kind=kind, label=label, location=self.id_location(key), channel=channel,
            actor=actor, owner=owner, shield=shield or None, wait=wait, abandon=abandon,
            emotion=emotion, can_resolve=can_resolve, share=share, staffing=staffing,
            next=transitions, evidence=evidence, suppressions=suppressions, notes=notes,
            tags=tags, extensions=extensions, silent=silent, parallel=parallel,
        )

    def silence(self, node: Node, where: str) -> tuple[bool, bool]:
        """``silent``: ``true``, ``false`` or ``parallel`` -> (silent, parallel)."""
        value = self.scalar_value(node)
        if isinstance(value, bool):
            return value, False
        if value == "parallel":
            return True, True
        if value is not _UNREADABLE:
            self.error(node, f"'silent' of {where} must be true, false or parallel, found "
                             f"{_describe(node)}")
        return False, False

    def read_staffing(self, node: Node, where: str) -> Staffing | None:
        split = self.mapping_fields(node, STAFFING_KEYS, f"the staffing of {where}")
        if split is None:
            return None
        fields, _ = split
        missing = [k for k in STAFFING_KEYS if k not in fields]
        if missing:
            names = ", ".join(repr(m) for m in missing)
            self.error(node, f"the staffing of {where} is missing {names}")
            return None
        arrivals = self.number(fields["arrivals"][1], f"the arrivals per hour of {where}", 0,
                               MAX_ARRIVALS_PER_HOUR)
        handle = self.duration(fields["handle"][1], f"the handle time of {where}", positive=True)
        agents_node = fields["agents"][1]
        agents_value = self.scalar_value(agents_node)
        agents = None
        whole = isinstance(agents_value, int) and not isinstance(agents_value, bool)
        if agents_value is _UNREADABLE:
            pass
        elif not whole or agents_value < 1:
            self.error(agents_node, f"the agents of {where} must be a whole number of at least 1, "
                                    f"found {_describe(agents_node)}")
        elif agents_value > MAX_AGENTS:
            self.error(agents_node, f"the agents of {where} are out of range: at most "
                                    f"{MAX_AGENTS:,}, found {_describe(agents_node)}")
        else:
            agents = agents_value
        if arrivals is None or handle is None or agents is None:
            return None
        return Staffing(arrivals, handle, agents, self.location(node))

    def read_ignore(self, node: Node, where: str) -> tuple[Suppression, ...]:
        if not isinstance(node, MappingNode):
            self.error(node, f"'ignore' of {where} must map rule codes to reasons, found "
                             f"{_describe(node)}")
            return ()
        result = []
        for key, value in node.pairs:
            if not isinstance(key, ScalarNode):
                continue
            if not _RULE_KEY.fullmatch(key.text):
                self.error(key, f"'{key.text}' in the 'ignore' of {where} is not a rule code "
                                "(CX301) or rule name (cold-handoff)")
                continue
            reason = self.text(value, f"the reason for ignoring {key.text} on {where}")
            if reason is not None and not reason.strip():
                self.error(value, f"the reason for ignoring {key.text} on {where} is empty: "
                                  "say why the finding does not apply")
            elif reason is not None:
                result.append(Suppression(key.text, reason, self.location(key)))
        return tuple(result)

    def read_next(self, step_id: str, key: ScalarNode, node: Node,
                  ids: dict[str, ScalarNode]) -> tuple[Transition, ...]:
        where = f"step '{step_id}'"
        if not isinstance(node, SequenceNode):
            self.error(node, f"'next' of {where} must be a list of step ids or transitions, "
                             f"found {_describe(node)}")
            return ()
        raw: list[tuple[Node, str, Node, float | None, Handoff | None, str | None]] = []
        seen: dict[str, Node] = {}
        a_transition = f"a transition of {where}"
        a_target = f"a 'next' target of {where}"
        for item in node.items:
            target_node: Node | None
            p = None
            handoff = None
            label = None
            if isinstance(item, MappingNode):
                split = self.mapping_fields(item, TRANSITION_KEYS, a_transition)
                if split is None:
                    continue
                fields, _ = split
                if "to" not in fields:
                    self.error(item, f"a transition of {where} is missing 'to' (the next step)")
                    continue
                target_node = fields["to"][1]
                if "p" in fields:
                    p = self.number(fields["p"][1], f"the probability 'p' of {where}", 0, 1)
                    if p is None:
                        continue
                if "handoff" in fields:
                    value = self.choice(fields["handoff"][1], f"the handoff of {where}",
                                        _HANDOFFS)
                    handoff = _HANDOFFS[value] if value else None
                if "label" in fields:
                    label = self.text(fields["label"][1], f"a transition label of {where}")
            elif isinstance(item, ScalarNode):
                target_node = item
            else:
                self.error(item, f"each item of 'next' of {where} must be a step id or a "
                                 f"transition mapping, found {_describe(item)}")
                continue
            target = self.text(target_node, a_target)
            if target is None:
                continue
            if target not in ids:
                self.error(target_node, f"'next' of {where} names an unknown step "
                                        f"'{target}'{_did_you_mean(target, ids)}")
                continue
            if target in seen:
                self.error(target_node, f"'next' of {where} names '{target}' twice (first at "
                                        f"line {seen[target].line})")
                continue
            seen[target] = target_node
            raw.append((item, target, target_node, p, handoff, label))
        return self.resolve_probabilities(where, key, raw, ids)

    def resolve_probabilities(
        self, where: str, key: ScalarNode,
        raw: list[tuple[Node, str, Node, float | None, Handoff | None, str | None]],
        ids: dict[str, ScalarNode],
    ) -> tuple[Transition, ...]:
        """Apply the even split of the probability not given, and the sum checks."""
        given = math.fsum(r[3] for r in raw if r[3] is not None)
        without = sum(1 for r in raw if r[3] is None)
        if given > 1 + SUM_ABOVE_TOLERANCE:
            self.error(key, f"the probabilities 'p' of {where} sum to {given:.6g}, above 1")
            return ()
        if raw and without == 0 and given < 1 - SUM_BELOW_TOLERANCE:
            self.error(key, f"the probabilities 'p' of {where} sum to {given:.6g}: when every "
                            "transition gives 'p' they must sum to 1")
            return ()
        rest = max(0.0, 1.0 - given) / without if without else 0.0
        source = where[len("step '"):-1]
        file = self.file
        return tuple([
            Transition(source, target, p if p is not None else rest, p, handoff, label,
                       Location(file, item.line, item.column), self.id_location(ids[target]))
            for item, target, _node, p, handoff, label in raw
        ])

    def entry_shares(self, steps: dict[str, Step],
                     steps_field: tuple[ScalarNode, Node] | None) -> dict[str, float]:
        """Resolve entry shares: given ones as written, the rest split evenly."""
        entries = [s for s in steps.values() if s.kind is StepKind.ENTRY]
        given = math.fsum(s.share for s in entries if s.share is not None)
        without = [s for s in entries if s.share is None]
        if given > 1 + SUM_ABOVE_TOLERANCE and steps_field is not None:
            self.error(steps_field[0], f"the entry shares sum to {given:.6g}, above 1")
        rest = max(0.0, 1.0 - given) / len(without) if without else 0.0
        return {s.id: s.share if s.share is not None else rest for s in entries}


_NOT_SCALAR = object()
"""Marks a value read from a collection where a scalar was expected."""
_UNREADABLE = object()
"""Marks a scalar whose value could not be read (already reported)."""


def _spelt_infinite(node: Node) -> bool:
    """True for ``.inf``, ``-.inf`` and the like: infinity asked for, not a number too large."""
    return isinstance(node, ScalarNode) and node.text.lstrip("+-").lower() == ".inf"


def _bound(value: float) -> str:
    """A bound of an interval for a message: ``0``, ``1``, ``1,000,000,000``, ``0.5``."""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:g}"


def _as_float(value: int | float) -> float:
    """``value`` as a float, infinite (with its sign) when an integer is too large for one."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf
