"""Make text from journey files safe to show in a terminal.

Labels, ids, messages and evidence come from files the user may not have
written. Control characters (terminal escape sequences among them) are
shown as visible ``\\xNN`` escapes so that a label can neither recolour nor
rewrite the terminal; rich markup is never interpreted because renderers
build :class:`rich.text.Text` objects, which are shown literally.
"""

from __future__ import annotations

import re

__all__ = ["printable"]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with control and bidirectional-override characters made visible.

    >>> printable("red\\x1b[31m")
    'red\\\\x1b[31m'
    """
    def escape(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    if not keep_newlines:
        text = text.replace("\n", " ").replace("\t", " ")
    return _CONTROL.sub(escape, text)
