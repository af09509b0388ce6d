"""Plain text: UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1251, detected."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from plagcheck import defaults
from plagcheck.errors import ExtractionError
from plagcheck.models import Document


def decode_text(data: bytes, path: str | Path = "<bytes>") -> str:
    """Decode bytes whose encoding is one a Kazakh or Russian Windows user would produce.

    The order is by certainty: a BOM is proof; valid UTF-8 of non-ASCII text is near-proof (it
    almost never happens by accident); CP1251 is taken only when the result reads as Cyrillic text
    (:func:`_reads_as_cp1251`). Anything else is refused, never guessed.
    """
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                raise ExtractionError(path, f"invalid {encoding} text despite its byte-order mark") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1251", errors="replace")
    if _reads_as_cp1251(text, data):
        return text
    raise ExtractionError(path, "unknown text encoding: save the file as UTF-8")


_WORD_RE = re.compile(r"[^\W\d_]+")


def _is_cyrillic(c: str) -> bool:
    return "\u0400" <= c <= "\u04ff"


def _reads_as_cp1251(text: str, data: bytes) -> bool:
    """Whether ``text``, ``data`` decoded as CP1251, reads as text written in that code page.

    In CP1251 Cyrillic text nearly every high byte is a letter; binary data or another code page
    decodes to punctuation, control characters and replacement marks instead. Except Latin-1
    (French, German): its accented letters are CP1251's Cyrillic ones, "préparé" reads "prйparй".
    That shows as Cyrillic letters inside Latin words, in a text that is mostly Latin. (A Russian
    text whose words hide Latin homoglyphs is mostly Cyrillic, and its alerts are wanted.)
    """
    high = sum(1 for b in data if b >= 0x80)
    if not high or "\ufffd" in text:
        return False
    letters = cyrillic = inside_latin = 0
    for word in _WORD_RE.findall(text):
        in_word = sum(map(_is_cyrillic, word))
        letters += len(word)
        cyrillic += in_word
        if 2 * in_word < len(word):  # more Latin than Cyrillic letters
            inside_latin += in_word
    if cyrillic < defaults.CP1251_MIN_LETTERS_PER_HIGH_BYTE * high:
        return False
    return not (inside_latin > defaults.CP1251_MAX_CYRILLIC_IN_LATIN_WORDS * cyrillic
                and cyrillic < defaults.CP1251_MIN_CYRILLIC_SHARE * letters)


def extract_txt(path: Path) -> Document:
    """Read a text file; its decoded characters are the document text, unchanged."""
    text = decode_text(path.read_bytes(), path)
    if "\x00" in text:
        raise ExtractionError(path, "not a text file (contains NUL bytes)")
    return Document(path=str(path), format="txt", text=text)
