"""Make text from journey files, and file names, safe to show.

This is the one place where untrusted text becomes printable: every
message the command line prints, in every format, and every renderer's
text passes through :func:`printable` (file names through
:func:`printable_path`). Labels, ids, messages and evidence come from files
the user may not have written, and file names from folders anyone can
fill. Three things are made visible instead of being passed on:

- control characters (terminal escape sequences among them), line and
  paragraph separators and bidirectional overrides, shown as ``\\xNN`` or
  ``\\uNNNN`` escapes, so that a label can neither recolour nor rewrite
  the terminal nor start a new line;
- lone surrogates, which is how Python keeps the bytes of a file name that
  are not UTF-8 (``\\udce9`` for the byte 0xE9): shown as the byte,
  ``\\xe9``, so that no output ever holds text that cannot be encoded;
- a line that starts with ``::``, which GitHub Actions would read as a
  workflow command in a job's log: a file name that starts so (as in
  ``FILE:LINE:COL: message``) is shown as ``./::...``, the same file, and
  in text kept on several lines the colon after a newline as ``\\x3a``.

Rich markup is never interpreted because renderers build
:class:`rich.text.Text` objects, which are shown literally.
"""

from __future__ import annotations

import os
import re

__all__ = ["json_printable", "printable", "printable_path", "printable_problem"]

_CONTROL = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a file name that is not UTF-8
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with control, bidirectional-override and surrogate characters made visible.

    Newlines and tabs become spaces, unless ``keep_newlines``; then no line
    after the first starts with ``::``.

    >>> printable("red\\x1b[31m"), printable("caf\\udce9.yaml")
    ('red\\\\x1b[31m', 'caf\\\\xe9.yaml')
    """
    if not keep_newlines:
        return _CONTROL.sub(_escape, text.replace("\n", " ").replace("\t", " "))
    return _CONTROL.sub(_escape, text).replace("\n::", "\n\\x3a:")


def printable_path(path: str | os.PathLike[str]) -> str:
    """A file name as messages show it: printable, and never starting a workflow command.

    A relative name that starts with ``::`` is shown as ``./::...``, the
    same file, so that a ``FILE:LINE:COL: message`` line cannot be read as
    a GitHub Actions command.

    >>> printable_path("::error::x.yaml"), printable_path("a\\nb.yaml")
    ('./::error::x.yaml', 'a b.yaml')
    """
    name = os.fspath(path)
    if name.startswith("::"):
        name = "./" + name
    return printable(name)


def printable_problem(file: str, line: int, column: int, message: str) -> str:
    """A problem as every output shows it: ``FILE:LINE:COL: message``, all of it printable.

    >>> printable_problem("a.yaml", 3, 5, "step '\\x1b[2J'\\n::error::x")
    "a.yaml:3:5: step '\\\\x1b[2J' ::error::x"
    """
    return f"{printable_path(file)}:{line}:{column}: {printable(message)}"


def json_printable(encoded: str) -> str:
    """JSON text with each lone surrogate shown as :func:`printable` shows it.

    ``json.dumps(..., ensure_ascii=False)`` passes the surrogates of a file
    name that is not UTF-8 through, and no UTF-8 output can hold them. JSON
    syntax is ASCII, so a surrogate can only stand inside a string: it
    becomes the escape ``\\xe9``, whose backslash is escaped for JSON.

    >>> import json
    >>> json.loads(json_printable(json.dumps({"file": "caf\\udce9"}, ensure_ascii=False)))
    {'file': 'caf\\\\xe9'}
    """
    return _SURROGATE.sub(lambda match: "\\" + _escape(match), encoded)
