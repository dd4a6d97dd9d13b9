"""The one way cx-audit reads an input: bounded in size, depth and time; only files and pipes.

Every input the tool opens comes through here: journeys, configurations,
baselines, mappings, event logs, the models ``import`` reads and the journeys
``--base`` takes from git. A refusal is a :class:`~cx_audit.core.errors.Problem`
at ``FILE:1:1`` (or where it happens) inside the caller's own error type, so
each command reports it as it reports any other bad input.

- **Size.** At most :data:`MAX_INPUT_BYTES` are read (event logs, which are
  streamed, :data:`MAX_LOG_BYTES`). The limit holds while reading, not only
  on the size a file claims: a pipe, ``<(yes)`` or a file that grows stops
  at the limit plus one byte.
- **Kind.** A regular file or a pipe is read; a folder, a device
  (``/dev/zero``, a terminal) or a socket is refused with one line.
- **Time.** A pipe (``<(...)``, ``/dev/stdin`` fed by a program, a named
  FIFO) is opened without blocking, so opening a FIFO nobody writes to
  does not hang; reading it gives up once nothing has arrived for
  :data:`PIPE_IDLE_SECONDS`. Pipes are read rather than refused because
  feeding a journey from another program is a normal use
  (``git show HEAD:j.yaml | cx-audit validate /dev/stdin``).
- **Depth.** TOML and JSON are parsed here after a linear scan has checked
  that they nest at most :data:`MAX_DEPTH` levels, the limit the YAML
  composer applies, so that the standard parsers, which recurse, never
  exhaust the stack; integers too long for Python to convert are reported
  at their place.
"""

from __future__ import annotations

import io
import json
import os
import re
import select
import stat
import sys
import time
import tomllib
from collections.abc import Iterator
from typing import IO, Any

from cx_audit.core.errors import Problem, ProblemsError

__all__ = [
    "MAX_DEPTH",
    "MAX_INPUT_BYTES",
    "MAX_LINE_CHARS",
    "MAX_LOG_BYTES",
    "PIPE_IDLE_SECONDS",
    "BoundedInput",
    "decode_utf8",
    "open_input",
    "parse_json",
    "parse_toml",
    "read_input",
    "read_lines",
    "read_stream",
    "read_text",
]

MAX_INPUT_BYTES = 16 * 1024 * 1024
"""Largest input read whole (16 MiB, several thousand times a real journey)."""

MAX_LOG_BYTES = 2 * 1024 ** 3
"""Largest event log read (2 GiB, tens of millions of events; a log is streamed, never held)."""

MAX_LINE_CHARS = 1024 * 1024
"""Longest line of an event log (1 MiB; a CSV field holds at most 128 KiB anyway)."""

MAX_DEPTH = 100
"""Deepest nesting of collections accepted in YAML, TOML and JSON; inputs need fewer than ten."""

PIPE_IDLE_SECONDS = 10.0
"""How long a pipe may stay silent before reading it gives up."""

_CHUNK = 1024 * 1024

_CAN_WAIT = hasattr(os, "O_NONBLOCK")
"""Whether pipes are opened without blocking (POSIX), and so can be waited on with a limit."""

_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
               | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))


def _size(count: int) -> str:
    """A byte count as people read it: ``16 MiB``, ``2 GiB``, ``1.5 KiB``."""
    for unit, scale in (("GiB", 1024 ** 3), ("MiB", 1024 ** 2), ("KiB", 1024)):
        if count >= scale:
            return f"{count / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{count} bytes"


def _refuse(error: type[ProblemsError], name: str, message: str, line: int = 1,
            column: int = 1) -> ProblemsError:
    """The ``error`` carrying one problem of input ``name`` (at 1:1 unless told)."""
    return error([Problem(name, line, column, message)])


