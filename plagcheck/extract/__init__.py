"""Extraction: one module per format, one :class:`~plagcheck.models.Document` out.

Every failure is an :class:`~plagcheck.errors.ExtractionError` naming the file and the reason.
"""

from __future__ import annotations

import dataclasses
import tempfile
from contextlib import contextmanager
from pathlib import Path, PurePath, PurePosixPath
from stat import S_ISDIR

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
    suffix = _supported_suffix(path)
    if _size(path) == 0:
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


def read_file(path: str | Path) -> bytes:
    """The bytes of a file to be extracted elsewhere (by the check service), after the checks
    :func:`extract` makes before it reads: type, existence, readability, emptiness — so the
    same file fails with the same message wherever it is extracted."""
    path = Path(path)
    _supported_suffix(path)
    _size(path)
    with _file_errors(path, "while"):
        data = path.read_bytes()
    if not data:
        raise ExtractionError(path, "empty file (0 bytes)")
    return data


def extract_bytes(data: bytes, name: str) -> Document:
    """Extract a file received as bytes (a queued submission, a request to the check service).

    ``name`` is the file's name as submitted: its extension chooses the extractor, and the
    document and every error name it, never the temporary copy that was read.
    """
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="plagcheck-") as tmp:
        path = Path(tmp) / f"submission{suffix}"
        path.write_bytes(data)
        try:
            document = extract(path)
        except ExtractionError as error:  # some reasons quote the path (PyMuPDF's "Failed to open file ...")
            raise ExtractionError(name, error.reason.replace(str(path), name)) from None
    return dataclasses.replace(document, path=name)


def unsupported_reason(name: str | PurePath) -> str | None:
    """Why a file of this name cannot be read (its type), or None for PDF, DOCX and TXT. Lets a
    submission refuse a ``.doc`` at once rather than queue it to fail later."""
    suffix = PurePath(name).suffix.lower()
    if suffix in SUPPORTED_SUFFIXES:
        return None
    return _LEGACY_HINTS.get(suffix, f"unsupported file type {suffix or '(no extension)'}: expected PDF, DOCX or TXT")


def _supported_suffix(path: Path) -> str:
    reason = unsupported_reason(path)
    if reason is not None:
        raise ExtractionError(path, reason)
    return path.suffix.lower()


def _size(path: Path) -> int:
    with _file_errors(path, "before"):
        stat = path.stat()
    if S_ISDIR(stat.st_mode):
        raise ExtractionError(path, "a folder, not a file")
    return stat.st_size


@contextmanager
def _file_errors(path: Path, when: str):
    """The file system's errors on ``path`` as one-line extraction errors; ``when``: before or
    while the file was read."""
    try:
        yield
    except FileNotFoundError:
        raise ExtractionError(path, f"file not found (moved or deleted {when} it was read)") from None
    except OSError as error:
        raise ExtractionError(path, f"cannot read the file ({error.strerror})") from None
