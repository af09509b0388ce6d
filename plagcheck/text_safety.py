"""Untrusted names shown on a terminal: file names, zip members, CSV cells, document titles.

A file may be named ``"a\\nb.pdf"`` or ``"\\x1b[2Jthesis.pdf"``: printed raw, the name splits a
one-line error in two, clears the screen, sets the window title (``ESC ] 0 ; … BEL``) or reverses
the text after it (U+202E). Every name the command line prints goes through :func:`printable`,
which shows such characters as escapes instead; ordinary letters of any script pass unchanged.
"""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls (0x9b is CSI on 8-bit terminals), line and paragraph separators,
# bidi marks, embeddings, overrides and isolates, and lone surrogates (undecodable bytes of a
# file name, which would make writing the line fail).
_BEYOND_C0 = "\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_UNSAFE = re.compile(f"[\x00-\x1f{_BEYOND_C0}]")
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Inside JSON (already escaped by json.dumps for C0): the rest, as JSON's own \\uXXXX escapes.
_UNSAFE_IN_JSON = re.compile(f"[{_BEYOND_C0}]")


def _escape(match: re.Match) -> str:
    char = match.group()
    if char in _SHORT:
        return _SHORT[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: object) -> str:
    """``text`` with control and bidi characters written as escapes.

    >>> printable("a\\nb\\x1b[2J\\u202egpj.exe")
    'a\\\\nb\\\\x1b[2J\\\\u202egpj.exe'
    >>> printable("Дипломная жұмыс.pdf")
    'Дипломная жұмыс.pdf'
    """
    return _UNSAFE.sub(_escape, str(text))


def json_printable(text: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) safe for a terminal and still the
    same JSON: the characters :func:`printable` escapes become ``\\uXXXX`` escapes, which a JSON
    reader turns back into the original characters.

    >>> json_printable('{"name": "a\\u202eb"}')
    '{"name": "a\\\\u202eb"}'
    """
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
