"""Journey text made inert in the formats that show it: Markdown, Mermaid, DOT, HTML and SVG.

Titles, labels, owners, evidence and the messages that quote them come
from files the user may not have written. Each function here turns such
text into one line of literal text for its format: nothing in it can open
a link, a tag, a code span, a table cell, a directive or a new statement.
"""

from __future__ import annotations

import re
from typing import Any

from cx_audit.core.model import SLUG_PATTERN
from cx_audit.text.safe import printable

__all__ = ["dot_text", "html_text", "md_code", "md_text", "mermaid_text", "one_line"]

_SPACES = re.compile(r"\s+")
_SLUG = re.compile(SLUG_PATTERN)

# Characters with a meaning somewhere in GitHub Markdown, escaped wherever
# they are: emphasis, code, links and images, raw HTML and entities, tables,
# headings, strikethrough, footnotes, math, emoji and autolinks.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|!~^&@$])")
_MD_WWW = re.compile(r"\b([wW]{3})\.")
_MD_SCHEME = re.compile(r"(?i)(?<=mailto):|(?<=xmpp):|:(?=//)")
_MD_LEADING = re.compile(r"^([-+=]|\d+(?=[.)]))")

# Written as Mermaid entity codes in one pass over the original characters,
# so an entity written here is never escaped again. ``#`` starts an entity
# and ``"`` ends the quoted label; ``<``, ``>`` and ``&`` would be read as
# HTML; ``;`` ends a statement; a backtick opens a Mermaid Markdown string;
# ``%`` starts comments and ``%%{init}%%`` directives (honoured even inside
# quotes); ``|`` delimits edge labels; and a ``:`` after the word ``style``
# or ``classDef`` makes Mermaid drop the last ``;`` of the line before it
# decodes entities.
_MERMAID_ENTITIES = {
    "#": "#35;",
    '"': "#quot;",
    "<": "#lt;",
    ">": "#gt;",
    "&": "#amp;",
    ";": "#59;",
    "`": "#96;",
    "%": "#37;",
    "|": "#124;",
    ":": "#58;",
}
_MERMAID_TABLE = str.maketrans(_MERMAID_ENTITIES)
_END_WORD = re.compile(r"\bend\b")


def one_line(text: Any) -> str:
    """``text`` on one line: control characters made visible, whitespace runs one space.

    >>> one_line("  a\\n\\tb\\x1b ")
    'a b\\\\x1b'
    """
    return _SPACES.sub(" ", printable(str(text))).strip()


def md_text(text: Any) -> str:
    """``text`` as literal, one-line Markdown that is safe in a table cell.

    Control characters become visible escapes and whitespace one space;
    every ASCII character that means something to GitHub Markdown is
    backslash-escaped; ``www.``, ``://``, ``mailto:`` and ``xmpp:`` are
    broken so that GitHub does not turn them into links; and a leading
    ``-``, ``+``, ``=`` or ``1.`` cannot start a list.

    >>> md_text("*a* | <b>")
    '\\\\*a\\\\* \\\\| \\\\<b\\\\>'
    """
    escaped = _MD_SPECIAL.sub(r"\\\1", one_line(text))
    escaped = _MD_WWW.sub(r"\1\\.", escaped)
    escaped = _MD_SCHEME.sub(r"\\:", escaped)
    match = _MD_LEADING.match(escaped)
    if match:
        if match.group(1)[0].isdigit():
            end = match.end()
            escaped = escaped[:end] + "\\" + escaped[end:]
        else:
            escaped = "\\" + escaped
    return escaped


def md_code(identifier: str) -> str:
    """A step or journey id as inline code when it is a plain slug, else as :func:`md_text`.

    >>> md_code("phone-menu"), md_code("a`b")
    ('`phone-menu`', 'a\\\\`b')
    """
    if _SLUG.fullmatch(identifier):
        return f"`{identifier}`"
    return md_text(identifier)


def mermaid_text(text: str) -> str:
    """``text`` made safe inside a quoted Mermaid label (``n0["..."]``).

    Control characters become visible escapes and whitespace (newlines
    included) one space; then each of ``# " < > & ; ` % | :`` is written as
    a Mermaid entity code in a single pass, so the entities it writes are
    not escaped again. Finally ``direction``, wherever it appears, gets its
    first letter as an entity (Mermaid's flowchart lexer takes any line
    holding ``direction LR``, or TB, BT, RL, TD, for a direction statement,
    even inside quotes, and the node silently disappears), and so does a
    word ``end``, so that no parser can take it for the keyword.

    >>> mermaid_text('say "end"; 50% <b>')
    'say #quot;#101;nd#quot;#59; 50#37; #lt;b#gt;'
    """
    escaped = one_line(text).translate(_MERMAID_TABLE)
    escaped = escaped.replace("direction", "#100;irection")
    return _END_WORD.sub("#101;nd", escaped)


def dot_text(text: str) -> str:
    """``text`` made safe inside a double-quoted DOT string.

    Control characters become visible escapes and whitespace one space; a
    backslash is doubled (so no ``\\N``, ``\\l`` or line continuation can
    arise) and a double quote is escaped.

    >>> dot_text('a "b" \\\\N')
    'a \\\\"b\\\\" \\\\\\\\N'
    """
    return one_line(text).replace("\\", "\\\\").replace('"', '\\"')


def html_text(value: Any) -> str:
    """``value`` as literal HTML or SVG text, safe in an element and in a quoted attribute.

    Control characters are made visible first (as in the terminal), then
    ``& < > " '`` become entities, so no label can open a tag, close an
    attribute or start a script.

    >>> html_text('</script><b onload="x">')
    '&lt;/script&gt;&lt;b onload=&quot;x&quot;&gt;'
    """
    text = printable(str(value))
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#x27;"))
