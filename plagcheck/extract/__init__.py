"""Extraction: one module per format, one :class:`~plagcheck.models.Document` out.

Every failure is an :class:`~plagcheck.errors.ExtractionError` naming the file and the reason.
"""

from __future__ import annotations

from pathlib import Path

from plagcheck.errors import ExtractionError
from plagcheck.models import Document

SUPPORTED_SUFFIXES = (".pdf", ".docx", ".txt")
_LEGACY_HINTS = {
    ".doc": "legacy Word .doc is not supported: save it as DOCX or PDF",
    ".rtf": "RTF is not supported: save it as DOCX or PDF",
    ".odt": "ODT is not supported: save it as DOCX or PDF",
}


def extract(path: str | Path) -> Document:
    """Extract the text of a PDF, DOCX or TXT file.

    Raises :class:`ExtractionError` (never anything else for a bad file) when the file is missing,
    empty, encrypted, corrupt, has no text layer, or is of an unsupported type.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ExtractionError(path, _LEGACY_HINTS.get(
            suffix, f"unsupported file type {suffix or '(no extension)'}: expected PDF, DOCX or TXT"))
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ExtractionError(path, "file not found (moved or deleted before it was read)") from None
    except OSError as error:
        raise ExtractionError(path, f"cannot read the file ({error.strerror})") from None
    if size == 0:
        raise ExtractionError(path, "empty file (0 bytes)")
    if suffix == ".pdf":
        from plagcheck.extract.pdf import extract_pdf as extractor
    elif suffix == ".docx":
        from plagcheck.extract.docx import extract_docx as extractor
    else:
        from plagcheck.extract.txt import extract_txt as extractor
    try:
        document = extractor(path)
    except ExtractionError:
        raise
    except FileNotFoundError:
        raise ExtractionError(path, "file not found (moved or deleted while it was read)") from None
    except MemoryError:
        raise ExtractionError(path, "file too large to extract") from None
    if not document.text.strip():
        raise ExtractionError(path, "empty document: no text found")
    return document