class BoundedInput(io.RawIOBase):
    """An open input, read at most ``limit`` bytes (and a pipe, never waited on for ever).

    Made by :func:`open_input`, which has checked that it is a regular file
    or a pipe. Reading past ``limit`` raises the caller's ``error`` type.
    """

    def __init__(self, fd: int, name: str, what: str, error: type[ProblemsError], limit: int,
                 pipe: bool) -> None:
        super().__init__()
        self.fd = fd
        self.name = name
        self.what = what
        self.error = error
        self.limit = limit
        self.pipe = pipe
        self.count = 0
        self._waited_for_writer = False

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.fd

    def close(self) -> None:
        if not self.closed:
            os.close(self.fd)
        super().close()

    def readinto(self, buffer: Any) -> int:
        """Fill ``buffer`` with what comes next; 0 at the end; refuse past the limit."""
        view = memoryview(buffer).cast("B")
        want = min(len(view), self.limit + 1 - self.count)
        if want <= 0:
            return 0
        while True:
            try:
                data = os.read(self.fd, want)
            except BlockingIOError:
                self._wait()
                continue
            except OSError as exc:
                raise _refuse(self.error, self.name,
                              f"cannot read the {self.what}: {exc.strerror or exc}") from None
            if not data and self.pipe and self.count == 0 and not self._waited_for_writer \
                    and _CAN_WAIT:
                # a FIFO that no program has opened yet reads as ended: give it a writer's time
                self._waited_for_writer = True
                self._wait()
                continue
            break
        got = len(data)
        view[:got] = data
        self.count += got
        if self.count > self.limit:
            raise _refuse(self.error, self.name, (
                f"the {self.what} is larger than {_size(self.limit)}; inputs over "
                f"{_size(self.limit)} are not read"))
        return got

    def _wait(self) -> None:
        """Block until the pipe has something (or has ended); refuse after a long silence."""
        deadline = time.monotonic() + PIPE_IDLE_SECONDS
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise _refuse(self.error, self.name, (
                    f"nothing arrived on the pipe for {PIPE_IDLE_SECONDS:g} s: is a program "
                    "writing to it?"))
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                return


def open_input(path: str | os.PathLike[str], name: str | None = None, *,
               error: type[ProblemsError] = ProblemsError, what: str = "file",
               limit: int = MAX_INPUT_BYTES) -> BoundedInput:
    """Open ``path`` for bounded reading; refuse what is not a regular file or a pipe.

    ``name`` is how problems name the input (default: the path), ``what``
    how messages call it ("configuration", "log"), ``error`` the
    :class:`ProblemsError` subclass raised. A regular file larger than
    ``limit`` is refused at once, without reading it.
    """
    shown = name if name is not None else os.fspath(path)
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise _refuse(error, shown, f"cannot read the {what}: {exc.strerror or exc}") from None
    try:
        status = os.fstat(fd)
        kind = _not_readable(status.st_mode)
        if kind is not None:
            raise _refuse(error, shown, f"cannot read the {what}: it is {kind}, not a file")
        pipe = stat.S_ISFIFO(status.st_mode)
        if not pipe:
            size = status.st_size
            if size > limit:
                raise _refuse(error, shown, (
                    f"the {what} is {_size(size)}; inputs over {_size(limit)} are not read"))
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return BoundedInput(fd, shown, what, error, limit, pipe)


def _not_readable(mode: int) -> str | None:
    """What kind of thing a non-file, non-pipe is (for the refusal), or None when readable."""
    if stat.S_ISREG(mode) or stat.S_ISFIFO(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_input(path: str | os.PathLike[str], name: str | None = None, *,
               error: type[ProblemsError] = ProblemsError, what: str = "file",
               limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of ``path``, at most ``limit`` of them (see :func:`open_input`)."""
    with open_input(path, name, error=error, what=what, limit=limit) as handle:
        return _read_all(handle)


def _read_all(handle: BoundedInput) -> bytes:
    """Everything left in ``handle`` (which refuses to go past its limit)."""
    parts: list[bytes] = []
    while True:
        chunk = handle.read(_CHUNK)
        if not chunk:
            return b"".join(parts)
        parts.append(chunk)


def read_text(path: str | os.PathLike[str], name: str | None = None, *,
              error: type[ProblemsError] = ProblemsError, what: str = "file",
              limit: int = MAX_INPUT_BYTES) -> str:
    """The text of ``path`` (UTF-8; a byte-order mark is dropped), bounded as :func:`read_input`."""
    shown = name if name is not None else os.fspath(path)
    return decode_utf8(read_input(path, shown, error=error, what=what, limit=limit), shown,
                       error=error)


def read_stream(stream: IO[bytes], name: str, *, error: type[ProblemsError] = ProblemsError,
                what: str = "file", limit: int = MAX_INPUT_BYTES) -> bytes:
    """At most ``limit`` bytes from an open binary stream (a child process's output, say).

    Reads ``limit + 1`` bytes at most, so a stream without end is cut off;
    past ``limit`` the input is refused.
    """
    parts: list[bytes] = []
    count = 0
    while count <= limit:
        chunk = stream.read(min(_CHUNK, limit + 1 - count))
        if not chunk:
            return b"".join(parts)
        parts.append(chunk)
        count += len(chunk)
    raise _refuse(error, name, f"the {what} is larger than {_size(limit)}; inputs over "
                               f"{_size(limit)} are not read")


def decode_utf8(data: bytes, name: str, *, error: type[ProblemsError] = ProblemsError) -> str:
    """Decode UTF-8 text (a byte-order mark is dropped), or refuse at the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise _refuse(error, name, f"not UTF-8 text: byte 0x{data[exc.start]:02x} cannot be "
                                   "decoded", line, column) from None


def read_lines(handle: IO[str], name: str, *, error: type[ProblemsError] = ProblemsError,
               limit: int = MAX_LINE_CHARS) -> Iterator[str]:
    """The lines of a text stream, each at most ``limit`` characters (a longer one is refused).

    For line-by-line readers such as :mod:`csv`, which would otherwise hold a
    line without end in memory whole.
    """
    readline = handle.readline
    number = 0
    while True:
        line = readline(limit + 1)
        if not line:
            return
        number += 1
        if len(line) > limit and line[-1] not in "\r\n":
            raise _refuse(error, name, f"line {number} is longer than {limit:,} characters",
                          number, 1)
        yield line


# -- TOML and JSON, depth-limited ---------------------------------------------------------

_JSON_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)
_TOML_TOKENS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'   # multi-line basic string
    r"|'''.*?'''"                       # multi-line literal string
    r'|"[^"\\\n]*(?:\\.[^"\\\n]*)*"'  # basic string
    r"|'[^'\n]*'"                       # literal string
    r"|#[^\n]*"                         # comment
    r"|[\[\]{}]", re.DOTALL)
_LONG_INTEGER = re.compile(r"[0-9][0-9_]{4299,}")
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)")


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _check_nesting(text: str, tokens: re.Pattern[str], name: str,
                   error: type[ProblemsError]) -> None:
    """Refuse brackets nested deeper than :data:`MAX_DEPTH`, at the first one too deep.

    Strings (and TOML comments) are skipped whole, so brackets inside them
    do not count. One pass over the text, no recursion.
    """
    depth = 0
    for match in tokens.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                line, column = _position(text, match.start())
                raise _refuse(error, name, f"nesting deeper than {MAX_DEPTH} levels", line, column)
        elif token in "]}":
            depth = max(0, depth - 1)


