"""plagcheck: passage-level plagiarism checking for university theses.

The public API is re-exported here; the CLI (:mod:`plagcheck.cli`) is a thin layer over it.
"""

__version__ = "0.3.0"

from plagcheck.errors import ExtractionError, PlagcheckError, StoreError  # noqa: E402
from plagcheck.extract import extract  # noqa: E402
from plagcheck.models import Alert, Document, Match, PageSpan, Tokens  # noqa: E402
from plagcheck.normalize import normalize, tokenize  # noqa: E402
from plagcheck.settings import IndexParams, Settings  # noqa: E402

# Heavier parts (scikit-learn, SQLite) load on first use, so that `plagcheck --help` stays quick.
_LAZY = {"Store": "plagcheck.store", "check_document": "plagcheck.check", "add_document": "plagcheck.ingest",
         "add_files": "plagcheck.ingest"}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'plagcheck' has no attribute {name!r}")

__all__ = [
    "Alert",
    "Document",
    "ExtractionError",
    "IndexParams",
    "Match",
    "PageSpan",
    "PlagcheckError",
    "Settings",
    "Store",
    "StoreError",
    "Tokens",
    "__version__",
    "add_document",
    "add_files",
    "check_document",
    "extract",
    "normalize",
    "tokenize",
]
