"""The embedded backend: one SQLite file (sqlite-utils, WAL mode) holding documents, their text,
the packed index (:mod:`plagcheck.storage.sql`), the semantic layer's vectors and the job queue.

Everything a document adds is written in one transaction (``BEGIN IMMEDIATE``: one writer at a
time), so a crash never leaves half a document behind. Readers never wait for the writer: WAL
readers keep their snapshot.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import sqlite_utils

from plagcheck.errors import StoreError
from plagcheck.settings import IndexParams
from plagcheck.storage.records import QUEUED, RUNNING
from plagcheck.storage.sql import ANCHORS, PRINTS, SQLStore, _table, _vectors

log = logging.getLogger(__name__)
LOCK_KEY = "reindex_lock"
# The web cabinet's Django connection to the same file, set up as ours.
DJANGO_INIT_COMMAND = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"


class SQLiteStore(SQLStore):
    """A corpus database in one file. ``create=False`` refuses a file that does not exist."""

    def __init__(self, path: str | Path, params: IndexParams | None = None, *, create: bool = True):
        self.path = Path(path)
        self.location = str(self.path)
        self._snapshot_depth = 0
        self._jobs_schema = False
        if not create and not self.path.exists():
            # Only 'corpus add' creates one: a mistyped --db must not become an empty corpus that
            # every check then reports 0% against.
            raise StoreError(f"no corpus database at {self.path} (is the database name right?); "
                             f"'plagcheck corpus add PATH... --db {self.path}' creates one")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(str(self.path), timeout=60, isolation_level=None)
            self.db = sqlite_utils.Database(conn)
            self.db.execute("PRAGMA busy_timeout = 60000")
            self.db.enable_wal()
            self.db.execute("PRAGMA synchronous = NORMAL")
            self._create_schema()
            self._init_index(params)
            self._make_paths_absolute()
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{self.path} is not a usable plagcheck database ({error})") from None
        self._check_params(params)

    # -- connection ---------------------------------------------------------------------------
    def _q(self, sql: str, params=()):
        return self.db.execute(sql, params)

    def _qmany(self, sql: str, rows) -> None:
        self.db.conn.executemany(sql, rows)

    def _insert_id(self, sql: str, params) -> int:
        return self.db.execute(sql, params).lastrowid

    def transaction(self):
        """A write transaction (``BEGIN IMMEDIATE``) as a context manager."""
        return _Transaction(self.db.conn)

    @contextmanager
    def read_snapshot(self) -> Iterator[SQLiteStore]:
        """A read transaction on the current generation (WAL readers keep their snapshot); nested
        calls share the outer one."""
        if self._snapshot_depth:
            self._snapshot_depth += 1
            try:
                yield self
            finally:
                self._snapshot_depth -= 1
            return
        self.db.conn.execute("BEGIN")
        self._snapshot_depth = 1
        try:
            self.refresh()
            yield self
        finally:
            self._snapshot_depth = 0
            self.db.conn.execute("COMMIT")

    def table_exists(self, name: str) -> bool:
        return self.db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", [name]).fetchone() is not None

    def close(self) -> None:
        self.db.conn.close()

    @contextmanager
    def bulk_writes(self, cache_mb: int):
        """Every document touches index rows all over the file; with many documents to a
        transaction and a page cache of ``cache_mb`` MB, each touched page is written once per
        transaction rather than once per document (at 6,000 theses, 32 to a transaction wrote
        2 GB of WAL each time)."""
        previous = self.db.execute("PRAGMA cache_size").fetchone()[0]
        self.db.execute(f"PRAGMA cache_size = {-1024 * int(cache_mb)}")
        try:
            yield
        finally:
            self.db.execute(f"PRAGMA cache_size = {previous}")

    # -- schema and generations -------------------------------------------------------------------
    def create_index_tables(self, generation: int) -> None:
        """Create the passage, bucket, fingerprint, anchor and term tables of one index generation."""
        g = int(generation)
        for statement in (
            # A document's passages have the ids first_passage .. first_passage + passages - 1.
            f"""CREATE TABLE IF NOT EXISTS spans_g{g} (doc_id INTEGER PRIMARY KEY,
                first_passage INTEGER NOT NULL UNIQUE, passages INTEGER NOT NULL, spans BLOB NOT NULL)""",
            f"CREATE TABLE IF NOT EXISTS buckets_g{g} (prefix INTEGER PRIMARY KEY, entries BLOB NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {PRINTS}_g{g} (prefix INTEGER PRIMARY KEY, entries BLOB NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {ANCHORS}_g{g} (prefix INTEGER PRIMARY KEY, entries BLOB NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS terms_g{g} (term TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID",
        ):  # one by one: executescript would commit the caller's transaction
            self.db.execute(statement)

    def index_generations(self) -> list[int]:
        names = [r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name LIKE 'buckets_g%'")]
        return sorted(int(n[len("buckets_g"):]) for n in names)

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
        -- the size and modification time of the file a document was read from, when it was read:
        -- the nightly reindex re-reads only files whose stamp changed
        CREATE TABLE IF NOT EXISTS file_stamps (doc_id INTEGER PRIMARY KEY REFERENCES documents(id),
            size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, ctime_ns INTEGER NOT NULL);
        -- the semantic layer: a document's sentences embedded by one model (plagcheck.semantic),
        -- filled in the background (reindex --semantic-minutes) and kept across index generations:
        -- they depend on the text and the model, not on the LSH parameters
        -- (head: spans, languages, hashes and sign codes, what a search scans; vectors: int8 rows)
        CREATE TABLE IF NOT EXISTS sentence_vectors (doc_id INTEGER PRIMARY KEY REFERENCES documents(id),
            model TEXT NOT NULL, sentences INTEGER NOT NULL, head BLOB NOT NULL, vectors BLOB NOT NULL);
        -- the semantic layer's candidate step: a document's units of a few sentences as static
        -- lexicon vectors (plagcheck.lexicon), in the same format; written with the document
        CREATE TABLE IF NOT EXISTS unit_vectors (doc_id INTEGER PRIMARY KEY REFERENCES documents(id),
            model TEXT NOT NULL, sentences INTEGER NOT NULL, head BLOB NOT NULL, vectors BLOB NOT NULL);
        -- the candidate step's ANN index over those units (plagcheck.unit_index), one per index
        -- generation and lexicon: serialized faiss indexes (key: a shard, language code * 1000 +
        -- its number; -1: the directory) in chunks of a few MB
        CREATE TABLE IF NOT EXISTS unit_index (generation INTEGER NOT NULL, model TEXT NOT NULL,
            key INTEGER NOT NULL, part INTEGER NOT NULL, data BLOB NOT NULL,
            PRIMARY KEY (generation, model, key, part)) WITHOUT ROWID;
        """)
        # The metadata CSV's columns beyond METADATA_FIELDS, as JSON; a database made before the
        # column existed gets it when first opened.
        if "extra" not in {row[1] for row in self.db.execute("PRAGMA table_info(documents)")}:
            self.db.execute("ALTER TABLE documents ADD COLUMN extra TEXT")

    def ensure_jobs_schema(self) -> None:
        """The queue's table, made when first used (a corpus that never queues a job has none)."""
        if self._jobs_schema:
            return
        self.db.execute("""CREATE TABLE IF NOT EXISTS jobs (
            id INTEGER PRIMARY KEY, name TEXT NOT NULL, data BLOB NOT NULL, metadata TEXT NOT NULL,
            no_index INTEGER NOT NULL DEFAULT 0, state TEXT NOT NULL DEFAULT 'queued',
            attempts INTEGER NOT NULL DEFAULT 0, lease_owner TEXT, lease_expires REAL, error TEXT,
            report_html TEXT, report_json TEXT, doc_id INTEGER, similarity REAL,
            created_at TEXT NOT NULL, finished_at TEXT)""")
        self.db.execute("CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state, lease_expires)")
        # The SHA-256 of the submitted bytes: a thesis submitted again while its first submission still
        # waits is named, not queued twice. Queues made before the column get it, filled for the jobs
        # still waiting (the only ones it is compared with).
        if "sha256" not in {row[1] for row in self.db.execute("PRAGMA table_info(jobs)")}:
            with self.transaction():
                if "sha256" not in {row[1] for row in self.db.execute("PRAGMA table_info(jobs)")}:
                    self.db.execute("ALTER TABLE jobs ADD COLUMN sha256 TEXT")
                    waiting = self.db.execute("SELECT id, data FROM jobs WHERE state IN (?, ?)", [QUEUED, RUNNING])
                    self.db.conn.executemany("UPDATE jobs SET sha256 = ? WHERE id = ?",
                                             [(hashlib.sha256(data).hexdigest(), job_id) for job_id, data in waiting])
        self.db.execute("CREATE INDEX IF NOT EXISTS jobs_sha256 ON jobs(sha256, state)")
        self._jobs_schema = True

    def _make_paths_absolute(self) -> None:
        """Migrate document paths stored relative by plagcheck < 0.3 (as typed, relative to the
        folder ``corpus add`` ran in): each is made absolute if the file is found from the current
        folder or the database's folder. The nightly reindex runs from anywhere (cron starts in
        ``/``), so a path it cannot resolve is kept and reported, never dropped as missing."""
        if self.meta("paths_absolute") == "1":
            return
        submitted: set[int] = set()  # queued theses are named as submitted (a zip member has no file)
        if self.table_exists("jobs"):
            submitted = {r[0] for r in self.db.execute("SELECT doc_id FROM jobs WHERE doc_id IS NOT NULL")}
        relative = [(doc_id, path) for doc_id, path in self.db.execute("SELECT id, path FROM documents")
                    if doc_id not in submitted and not Path(path).is_absolute()]
        resolved = []
        for doc_id, path in relative:
            for folder in (Path.cwd(), self.path.resolve().parent):
                if (folder / path).exists():
                    resolved.append((os.path.abspath(folder / path), doc_id))
                    break
        if relative and not resolved:  # nothing to write: no write lock for every open meanwhile
            return
        with self.transaction():
            self.db.conn.executemany("UPDATE documents SET path = ? WHERE id = ?", resolved)
            if len(resolved) == len(relative):
                self.set_meta("paths_absolute", "1")
        if resolved:
            log.info("%s: %d document paths made absolute", self.path, len(resolved))

    # -- what SQLite does its own way -----------------------------------------------------------
    def sentence_vectors_at(self, model: str, doc_id: int, indexes: list[int], dimension: int) -> np.ndarray:
        """A few vectors are read in place (a search needs a few sentences of many documents),
        many at once."""
        out = np.zeros((len(indexes), dimension), dtype=np.int8)
        row = self.db.execute(f"SELECT rowid FROM {_vectors(model)} WHERE doc_id = ? AND model = ?",
                              [doc_id, model]).fetchone()
        if row is None:
            return out
        if len(indexes) > 32 or not hasattr(self.db.conn, "blobopen"):  # blobopen: Python >= 3.11
            return super().sentence_vectors_at(model, doc_id, indexes, dimension)
        with self.db.conn.blobopen(_vectors(model), "vectors", row[0], readonly=True) as blob:
            for k, j in enumerate(indexes):
                blob.seek(j * dimension)
                out[k] = np.frombuffer(blob.read(dimension), np.int8)
        return out

    @contextmanager
    def reindex_lock(self):
        """A lock row in ``meta`` naming the process: a second reindex refuses to start while the
        first is alive, and one left by a dead process (or one whose pid was reused) is taken over."""
        me = _process_tag(os.getpid())
        with self.transaction():
            holder = self.meta(LOCK_KEY)
            if holder and holder != me and _alive(holder):
                raise StoreError(f"another reindex (process {holder.split(':')[0]}) is running on {self.location}; "
                                 "wait for it to finish")
            self.set_meta(LOCK_KEY, me)
        try:
            yield
        finally:
            with self.transaction():
                if self.meta(LOCK_KEY) == me:
                    self.delete_meta(LOCK_KEY)

    def space_used(self) -> dict[str, int]:
        """Bytes per table and index (SQLite's dbstat; empty where it is not compiled in), after a
        checkpoint folds the WAL in."""
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        try:
            return {name: size for name, size in self.db.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name")}
        except sqlite3.OperationalError:
            return {}

    def database_bytes(self) -> int:
        """The file's size, after a checkpoint folds the WAL in."""
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return self.path.stat().st_size


class _Transaction:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __enter__(self):
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        self.conn.execute("COMMIT" if exc_type is None else "ROLLBACK")
        return False


def _process_tag(pid: int) -> str:
    """``pid:start-time`` where /proc tells the start time (a reused pid then differs), else ``pid``."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return str(pid)
    return f"{pid}:{stat.rsplit(')', 1)[1].split()[19]}"  # field 22, starttime


def _alive(holder: str) -> bool:
    pid = int(holder.split(":")[0])
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return ":" not in holder or _process_tag(pid) == holder


__all__ = ["SQLiteStore", "DJANGO_INIT_COMMAND", "_table"]