def _too_deep(data: Any) -> bool:
    """True when parsed data nests deeper than :data:`MAX_DEPTH` (iteratively)."""
    work: list[tuple[Any, int]] = [(data, 0)]
    while work:
        value, depth = work.pop()
        children = (value.values() if isinstance(value, dict) else
                    value if isinstance(value, list) else ())
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 >= MAX_DEPTH:
                    return True
                work.append((child, depth + 1))
    return False


def _long_integer(text: str, name: str, error: type[ProblemsError]) -> ProblemsError:
    """The refusal of an integer too long to convert, at the first such run of digits."""
    match = _LONG_INTEGER.search(text)
    line, column = _position(text, match.start()) if match else (1, 1)
    digits = len(match.group().replace("_", "")) if match else 0
    what = f"a number of {digits:,} digits" if digits else "a number too long"
    most = sys.get_int_max_str_digits() or 4300
    return _refuse(error, name, f"{what} is out of range: numbers are read up to {most:,} "
                                "digits", line, column)


def parse_toml(text: str, name: str, *, error: type[ProblemsError] = ProblemsError
               ) -> dict[str, Any]:
    """Parse TOML, refusing nesting deeper than :data:`MAX_DEPTH` and over-long integers.

    Syntax errors are placed where :mod:`tomllib` says. Dotted keys can nest
    tables without brackets; such a file is refused at its line with the
    most dots.
    """
    _check_nesting(text, _TOML_TOKENS, name, error)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_POSITION.search(str(exc))
        line, column = (int(found[1]), int(found[2])) if found else (1, 1)
        message = _TOML_POSITION.sub("", str(exc))
        raise _refuse(error, name, f"invalid TOML: {message}", line, column) from None
    except ValueError:  # an integer past the interpreter's digit limit
        raise _long_integer(text, name, error) from None
    except RecursionError:  # pragma: no cover - the nesting check comes first
        raise _refuse(error, name, f"nesting deeper than {MAX_DEPTH} levels") from None
    if _too_deep(data):
        lines = text.splitlines() or [""]
        deepest = max(range(len(lines)), key=lambda i: (lines[i].count("."), -i))
        raise _refuse(error, name, f"nesting deeper than {MAX_DEPTH} levels", deepest + 1, 1)
    return data


def parse_json(text: str, name: str, *, error: type[ProblemsError] = ProblemsError,
               invalid: str = "invalid JSON") -> Any:
    """Parse JSON, refusing nesting deeper than :data:`MAX_DEPTH` and over-long integers.

    ``invalid`` starts the message of a syntax error, placed where
    :mod:`json` says.
    """
    _check_nesting(text, _JSON_TOKENS, name, error)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _refuse(error, name, f"{invalid}: {exc.msg}", exc.lineno, exc.colno) from None
    except ValueError:  # an integer past the interpreter's digit limit
        raise _long_integer(text, name, error) from None
    except RecursionError:  # pragma: no cover - the nesting check comes first
        raise _refuse(error, name, f"nesting deeper than {MAX_DEPTH} levels") from None
