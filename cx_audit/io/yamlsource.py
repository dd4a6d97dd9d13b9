"""Read a YAML file into position-carrying nodes, safely.

PyYAML's own loaders keep the last of two duplicate keys, accept several
documents, construct arbitrary tags on request, expand aliases without
limit and compose recursively (so a deeply nested document exhausts the
stack). Journey files are small, hand-written documents, so this module
composes the event stream itself, iteratively, and turns every one of those
cases into a :class:`Problem` with a 1-based line and column:

- input that is not UTF-8 text (a byte-order mark is accepted);
- invalid YAML (the parser's message and position);
- an empty stream, or more than one document;
- duplicate keys in a mapping, and keys that are not scalars;
- tags other than the plain YAML ones (``!!str``, ``!!int``, ``!!float``,
  ``!!bool``, ``!!null``, ``!!map``, ``!!seq``);
- aliases to unknown anchors, and aliases that together expand past
  :data:`ALIAS_BUDGET` nodes (the "billion laughs");
- nesting deeper than :data:`MAX_DEPTH` levels.

Events come from libyaml through PyYAML's C parser when it is available
(several times faster than the pure-Python one) and from the pure-Python
parser otherwise; both give the same events.

Plain scalars are typed by the YAML 1.2 core schema, which is what editors'
YAML language servers use: ``yes``, ``no``, ``on`` and ``off`` are strings,
not booleans, so a step called ``no`` stays a step called ``no``.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml

from cx_audit.core.errors import Problem, YamlSourceError
from cx_audit.io.reading import MAX_DEPTH, decode_utf8

__all__ = [
    "ALIAS_BUDGET",
    "MAX_DEPTH",
    "MappingNode",
    "Node",
    "Problem",
    "ScalarNode",
    "SequenceNode",
    "YamlSourceError",
    "compose_text",
    "decode_bytes",
    "excerpt",
    "to_python",
]


ALIAS_BUDGET = 10_000
"""Most nodes that aliases may add to a document when expanded."""

_Parser: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_CORE_TAG = "tag:yaml.org,2002:"
_ALLOWED_TAGS = frozenset(
    {"!"} | {_CORE_TAG + t for t in ("str", "int", "float", "bool", "null", "map", "seq")}
)

_NULL = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_INT = re.compile(r"[-+]?[0-9]+")
_OCT = re.compile(r"0o[0-7]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?\.(?:inf|Inf|INF)")
_NAN = re.compile(r"\.(?:nan|NaN|NAN)")




class Node:
    """A composed YAML node with its 1-based position."""

    __slots__ = ("column", "line", "size")

    line: int
    column: int
    size: int

    kind = "node"


class ScalarNode(Node):
    """A scalar: its source ``text``, whether it was ``plain`` and its ``tag``."""

    __slots__ = ("plain", "tag", "text")
    kind = "scalar"

    def __init__(self, text: str, plain: bool, tag: str | None, line: int, column: int) -> None:
        self.text = text
        self.plain = plain
        self.tag = tag
        self.line = line
        self.column = column
        self.size = 1

    @property
    def value(self) -> Any:
        """The scalar's value under the YAML 1.2 core schema (and its tag)."""
        return resolve_scalar(self.text, self.plain, self.tag)


class MappingNode(Node):
    """A mapping: ``pairs`` of (key node, value node) in source order."""

    __slots__ = ("pairs",)
    kind = "mapping"

    def __init__(self, line: int, column: int) -> None:
        self.pairs: list[tuple[Node, Node]] = []
        self.line = line
        self.column = column
        self.size = 1


class SequenceNode(Node):
    """A sequence: ``items`` in source order."""

    __slots__ = ("items",)
    kind = "sequence"

    def __init__(self, line: int, column: int) -> None:
        self.items: list[Node] = []
        self.line = line
        self.column = column
        self.size = 1


def resolve_scalar(text: str, plain: bool, tag: str | None) -> Any:
    """Type a scalar: explicit core tags first, then YAML 1.2 core rules for plain ones.

    Quoted and block scalars are strings. A value an explicit tag cannot
    hold (``!!int abc``) raises ``ValueError``.
    """
    if tag is not None and tag != "!":
        name = tag[len(_CORE_TAG):]
        if name == "str":
            return text
        if name == "null":
            if text in _NULL:
                return None
            raise ValueError(f"'{excerpt(text)}' is tagged !!null but is not null (~)")
        if name == "bool":
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            raise ValueError(f"'{excerpt(text)}' is tagged !!bool but is not true or false")
        if name == "int":
            value = _plain_number(text)
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            raise ValueError(f"'{excerpt(text)}' is tagged !!int but is not an integer")
        if name == "float":
            value = _plain_number(text)
            if value is None:
                raise ValueError(f"'{excerpt(text)}' is tagged !!float but is not a number")
            try:
                return float(value)
            except OverflowError:
                return math.inf if value > 0 else -math.inf
        return text
    if not plain or tag == "!":
        return text
    if text in _NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    number = _plain_number(text)
    return text if number is None else number


