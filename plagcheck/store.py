"""The corpus store: one SQLite file (sqlite-utils, WAL mode) holding documents, their text,
passages, LSH buckets and term document frequencies.

Everything a document adds is written in one transaction, so a crash never leaves half a
document behind. Bucket lookups go through an indexed table: a check reads only the buckets
its own passages hash to, and the index never has to fit in memory.
"""

from __future__ import annotations

import json
import os
import sqlite3
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import sqlite_utils

from plagcheck import __version__, defaults
from plagcheck.errors import StoreError
from plagcheck.settings import IndexParams

DEFAULT_DB = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "plagcheck" / "plagcheck.db"
METADATA_FIELDS = ("title", "author", "year", "department", "language")
_CHUNK = 900  # stay under SQLite's limit on bound parameters (999 before 3.32)


def default_db_path() -> Path:
    """``$PLAGCHECK_DB`` if set, else ``~/.local/share/plagcheck/plagcheck.db``."""
    env = os.environ.get("PLAGCHECK_DB")
    return Path(env) if env else DEFAULT_DB


@dataclass(frozen=True)
class StoredDocument:
    """A corpus document's row, without its text."""

    id: int
    content_hash: str
    path: str
    title: str | None
    author: str | None
    year: int | None
    department: str | None
    language: str | None
    format: str
    chars: int
    words: int
    added_at: str

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class StoredPassage:
    id: int
    doc_id: int
    first_word: int
    words: int
    start: int
    end: int


