"""Where the corpus, its index and the job queue live, behind the interfaces of
:mod:`plagcheck.storage.protocols`. The database argument chooses the backend: a file path or
``sqlite:///path`` is SQLite (the embedded default), ``postgresql://…`` is PostgreSQL (several
machines on one corpus). No SQL lives outside this package."""

from __future__ import annotations

import os

from plagcheck.settings import IndexParams, database_argument, is_postgres, sqlite_path
from plagcheck.settings import describe_database as describe
from plagcheck.storage.protocols import DocumentStore, JobQueue, PassageIndex, Store
from plagcheck.storage.records import (METADATA_FIELDS, CorpusState, Job, JobStatus, StoredDocument,
                                       StoredPassage)
from plagcheck.storage.sql import ANCHORS, BUCKETS, PRINTS, compress_text, entry_passage_ids


def open_store(database: str | os.PathLike, params: IndexParams | None = None, *, create: bool = True) -> Store:
    """Open (or create) the corpus database ``database`` names. ``create=False`` refuses a SQLite
    file that does not exist, or a PostgreSQL database without plagcheck's tables."""
    database = database_argument(database)
    if is_postgres(database):
        from plagcheck.storage.postgresql import PostgresStore  # psycopg is needed only here

        return PostgresStore(str(database), params, create=create)
    from plagcheck.storage.sqlite import SQLiteStore

    return SQLiteStore(sqlite_path(database), params, create=create)


__all__ = ["ANCHORS", "BUCKETS", "PRINTS", "METADATA_FIELDS", "CorpusState", "DocumentStore", "Job", "JobQueue", "JobStatus",
           "PassageIndex", "Store", "StoredDocument", "StoredPassage", "compress_text", "describe",
           "database_argument", "entry_passage_ids", "is_postgres", "open_store", "sqlite_path"]
