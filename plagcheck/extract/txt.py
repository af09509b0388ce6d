"""Plain text: UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1251, detected."""

from __future__ import annotations

import codecs
from pathlib import Path

from plagcheck.errors import ExtractionError
from plagcheck.models import Document


def decode_text(data: bytes, path: str | Path = "<bytes>") -> str:
    """Decode bytes whose encoding is one a Kazakh or Russian Windows user would produce.

    The order is by certainty: a BOM is proof; valid UTF-8 of non-ASCII text is near-proof (it
    almost never happens by accident); CP1251 is taken only when the result reads as Cyrillic text.
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
    letters = [c for c in text if c.isalpha()]
    cyrillic = sum(1 for c in letters if "\u0400" <= c <= "\u04ff")
    high = sum(1 for b in data if b >= 0x80)
    # In CP1251 Cyrillic text nearly every high byte is a letter; binary data or another
    # code page decodes to punctuation, control characters and replacement marks instead.
    if high and cyrillic >= 0.9 * high and "\ufffd" not in text:
        return text
    raise ExtractionError(path, "unknown text encoding: save the file as UTF-8")


def extract_txt(path: Path) -> Document:
    """Read a text file; its decoded characters are the document text, unchanged."""
    text = decode_text(path.read_bytes(), path)
    if "\x00" in text:
        raise ExtractionError(path, "not a text file (contains NUL bytes)")
    return Document(path=str(path), format="txt", text=text)
