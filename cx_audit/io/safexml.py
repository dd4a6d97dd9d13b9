"""A small, safe XML reader on top of the standard library's expat binding.

Model files come from other people's tools, so they are treated as hostile:

- a document type declaration (``<!DOCTYPE``) is refused as soon as the
  parser meets it, before its internal subset is read. Entity declarations
  can only appear inside one, so entity expansion ("billion laughs") and
  external entities cannot happen; handlers for entity and notation
  declarations and for external entity references refuse as well, and
  parameter entities are never parsed;
- the encoding comes from the XML declaration (UTF-8, UTF-16, ISO-8859-1,
  US-ASCII, and the single-byte encodings Python knows);
- files above :data:`MAX_XML_BYTES` are refused before parsing, and elements
  nested deeper than :data:`MAX_XML_DEPTH` levels while parsing.

The result is a tree of :class:`XmlElement` with namespace URIs resolved
(names are ``(uri, local)`` pairs, never prefixes), the 1-based line and
column of every start tag, and the namespace declarations seen, so that
QName attribute values such as ``tns:Process_1`` can be resolved by URI.
Failures raise :class:`XmlInputError` with a 1-based line and column.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

from cx_audit.core.errors import XmlInputError

__all__ = [
    "MAX_XML_BYTES",
    "MAX_XML_DEPTH",
    "XmlDocument",
    "XmlElement",
    "XmlInputError",
    "parse_xml",
    "refuse_declarations",
]

MAX_XML_BYTES = 32 * 1024 * 1024
"""Largest model file read (32 MiB; real process models are well under 1 MiB)."""

MAX_XML_DEPTH = 200
"""Deepest element nesting accepted; process models nest a few dozen levels at most."""

_SEPARATOR = "\x1f"
_REFUSAL = ("{what} are not accepted: a document type declaration can expand entities "
            "without limit or read other files")



@dataclass(eq=False)
class XmlElement:
    """One element: resolved name, attributes, children, text and position."""

    uri: str
    local: str
    attributes: dict[str, str]
    line: int
    column: int
    children: list[XmlElement] = field(default_factory=list)
    text_parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The element's own character data, stripped."""
        return "".join(self.text_parts).strip()

    def get(self, name: str, default: str | None = None) -> str | None:
        """An attribute without namespace (the usual case for BPMN attributes)."""
        return self.attributes.get(name, default)

    def iter(self) -> list[XmlElement]:
        """This element and all its descendants, in document order."""
        out: list[XmlElement] = []
        stack = [self]
        while stack:
            element = stack.pop()
            out.append(element)
            stack.extend(reversed(element.children))
        return out


@dataclass
class XmlDocument:
    """The root element and every ``prefix -> URI`` declaration met in the file."""

    root: XmlElement
    namespaces: dict[str, set[str]]


def _split(name: str) -> tuple[str, str]:
    uri, sep, local = name.rpartition(_SEPARATOR)
    return (uri, local) if sep else ("", name)


def refuse_declarations(parser: Any, refuse: Callable[[str], None]) -> None:
    """Make ``parser`` (expat) call ``refuse(what)`` at any DTD, entity or notation.

    A document type declaration can expand entities without bound (the
    "billion laughs") or fetch external files; journeys, models and logs
    never need one. ``refuse`` raises, with the position it knows.
    """

    def external(*_args: object) -> int:
        refuse("external entities")
        return 0

    parser.StartDoctypeDeclHandler = lambda *_args: refuse("DOCTYPE declarations")
    parser.EntityDeclHandler = lambda *_args: refuse("ENTITY declarations")
    parser.UnparsedEntityDeclHandler = lambda *_args: refuse("ENTITY declarations")
    parser.NotationDeclHandler = lambda *_args: refuse("NOTATION declarations")
    parser.ExternalEntityRefHandler = external


def parse_xml(data: bytes) -> XmlDocument:
    """Parse ``data`` safely; raise :class:`XmlInputError` on any refusal or error."""
    if len(data) > MAX_XML_BYTES:
        raise XmlInputError(1, 1, f"the file is {len(data) / 1048576:.1f} MiB; model files over "
                                  f"{MAX_XML_BYTES // 1048576} MiB are not read")
    declaration = data.find(b"<!DOCTYPE")
    if declaration >= 0:  # report where it starts (expat reports it after its name)
        line = data.count(b"\n", 0, declaration) + 1
        column = declaration - (data.rfind(b"\n", 0, declaration) + 1) + 1
        raise XmlInputError(line, column, _REFUSAL.format(what="DOCTYPE declarations"))
    parser = expat.ParserCreate(namespace_separator=_SEPARATOR)
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    stack: list[XmlElement] = []
    roots: list[XmlElement] = []
    namespaces: dict[str, set[str]] = {}

    def here() -> tuple[int, int]:
        return parser.CurrentLineNumber, parser.CurrentColumnNumber + 1

    def refuse(what: str) -> None:
        line, column = here()
        raise XmlInputError(line, column, _REFUSAL.format(what=what))

    def start(name: str, attributes: dict[str, str]) -> None:
        uri, local = _split(name)
        line, column = here()
        if len(stack) >= MAX_XML_DEPTH:
            raise XmlInputError(line, column, f"elements are nested more than {MAX_XML_DEPTH} "
                                              "levels deep")
        element = XmlElement(uri, local, {}, line, column)
        for key, value in attributes.items():
            attr_uri, attr_local = _split(key)
            qualified = attr_local if not attr_uri else f"{{{attr_uri}}}{attr_local}"
            element.attributes[qualified] = value
        if stack:
            stack[-1].children.append(element)
        else:
            roots.append(element)
        stack.append(element)

    def end(name: str) -> None:
        stack.pop()

    def characters(text: str) -> None:
        if stack:
            stack[-1].text_parts.append(text)

    def namespace(prefix: str | None, uri: str) -> None:
        namespaces.setdefault(prefix or "", set()).add(uri)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    parser.StartNamespaceDeclHandler = namespace
    refuse_declarations(parser, refuse)
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise XmlInputError(exc.lineno or 1, (exc.offset or 0) + 1,
                            f"not well-formed XML: {expat.ErrorString(exc.code)}") from None
    except (LookupError, UnicodeError, ValueError) as exc:
        raise XmlInputError(1, 1, f"cannot read the file's encoding: {exc}") from None
    if not roots:
        raise XmlInputError(1, 1, "the file holds no XML element")
    return XmlDocument(roots[0], namespaces)
