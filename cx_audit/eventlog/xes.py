"""Read an XES event log (IEEE 1849) as a stream of traces, safely and without holding the file.

XES is XML: a ``<log>`` of ``<trace>`` elements, each holding the case's own
attributes and its ``<event>`` elements, whose attributes are elements such
as ``<string key="concept:name" value="Register"/>`` or ``<date
key="time:timestamp" value="2024-01-31T10:05:00+01:00"/>``. :class:`XesReader`
feeds the bytes to expat piece by piece and hands out each trace as soon as
it is closed, so memory holds one trace, never the log.

What is read: the attributes that are direct children of a trace (the case
attributes) and of an event, as ``key -> value`` text, whatever their type
(string, date, int, float, boolean, id). Nested attributes (an attribute's
own meta-attributes, the members of a ``list`` or ``container``), ``<global>``
defaults, classifiers and extensions are read past: they say nothing about
what happened to a case. An ``<event>`` outside any trace belongs to no case
and is counted in :attr:`XesReader.stray_events`.

The same rules as for model files keep hostile XML harmless: a document type
declaration is refused where it starts, before its internal subset is read,
so entities (and their expansion) and external references cannot occur;
elements may nest at most :data:`MAX_XES_DEPTH` levels; and expat may not
hold more than :data:`MAX_XES_TOKEN` bytes of one tag, comment or text run.
The file's size is bounded by the reader that supplies the bytes
(:func:`cx_audit.io.reading.open_input` with the limit for logs).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from xml.parsers import expat

from cx_audit.core.errors import EventLogError, Problem
from cx_audit.io.safexml import refuse_declarations

__all__ = ["MAX_XES_DEPTH", "MAX_XES_TOKEN", "XesEvent", "XesReader", "XesTrace"]

MAX_XES_DEPTH = 100
"""Deepest element nesting accepted; XES logs nest five or six levels."""

MAX_XES_TOKEN = 16 * 1024 * 1024
"""Most bytes expat may buffer without reaching the end of a tag (16 MiB)."""

_REFUSAL = ("{what} are not accepted in an event log: a document type declaration can "
            "expand entities without limit or read other files")


@dataclass(frozen=True, slots=True)
class XesEvent:
    """One ``<event>``: its attributes (key -> value text) and where its tag starts."""

    attributes: dict[str, str]
    line: int
    column: int


@dataclass(slots=True)
class XesTrace:
    """One ``<trace>``: the case's attributes, its events, and where its tag starts."""

    attributes: dict[str, str]
    line: int
    column: int
    events: list[XesEvent] = field(default_factory=list)


class _Stop(Exception):
    """Raised from an expat handler to end parsing with a located problem."""

    def __init__(self, line: int, column: int, message: str) -> None:
        super().__init__(message)
        self.line, self.column, self.message = line, column, message


class XesReader:
    """The traces of one XES file, read from ``chunks`` of bytes (see the module docstring).

    Iterate it once; each trace comes out when its end tag is read. Bad XML,
    a document type declaration or a root element other than ``<log>``
    raise :class:`~cx_audit.core.errors.EventLogError` at ``file:line:column``.
    """

    def __init__(self, chunks: Iterable[bytes], file: str) -> None:
        self._chunks = chunks
        self.file = file
        self.stray_events = 0
        """Events found outside any trace (they belong to no case)."""
        self.traces = 0

    def __iter__(self) -> Iterator[XesTrace]:
        parser = expat.ParserCreate()
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        done: list[XesTrace] = []
        depth = 0
        trace: XesTrace | None = None
        event: dict[str, str] | None = None
        last_index = 0

        def here() -> tuple[int, int]:
            return parser.CurrentLineNumber, parser.CurrentColumnNumber + 1

        def start(name: str, attributes: dict[str, str]) -> None:
            nonlocal depth, trace, event, last_index
            depth += 1
            if depth == 4 and event is not None:  # an attribute of an event: the hot path
                key = attributes.get("key")
                if key is not None and "value" in attributes:
                    event[key] = attributes["value"]
                return
            last_index = parser.CurrentByteIndex
            local = name.rpartition(":")[2]
            if depth == 1:
                if local != "log":
                    raise _Stop(*here(), f"an XML file, but not an XES event log: its root "
                                         f"element is <{name[:60]}>, not <log>")
            elif depth == 2 and local == "trace":
                trace = XesTrace({}, *here())
            elif depth == 3 and trace is not None:
                if local == "event":
                    event = {}
                    trace.events.append(XesEvent(event, *here()))
                else:
                    key = attributes.get("key")
                    if key is not None and "value" in attributes:
                        trace.attributes[key] = attributes["value"]
            elif local == "event" and depth == 2:
                self.stray_events += 1
            elif depth > MAX_XES_DEPTH:
                raise _Stop(*here(), f"elements are nested more than {MAX_XES_DEPTH} levels deep")

        def end(name: str) -> None:
            nonlocal depth, trace, event
            if depth == 3 and event is not None:
                event = None
            elif depth == 2 and trace is not None:
                done.append(trace)
                trace = None
            depth -= 1

        def refuse(what: str) -> None:
            raise _Stop(*here(), _REFUSAL.format(what=what))

        parser.StartElementHandler = start
        parser.EndElementHandler = end
        refuse_declarations(parser, refuse)
        fed = 0
        try:
            for chunk in self._chunks:
                parser.Parse(chunk, False)
                fed += len(chunk)
                if done:
                    self.traces += len(done)
                    yield from done
                    done.clear()
                if fed - max(last_index, parser.CurrentByteIndex) > MAX_XES_TOKEN:
                    raise _Stop(*here(), "expat holds more than 16 MiB of one tag, comment or "
                                         "text: this is not an event log")
            parser.Parse(b"", True)
        except _Stop as stop:
            raise EventLogError([Problem(self.file, stop.line, stop.column, stop.message)]
                                ) from None
        except expat.ExpatError as exc:
            raise EventLogError([Problem(self.file, exc.lineno or 1, (exc.offset or 0) + 1, (
                f"not well-formed XML: {expat.ErrorString(exc.code)}"))]) from None
        except (LookupError, UnicodeError) as exc:
            raise EventLogError([Problem(self.file, 1, 1, (
                f"cannot read the file's encoding: {exc}"))]) from None
        self.traces += len(done)
        yield from done