@dataclass(frozen=True)
class CorpusState:
    """What a report records so that a check can be re-run against the same corpus."""

    documents: int
    passages: int
    generation: int
    engine_version: str
    index_params: dict

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Store:
    """A corpus database. ``params`` is checked against the ones the index was built with."""

    def __init__(self, path: str | Path, params: IndexParams | None = None, *, create: bool = True):
        self.path = Path(path)
        if not create and not self.path.exists():
            raise StoreError(f"no corpus database at {self.path}: add documents first with 'plagcheck corpus add'")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(str(self.path), timeout=60, isolation_level=None)
            self.db = sqlite_utils.Database(conn)
            self.db.execute("PRAGMA busy_timeout = 60000")
            self.db.enable_wal()
            self.db.execute("PRAGMA synchronous = NORMAL")
            self._create_schema()
            with self.transaction():
                if self.meta("index_params") is None:
                    self.set_meta("index_params", json.dumps((params or IndexParams()).to_dict()))
                    self.set_meta("generation", "1")
                    self.create_index_tables(1)
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{self.path} is not a usable plagcheck database ({error})") from None
        self.refresh()
        if params is not None and params != self.params:
            raise StoreError(
                f"the index in {self.path} was built with other parameters "
                f"({self.params.to_dict()}); run 'plagcheck reindex --full' to rebuild it")

    def refresh(self) -> None:
        """Re-read which index generation is current (a full reindex may have swapped it)."""
        self.generation = int(self.meta("generation"))
        self.params = IndexParams(**json.loads(self.meta("index_params")))

    def read_snapshot(self):
        """A read transaction on the current generation: a reindex swapping the index meanwhile
        does not disturb it (WAL readers keep their snapshot)."""
        return _Snapshot(self)

    # -- index generations ------------------------------------------------------------------
    def create_index_tables(self, generation: int) -> None:
        """Create the passage, bucket and term tables of one index generation."""
        g = int(generation)
        for statement in (
            f"""CREATE TABLE IF NOT EXISTS passages_g{g} (id INTEGER PRIMARY KEY, doc_id INTEGER NOT NULL,
                first_word INTEGER NOT NULL, words INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL)""",
            f"CREATE INDEX IF NOT EXISTS passages_g{g}_doc ON passages_g{g}(doc_id)",
            f"""CREATE TABLE IF NOT EXISTS buckets_g{g} (key INTEGER NOT NULL, passage_id INTEGER NOT NULL,
                PRIMARY KEY (key, passage_id)) WITHOUT ROWID""",
            f"CREATE TABLE IF NOT EXISTS terms_g{g} (term TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID",
        ):  # one by one: executescript would commit the caller's transaction
            self.db.execute(statement)

    def drop_index_tables(self, generation: int) -> None:
        g = int(generation)
        for table in (f"buckets_g{g}", f"passages_g{g}", f"terms_g{g}"):
            self.db.execute(f"DROP TABLE IF EXISTS {table}")

    def index_generations(self) -> list[int]:
        """Generations that have tables in the file (the current one and any unfinished build)."""
        names = [r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name LIKE 'buckets_g%'")]
        return sorted(int(n[len("buckets_g"):]) for n in names)

    # -- schema -----------------------------------------------------------------------------
    def _create_schema(self) -> None:
        self.db.executescript("""
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
        CREATE TABLE IF NOT EXISTS documents (
            id INTEGER PRIMARY KEY, content_hash TEXT NOT NULL UNIQUE, path TEXT NOT NULL,
            title TEXT, author TEXT, year INTEGER, department TEXT, language TEXT,
            format TEXT NOT NULL, chars INTEGER NOT NULL, words INTEGER NOT NULL,
            added_at TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'indexed');
        CREATE TABLE IF NOT EXISTS texts (doc_id INTEGER PRIMARY KEY REFERENCES documents(id),
            text BLOB NOT NULL, pages TEXT);
        """)

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                        [key, value])

    def transaction(self):
        """A write transaction (``BEGIN IMMEDIATE``) as a context manager."""
        return _Transaction(self.db.conn)

    # -- documents --------------------------------------------------------------------------
    def find_by_hash(self, content_hash: str) -> StoredDocument | None:
        row = self.db.execute(f"SELECT {_DOC_COLUMNS} FROM documents WHERE content_hash = ?", [content_hash]).fetchone()
        return StoredDocument(*row) if row else None

    def document(self, doc_id: int) -> StoredDocument:
        row = self.db.execute(f"SELECT {_DOC_COLUMNS} FROM documents WHERE id = ?", [doc_id]).fetchone()
        if row is None:
            raise StoreError(f"no document with id {doc_id} in {self.path}")
        return StoredDocument(*row)

    def documents(self) -> list[StoredDocument]:
        return [StoredDocument(*r) for r in self.db.execute(f"SELECT {_DOC_COLUMNS} FROM documents ORDER BY id")]

    def document_text(self, doc_id: int) -> str:
        row = self.db.execute("SELECT text FROM texts WHERE doc_id = ?", [doc_id]).fetchone()
        if row is None:
            raise StoreError(f"no text stored for document {doc_id}")
        return zlib.decompress(row[0]).decode("utf-8")

    def insert_document(self, *, content_hash: str, path: str, metadata: dict, format: str, text: str,
                        words: int, pages: list | None) -> int:
        """Write a document's row and compressed text; call inside :meth:`transaction`."""
        meta = {k: metadata.get(k) for k in METADATA_FIELDS}
        cur = self.db.execute(
            "INSERT INTO documents (content_hash, path, title, author, year, department, language, format, "
            "chars, words, added_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [content_hash, path, meta["title"], meta["author"], meta["year"], meta["department"],
             meta["language"], format, len(text), words, _now()])
        doc_id = cur.lastrowid
        self.db.execute("INSERT INTO texts (doc_id, text, pages) VALUES (?,?,?)",
                        [doc_id, zlib.compress(text.encode("utf-8"), 6), json.dumps(pages) if pages else None])
        return doc_id

    def insert_index_rows(self, doc_id: int, passages: list, keys: np.ndarray, stems: Iterable[str],
                          generation: int | None = None) -> None:
        """Write a document's passages, bucket keys and term counts; call inside :meth:`transaction`.

        ``keys`` is ``(len(passages), bands)`` of int64 bucket keys.
        """
        g = int(generation or self.generation)
        first_id = (self.db.execute(f"SELECT COALESCE(MAX(id), 0) FROM passages_g{g}").fetchone()[0]) + 1
        self.db.conn.executemany(
            f'INSERT INTO passages_g{g} (id, doc_id, first_word, words, start, "end") VALUES (?,?,?,?,?,?)',
            [(first_id + i, doc_id, p.first_word, p.words, p.start, p.end) for i, p in enumerate(passages)])
        if len(passages):
            ids = np.repeat(np.arange(first_id, first_id + len(passages), dtype=np.int64), keys.shape[1])
            self.db.conn.executemany(f"INSERT OR IGNORE INTO buckets_g{g} (key, passage_id) VALUES (?, ?)",
                                     zip(keys.reshape(-1).tolist(), ids.tolist()))
        self.db.conn.executemany(
            f"INSERT INTO terms_g{g} (term, df) VALUES (?, 1) ON CONFLICT(term) DO UPDATE SET df = df + 1",
            ((t,) for t in set(stems)))

    def delete_index_rows(self, doc_id: int, stems: Iterable[str], generation: int | None = None) -> None:
        """Remove a document's passages, buckets and term counts; call inside :meth:`transaction`."""
        g = int(generation or self.generation)
        self.db.execute(f"DELETE FROM buckets_g{g} WHERE passage_id IN (SELECT id FROM passages_g{g} WHERE doc_id = ?)",
                        [doc_id])
        self.db.execute(f"DELETE FROM passages_g{g} WHERE doc_id = ?", [doc_id])
        self.db.conn.executemany(f"UPDATE terms_g{g} SET df = df - 1 WHERE term = ?", ((t,) for t in set(stems)))
        self.db.execute(f"DELETE FROM terms_g{g} WHERE df <= 0")

    def delete_document(self, doc_id: int) -> None:
        """Remove a document's row and text; call inside :meth:`transaction`, after its index rows."""
        self.db.execute("DELETE FROM texts WHERE doc_id = ?", [doc_id])
        self.db.execute("DELETE FROM documents WHERE id = ?", [doc_id])

    # -- queries ----------------------------------------------------------------------------
    def lookup_buckets(self, keys: np.ndarray, max_bucket: int = defaults.MAX_BUCKET_PASSAGES) -> list[tuple[int, int]]:
        """The (key, passage_id) rows whose key is in ``keys``, read through the bucket index.

        A bucket holding more than ``max_bucket`` passages is boilerplate shared across the corpus
        (a template, a standard phrase); it is skipped, which also keeps the memory of a check
        independent of the corpus size. Read-only, so checks never wait for a writer in WAL mode.
        """
        rows: list[tuple[int, int]] = []
        for chunk in _chunks(np.unique(keys).tolist()):
            marks = ",".join("?" * len(chunk))
            found = self.db.execute(
                f"SELECT key, passage_id FROM buckets_g{self.generation} WHERE key IN ({marks})", chunk).fetchall()
            sizes = Counter(key for key, _ in found)
            rows.extend(row for row in found if sizes[row[0]] <= max_bucket)
        return rows

    def passages(self, ids: Iterable[int]) -> dict[int, StoredPassage]:
        out = {}
        for chunk in _chunks(sorted(set(ids))):
            marks = ",".join("?" * len(chunk))
            for row in self.db.execute(
                    f'SELECT id, doc_id, first_word, words, start, "end" FROM passages_g{self.generation} WHERE id IN ({marks})', chunk):
                out[row[0]] = StoredPassage(*row)
        return out

    def bucket_documents(self, keys: np.ndarray) -> dict[int, set[int]]:
        """For each bucket key in ``keys``, the ids of the corpus documents with a passage in it.

        Used to find passages that many corpus documents share (title pages, templates).
        """
        g = self.generation
        out: dict[int, set[int]] = {}
        for chunk in _chunks(np.unique(keys).tolist()):
            marks = ",".join("?" * len(chunk))
            for key, doc_id in self.db.execute(
                    f"SELECT DISTINCT b.key, p.doc_id FROM buckets_g{g} b JOIN passages_g{g} p ON p.id = b.passage_id "
                    f"WHERE b.key IN ({marks})", chunk):
                out.setdefault(key, set()).add(doc_id)
        return out

    def document_frequencies(self, terms: Iterable[str]) -> dict[str, int]:
        out = {}
        for chunk in _chunks(list(terms)):
            marks = ",".join("?" * len(chunk))
            out.update(self.db.execute(f"SELECT term, df FROM terms_g{self.generation} WHERE term IN ({marks})", chunk).fetchall())
        return out

    def document_count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]

    def state(self) -> CorpusState:
        return CorpusState(
            documents=self.document_count(),
            passages=self.db.execute(f"SELECT COUNT(*) FROM passages_g{self.generation}").fetchone()[0],
            generation=self.generation,
            engine_version=__version__,
            index_params=self.params.to_dict())

    def close(self) -> None:
        self.db.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


_DOC_COLUMNS = ("id, content_hash, path, title, author, year, department, language, format, chars, words, added_at")


class _Snapshot:
    def __init__(self, store: Store):
        self.store = store

    def __enter__(self):
        self.store.db.conn.execute("BEGIN")
        self.store.refresh()
        return self.store

    def __exit__(self, *exc):
        self.store.db.conn.execute("COMMIT")
        return False


class _Transaction:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __enter__(self):
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        self.conn.execute("COMMIT" if exc_type is None else "ROLLBACK")
        return False


def _chunks(items: list, size: int = _CHUNK) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