def excerpt(text: str, limit: int = 40) -> str:
    """``text`` cut to about ``limit`` characters for a message, saying how long it was."""
    if len(text) <= limit:
        return text
    return f"{text[:limit - 10]}… ({len(text):,} characters)"


def _plain_number(text: str) -> int | float | None:
    """Return the number a plain scalar spells under the core schema, else None."""
    if not text or text[0] not in "0123456789+-.":
        return None
    if _INT.fullmatch(text):
        try:
            return int(text)
        except ValueError:  # past the interpreter's digit limit (4,300 by default)
            digits = len(text.lstrip("+-"))
            raise ValueError(f"the number {text[:20]}… has {digits:,} digits and is out of "
                             "range (put it in quotes if it is text)") from None
    if _OCT.fullmatch(text):
        return int(text[2:], 8)
    if _HEX.fullmatch(text):
        return int(text[2:], 16)
    if _FLOAT.fullmatch(text):
        return float(text)
    if _INF.fullmatch(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN.fullmatch(text):
        return math.nan
    return None


def decode_bytes(data: bytes, file: str) -> str:
    """Decode UTF-8 text (an optional byte-order mark is dropped).

    Raises :class:`YamlSourceError` at the first byte that is not UTF-8.
    """
    return decode_utf8(data, file, error=YamlSourceError)


def _position_of(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of character ``index`` in ``text``."""
    index = max(0, min(index, len(text)))
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def compose_text(text: str, file: str) -> tuple[Node, list[Problem]]:
    """Compose ``text`` into one root node.

    Returns the root and the problems that did not stop composition
    (duplicate keys, disallowed tags). Raises :class:`YamlSourceError` when
    no document can be composed at all (invalid YAML, an empty stream,
    several documents, a bad alias, too deep a nesting).

    Notes
    -----
    One pass over the event stream with an explicit stack: O(n) time, no
    recursion, so any nesting depth is handled without touching the
    interpreter's stack.
    """
    problems: list[Problem] = []
    parser = _Parser(text)
    try:
        return _compose(parser, text, file, problems), problems
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or "invalid YAML"
        if exc.context:
            what = f"{what} ({exc.context}"
            start = exc.context_mark
            if start is not None and mark is not None and start.line != mark.line:
                what += f" from line {start.line + 1}, column {start.column + 1}"
            what += ")"
        raise YamlSourceError([Problem(file, line, column, f"invalid YAML: {what}")]) from None
    except yaml.reader.ReaderError as exc:
        line, column = _position_of(text, exc.position)
        reason = exc.reason if isinstance(exc.reason, str) else "unreadable character"
        code = (exc.character if isinstance(exc.character, int)
                else ord(str(exc.character)[:1] or "?"))
        raise YamlSourceError(
            [Problem(file, line, column, f"invalid character U+{code:04X}: {reason}")]
        ) from None
    except yaml.YAMLError as exc:  # any other parser failure, without a position
        raise YamlSourceError([Problem(file, 1, 1, f"invalid YAML: {exc}")]) from None
    finally:
        dispose = getattr(parser, "dispose", None)
        if dispose is not None:
            dispose()


def _compose(parser: Any, text: str, file: str, problems: list[Problem]) -> Node:
    """The composition loop behind :func:`compose_text`."""
    get_event = parser.get_event
    get_event()  # StreamStart
    first = get_event()
    if isinstance(first, yaml.StreamEndEvent):
        raise YamlSourceError(
            [Problem(file, 1, 1, "the file is empty: expected a journey mapping")])

    anchors: dict[str, Node] = {}
    expanded = 0
    stack: list[Node] = []
    keys: list[dict[str, Node]] = []
    pending_key: list[Node | None] = []
    root: Node | None = None

    def fail(mark: Any, message: str) -> YamlSourceError:
        return YamlSourceError([Problem(file, mark.line + 1, mark.column + 1, message)])

    def check_tag(tag: str | None, mark: Any, expected: str) -> None:
        if tag is None or tag == "!":
            return
        if tag not in _ALLOWED_TAGS:
            problems.append(
                Problem(file, mark.line + 1, mark.column + 1, f"tag '{tag}' is not allowed: "
                        "only plain YAML values are read")
            )
        elif (expected == "scalar" and tag in (_CORE_TAG + "map", _CORE_TAG + "seq")) or (
            expected != "scalar" and tag != _CORE_TAG + expected
        ):
            problems.append(
                Problem(file, mark.line + 1, mark.column + 1,
                        f"tag '{tag}' does not fit a {expected}")
            )

    def attach(node: Node) -> None:
        nonlocal root
        if not stack:
            root = node
            return
        parent = stack[-1]
        if isinstance(parent, SequenceNode):
            parent.items.append(node)
            parent.size += node.size
            return
        assert isinstance(parent, MappingNode)
        key = pending_key[-1]
        if key is None:
            pending_key[-1] = node
            return
        pending_key[-1] = None
        parent.pairs.append((key, node))
        parent.size += key.size + node.size
        if isinstance(key, ScalarNode):
            seen = keys[-1]
            previous = seen.get(key.text)
            if previous is not None:
                problems.append(
                    Problem(file, key.line, key.column,
                            f"duplicate key '{key.text}' (first defined at line {previous.line})")
                )
            else:
                seen[key.text] = key
        else:
            problems.append(
                Problem(file, key.line, key.column, "mapping keys must be plain strings"))

    scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
    mapping_start, sequence_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
    mapping_end, sequence_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
    event = first  # DocumentStart
    while True:
        event = get_event()
        kind = type(event)
        if kind is scalar_event:
            mark = event.start_mark
            tag = event.tag
            if tag is not None and tag != "!":
                check_tag(tag, mark, "scalar")
            plain = not event.style and event.implicit[0]
            node: Node = ScalarNode(event.value, plain, tag, mark.line + 1, mark.column + 1)
            if event.anchor is not None:
                anchors[event.anchor] = node
            if stack and type(stack[-1]) is MappingNode:
                key = pending_key[-1]
                if key is None:
                    pending_key[-1] = node  # a key: attached with its value
                elif type(key) is ScalarNode and key.text not in keys[-1]:
                    pending_key[-1] = None  # a plain value under a new key: the common case
                    parent = stack[-1]
                    parent.pairs.append((key, node))
                    parent.size += 2
                    keys[-1][key.text] = key
                else:
                    attach(node)  # duplicate or complex keys are reported there
            else:
                attach(node)
        elif kind is mapping_start or kind is sequence_start:
            mark = event.start_mark
            if len(stack) >= MAX_DEPTH:
                raise fail(mark, f"nesting deeper than {MAX_DEPTH} levels")
            is_map = kind is mapping_start
            if event.tag is not None:
                check_tag(event.tag, mark, "map" if is_map else "seq")
            node = MappingNode(mark.line + 1, mark.column + 1) if is_map else SequenceNode(
                mark.line + 1, mark.column + 1
            )
            if event.anchor is not None:
                anchors[event.anchor] = node
            stack.append(node)
            keys.append({})
            pending_key.append(None)
        elif kind is mapping_end or kind is sequence_end:
            node = stack.pop()
            keys.pop()
            pending_key.pop()
            attach(node)
        elif kind is alias_event:
            mark = event.start_mark
            target = anchors.get(event.anchor)
            if target is None:
                raise fail(mark, f"alias '*{event.anchor}' names no anchor defined before it")
            if target in stack:
                raise fail(mark, f"alias '*{event.anchor}' refers to a collection that contains it")
            expanded += target.size
            if expanded > ALIAS_BUDGET:
                raise fail(mark, f"aliases expand past {ALIAS_BUDGET} nodes; write the values out")
            attach(target)
        elif kind is yaml.DocumentEndEvent:
            following = get_event()
            if isinstance(following, yaml.DocumentStartEvent):
                raise fail(following.start_mark,
                           "a second YAML document starts here: a journey file holds one document")
            break
        else:  # pragma: no cover - the parser emits no other event inside a document
            raise fail(event.start_mark, f"unexpected YAML event {kind.__name__}")
    assert root is not None
    return root


def to_python(node: Node) -> Any:
    """Convert a node to plain Python values (keys as their source text).

    Iterative, so it is safe at any depth the composer accepted. Scalars an
    explicit tag cannot hold become their text.
    """
    def scalar(n: ScalarNode) -> Any:
        try:
            return n.value
        except ValueError:
            return n.text

    if isinstance(node, ScalarNode):
        return scalar(node)
    result: Any = {} if isinstance(node, MappingNode) else []
    work: list[tuple[Node, Any]] = [(node, result)]
    while work:
        current, out = work.pop()
        children: list[tuple[Any, Node]]
        if isinstance(current, MappingNode):
            children = [
                (k.text if isinstance(k, ScalarNode) else repr(k.line), v) for k, v in current.pairs
            ]
        else:
            assert isinstance(current, SequenceNode)
            children = [(i, v) for i, v in enumerate(current.items)]
        for slot, child in children:
            if isinstance(child, ScalarNode):
                value: Any = scalar(child)
            else:
                value = {} if isinstance(child, MappingNode) else []
                work.append((child, value))
            if isinstance(out, dict):
                out[slot] = value
            else:
                out.append(value)
    return result
