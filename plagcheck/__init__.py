"""plagcheck: passage-level plagiarism checking for university theses.

The public API is re-exported here; the CLI (:mod:`plagcheck.cli`) is a thin layer over it.
"""

__version__ = "0.1.0"

from plagcheck.errors import ExtractionError, PlagcheckError, StoreError  # noqa: E402
from plagcheck.extract import extract  # noqa: E402
from plagcheck.models import Alert, Document, Match, PageSpan, Tokens  # noqa: E402
from plagcheck.normalize import normalize, tokenize  # noqa: E402
from plagcheck.settings import IndexParams, Settings  # noqa: E402
from plagcheck.store import Store  # noqa: E402
from plagcheck.check import check_document  # noqa: E402
from plagcheck.ingest import add_document, add_files  # noqa: E402

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
