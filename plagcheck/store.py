"""The corpus store's old import path: :mod:`plagcheck.storage` is where it lives now.

``Store(database)`` opens the backend its argument names (a path: SQLite; ``postgresql://``:
PostgreSQL)."""

from plagcheck.storage import (ANCHORS, BUCKETS, METADATA_FIELDS, PRINTS, CorpusState, StoredDocument,  # noqa: F401
                               StoredPassage, compress_text, entry_passage_ids, open_store)
from plagcheck.storage.protocols import Store as _StoreProtocol

Store = open_store  # called as before: Store(path, params, create=...)
StoreType = _StoreProtocol
