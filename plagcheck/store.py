"""The corpus store: one SQLite file (sqlite-utils, WAL mode) holding documents, their text,
passages, LSH buckets, fingerprints of short exact copies and term document frequencies.

Everything a document adds is written in one transaction, so a crash never leaves half a
document behind. Bucket lookups go through the table's own B-tree: a check reads only the rows
its own windows hash to, and the index never has to fit in memory.

The index is packed, because it is most of the database: one row per key *prefix* holds every
(key suffix, passage id) entry under it, 8 bytes each, instead of a ~19-byte row per entry; and a
document's passages are one row of delta-coded spans, their ids a contiguous range. The LSH
buckets (``buckets_g*``) and the winnowed word k-gram fingerprints (``prints_g*``) are two tables
of that one packed format.

A generation built before short-copy detection (plagcheck 0.2.0 and earlier) has no fingerprint
table. It keeps working for the MinHash path; the short-copy layer is off for it (a check says so
in its log and its ``corpus.layers``) until ``plagcheck reindex --full`` builds a generation with
fingerprints for every document. The table is never created for an existing generation: it would
hold only the documents added since.
"""

from __future__ import annotations

import bisect
import json
import logging
import os
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import sqlite_utils

from plagcheck import __version__, defaults
from plagcheck.errors import StoreError
from plagcheck.settings import IndexParams

log = logging.getLogger(__name__)
METADATA_FIELDS = ("title", "author", "year", "department", "language")
_CHUNK = 900  # stay under SQLite's limit on bound parameters (999 before 3.32)
SUFFIX_BITS = 32    # a bucket key (lsh.KEY_BITS wide) is its row's prefix followed by these bits
BUCKETS, PRINTS = "buckets", "prints"  # the packed tables: LSH buckets, short-copy fingerprints
_ENTRY = np.dtype([("suffix", "<u4"), ("passage", "<u4")])


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
    extra: dict = field(default_factory=dict)  # the metadata CSV's other columns (supervisor, group, ...)

    def to_dict(self) -> dict:
        return dict(self.__dict__)

    @classmethod
    def from_row(cls, row) -> StoredDocument:
        """A document from a ``SELECT {_DOC_COLUMNS}`` row."""
        return cls(*row[:-1], extra=json.loads(row[-1]) if row[-1] else {})


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
    layers: tuple[str, ...] = ("verbatim", "short")  # the detectors this generation's index serves
    semantic: dict | None = None  # coverage of the semantic layer: model, documents embedded of all

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Store:
    """A corpus database. ``params`` is checked against the ones the index was built with."""

    def __init__(self, path: str | Path, params: IndexParams | None = None, *, create: bool = True):
        self.path = Path(path)
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
            with self.transaction():
                if self.meta("index_params") is None:
                    self.set_meta("index_params", json.dumps((params or IndexParams()).to_dict()))
                    self.set_meta("generation", "1")
                    self.create_index_tables(1)
            self._make_paths_absolute()
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
        self.old_format = self.db.execute("SELECT 1 FROM sqlite_master WHERE name = ?",
                                          [f"passages_g{self.generation}"]).fetchone() is not None
        self.has_prints = self._has_prints(self.generation)

    def _has_prints(self, generation: int) -> bool:
        """Whether ``generation`` was built with fingerprints: its table exists (it is created with the generation)."""
        return self.db.execute("SELECT 1 FROM sqlite_master WHERE name = ?",
                               [f"{PRINTS}_g{int(generation)}"]).fetchone() is not None

    def _usable(self, generation: int) -> int:
        """``generation``, unless it is the current one and was built by plagcheck < 0.2 (one row per
        bucket entry, a passages table): that index must be rebuilt, which ``reindex --full`` does."""
        if generation == self.generation and self.old_format:
            raise StoreError(f"the index in {self.path} was built by an older plagcheck in another format; "
                             "run 'plagcheck reindex --full' to rebuild it")
        return generation

    def read_snapshot(self):
        """A read transaction on the current generation: a reindex swapping the index meanwhile
        does not disturb it (WAL readers keep their snapshot)."""
        return _Snapshot(self)

    # -- index generations ------------------------------------------------------------------
    def create_index_tables(self, generation: int) -> None:
        """Create the passage, bucket, fingerprint and term tables of one index generation."""
        g = int(generation)
        for statement in (
            # A document's passages have the ids first_passage .. first_passage + passages - 1.
            f"""CREATE TABLE IF NOT EXISTS spans_g{g} (doc_id INTEGER PRIMARY KEY,
                first_passage INTEGER NOT NULL UNIQUE, passages INTEGER NOT NULL, spans BLOB NOT NULL)""",
            f"CREATE TABLE IF NOT EXISTS buckets_g{g} (prefix INTEGER PRIMARY KEY, entries BLOB NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {PRINTS}_g{g} (prefix INTEGER PRIMARY KEY, entries BLOB NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS terms_g{g} (term TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID",
        ):  # one by one: executescript would commit the caller's transaction
            self.db.execute(statement)

    def drop_index_tables(self, generation: int) -> None:
        g = int(generation)
        for table in (f"buckets_g{g}", f"{PRINTS}_g{g}", f"spans_g{g}", f"terms_g{g}",
                      f"passages_g{g}"):  # passages: format 1
            self.db.execute(f"DROP TABLE IF EXISTS {table}")
        self.db.execute("DELETE FROM meta WHERE key = ?", [f"next_passage_g{g}"])

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
        """)
        # The metadata CSV's columns beyond METADATA_FIELDS, as JSON; a database made before the
        # column existed gets it when first opened.
        if "extra" not in {row[1] for row in self.db.execute("PRAGMA table_info(documents)")}:
            self.db.execute("ALTER TABLE documents ADD COLUMN extra TEXT")

    def _make_paths_absolute(self) -> None:
        """Migrate document paths stored relative by plagcheck < 0.3 (as typed, relative to the
        folder ``corpus add`` ran in): each is made absolute if the file is found from the current
        folder or the database's folder. The nightly reindex runs from anywhere (cron starts in
        ``/``), so a path it cannot resolve is kept and reported, never dropped as missing."""
        if self.meta("paths_absolute") == "1":
            return
        submitted: set[int] = set()  # queued theses are named as submitted (a zip member has no file)
        if self.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'jobs'").fetchone():
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
        return StoredDocument.from_row(row) if row else None

    def document(self, doc_id: int) -> StoredDocument:
        row = self.db.execute(f"SELECT {_DOC_COLUMNS} FROM documents WHERE id = ?", [doc_id]).fetchone()
        if row is None:
            raise StoreError(f"no document with id {doc_id} in {self.path}")
        return StoredDocument.from_row(row)

    def documents(self) -> list[StoredDocument]:
        return [StoredDocument.from_row(r) for r in self.db.execute(f"SELECT {_DOC_COLUMNS} FROM documents ORDER BY id")]

    def document_text(self, doc_id: int) -> str:
        row = self.db.execute("SELECT text FROM texts WHERE doc_id = ?", [doc_id]).fetchone()
        if row is None:
            raise StoreError(f"no text stored for document {doc_id}")
        return zlib.decompress(row[0]).decode("utf-8")

    def insert_document(self, *, content_hash: str, path: str, metadata: dict, format: str, text: str,
                        words: int, pages: list | None, compressed: bytes | None = None) -> int:
        """Write a document's row and compressed text (``compressed``: :func:`compress_text` of it,
        if the caller has it already); call inside :meth:`transaction`."""
        meta = {k: metadata.get(k) for k in METADATA_FIELDS}
        extra = {k: v for k, v in metadata.items() if k not in METADATA_FIELDS and v not in (None, "")}
        cur = self.db.execute(
            "INSERT INTO documents (content_hash, path, title, author, year, department, language, format, "
            "chars, words, added_at, extra) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            [content_hash, path, meta["title"], meta["author"], meta["year"], meta["department"],
             meta["language"], format, len(text), words, _now(),
             json.dumps(extra, ensure_ascii=False) if extra else None])
        doc_id = cur.lastrowid
        self.db.execute("INSERT INTO texts (doc_id, text, pages) VALUES (?,?,?)",
                        [doc_id, compressed or compress_text(text), json.dumps(pages) if pages else None])
        return doc_id

    def insert_index_rows(self, doc_id: int, passages: list, keys: np.ndarray, stems: Iterable[str],
                          generation: int | None = None, prints: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        """Write a document's passages, bucket keys, fingerprints and term counts; call inside
        :meth:`transaction`.

        ``keys`` is ``(len(passages), bands)`` of bucket keys (:func:`plagcheck.lsh.band_keys`);
        ``prints`` is ``(keys, passage index)`` of its fingerprints (:func:`plagcheck.index.document_prints`),
        required when the generation has a fingerprint table.
        """
        g = int(generation or self.generation)
        first = self.register_passages(doc_id, passages, g)
        if len(passages):
            self.append_bucket_entries(keys.reshape(-1), entry_passage_ids(first, keys), g)
        if self._has_prints(g):
            if prints is None:
                raise ValueError("this index generation holds fingerprints: pass the document's prints")
            print_keys, owner = prints
            self.append_bucket_entries(print_keys, (first + np.asarray(owner)).astype(np.uint32), g, table=PRINTS)
        self.count_terms({t: 1 for t in set(stems)}, g)

    def register_passages(self, doc_id: int, passages: list, generation: int | None = None) -> int:
        """Give a document's passages the next free ids and store their spans; returns the first id.
        Call inside :meth:`transaction`, then file the passages' keys with :meth:`append_bucket_entries`."""
        g = self._usable(int(generation or self.generation))
        counter = f"next_passage_g{g}"  # ids are never reused, so a stale entry can never point at a new passage
        first = int(self.meta(counter) or 1)
        if first + len(passages) >= 2**32:
            raise StoreError(f"{self.path}: passage ids exhausted; run 'plagcheck reindex --full' to renumber")
        if len(passages):
            self.set_meta(counter, str(first + len(passages)))
            self.db.execute(f"INSERT INTO spans_g{g} (doc_id, first_passage, passages, spans) VALUES (?,?,?,?)",
                            [doc_id, first, len(passages), _pack_spans(passages)])
        return first

    def append_bucket_entries(self, keys: np.ndarray, passage_ids: np.ndarray, generation: int | None = None,
                              table: str = BUCKETS) -> None:
        """File passages under bucket keys (flat, one id per key) in ``table`` (``BUCKETS`` or
        ``PRINTS``); call inside :meth:`transaction`. Rows are written in prefix order, each once
        however many of the entries it takes."""
        g = self._usable(int(generation or self.generation))
        rows = ((prefix, entries.tobytes()) for prefix, entries in _by_prefix(keys, passage_ids))
        self.db.conn.executemany(
            f"INSERT INTO {_table(table)}_g{g} (prefix, entries) VALUES (?, ?) "
            "ON CONFLICT(prefix) DO UPDATE SET entries = CAST(entries || excluded.entries AS BLOB)", rows)
        # (|| yields text, byte for byte; the cast makes the bytes a blob again)

    def count_terms(self, document_frequencies: dict[str, int], generation: int | None = None) -> None:
        """Add to the corpus document frequency of each term; call inside :meth:`transaction`."""
        g = self._usable(int(generation or self.generation))
        self.db.conn.executemany(
            f"INSERT INTO terms_g{g} (term, df) VALUES (?, ?) ON CONFLICT(term) DO UPDATE SET df = df + excluded.df",
            document_frequencies.items())

    def delete_index_rows(self, doc_id: int, keys: np.ndarray, stems: Iterable[str],
                          generation: int | None = None, prints: np.ndarray | None = None) -> None:
        """Remove a document's passages, bucket entries, fingerprints and term counts; call inside
        :meth:`transaction`.

        ``keys`` are the document's bucket keys and ``prints`` its fingerprint keys, recomputed
        from its text (they say which rows hold its entries; the rest of the index is not read).
        """
        g = self._usable(int(generation or self.generation))
        row = self.db.execute(f"SELECT first_passage, passages FROM spans_g{g} WHERE doc_id = ?", [doc_id]).fetchone()
        if row is not None:
            first, count = row
            keys = np.asarray(keys, dtype=np.int64)
            same = len(keys) == count
            if not same:  # the text no longer gives the passages it was indexed with: look everywhere
                log.warning("document %d: %d passages indexed, %d recomputed; scanning the whole index to "
                            "remove it", doc_id, count, len(keys))
            self._remove_entries(BUCKETS, g, keys if same else None, first, count)
            if self._has_prints(g):
                self._remove_entries(PRINTS, g, prints if same else None, first, count)
            self.db.execute(f"DELETE FROM spans_g{g} WHERE doc_id = ?", [doc_id])
        self.db.conn.executemany(f"UPDATE terms_g{g} SET df = df - 1 WHERE term = ?", ((t,) for t in set(stems)))
        self.db.execute(f"DELETE FROM terms_g{g} WHERE df <= 0")

    def _remove_entries(self, table: str, g: int, keys: np.ndarray | None, first: int, count: int) -> None:
        """Remove the entries of passages ``first .. first + count - 1`` from the rows of ``keys``
        in ``table`` (every row when ``keys`` is None)."""
        if keys is not None:
            rows = self._bucket_rows(g, np.unique(np.asarray(keys, dtype=np.int64).reshape(-1) >> SUFFIX_BITS).tolist(),
                                     table)
        else:
            rows = self.db.execute(f"SELECT prefix, entries FROM {_table(table)}_g{g}")
        changed = []
        for prefix, blob in rows:
            entries = np.frombuffer(blob, _ENTRY)
            mine = (entries["passage"] >= first) & (entries["passage"] < first + count)
            if mine.any():
                changed.append((prefix, entries[~mine].tobytes()))
        for prefix, rest in changed:
            if rest:
                self.db.execute(f"UPDATE {_table(table)}_g{g} SET entries = ? WHERE prefix = ?", [rest, prefix])
            else:
                self.db.execute(f"DELETE FROM {_table(table)}_g{g} WHERE prefix = ?", [prefix])

    def delete_document(self, doc_id: int) -> None:
        """Remove a document's row and text; call inside :meth:`transaction`, after its index rows."""
        self.db.execute("DELETE FROM texts WHERE doc_id = ?", [doc_id])
        self.db.execute("DELETE FROM file_stamps WHERE doc_id = ?", [doc_id])
        self.db.execute("DELETE FROM sentence_vectors WHERE doc_id = ?", [doc_id])
        self.db.execute("DELETE FROM unit_vectors WHERE doc_id = ?", [doc_id])
        self.db.execute("DELETE FROM documents WHERE id = ?", [doc_id])

    def set_file_stamp(self, doc_id: int, stamp: tuple[int, int, int]) -> None:
        """Record ``(size, mtime_ns, ctime_ns)`` of the file ``doc_id`` was read from; call inside
        :meth:`transaction`."""
        self.db.execute("INSERT INTO file_stamps (doc_id, size, mtime_ns, ctime_ns) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT(doc_id) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns, "
                        "ctime_ns = excluded.ctime_ns", [doc_id, *stamp])

    def file_stamps(self) -> dict[int, tuple[int, int, int]]:
        return {doc_id: tuple(stamp) for doc_id, *stamp in
                self.db.execute("SELECT doc_id, size, mtime_ns, ctime_ns FROM file_stamps")}

    # -- queries ----------------------------------------------------------------------------
    def lookup_buckets(self, keys: np.ndarray, max_bucket: int = defaults.MAX_BUCKET_PASSAGES,
                       table: str = BUCKETS) -> list[tuple[int, int]]:
        """The (key, passage_id) entries whose key is in ``keys``: one set query per chunk of prefixes.

        A bucket holding more than ``max_bucket`` passages is boilerplate shared across the corpus
        (a template, a standard phrase); it is skipped, which also keeps the memory of a check
        independent of the corpus size. Read-only, so checks never wait for a writer in WAL mode.
        ``table``: ``BUCKETS`` (LSH) or ``PRINTS`` (fingerprints; none in a generation without them).
        """
        g = self._usable(self.generation)
        if table == PRINTS and not self.has_prints:
            return []
        wanted = np.unique(np.asarray(keys, dtype=np.int64).reshape(-1))
        wanted_prefix = wanted >> SUFFIX_BITS
        wanted_suffix = (wanted & (2**SUFFIX_BITS - 1)).astype(np.uint32)
        rows: list[tuple[int, int]] = []
        for chunk in _chunks(np.unique(wanted_prefix).tolist()):
            found = self._bucket_rows(g, chunk, table)
            if not found:
                continue
            entries = np.frombuffer(b"".join(blob for _, blob in found), _ENTRY)
            row_size = np.array([len(blob) for _, blob in found]) // _ENTRY.itemsize
            row_prefix = np.array([p for p, _ in found], dtype=np.int64)
            # The wanted keys of each row are a run of ``wanted``; a row rarely has more than one.
            # Comparing every entry with its row's j-th wanted key, for each j, costs a pass over
            # the entries (no search: a check at 100,000 theses reads tens of millions of them).
            first = np.searchsorted(wanted_prefix, row_prefix, "left")
            last = np.searchsorted(wanted_prefix, row_prefix, "right") - 1
            key_of = np.full(len(entries), -1, dtype=np.int64)
            for j in range(int((last - first).max()) + 1):
                at = np.repeat(np.minimum(first + j, last), row_size)
                match = entries["suffix"] == wanted_suffix[at]
                key_of[match] = wanted[at[match]]
            hit = key_of >= 0
            full, passages = key_of[hit], entries["passage"][hit]
            _, inverse, sizes = np.unique(full, return_inverse=True, return_counts=True)
            small = sizes[inverse] <= max_bucket  # every entry of a key lives in its prefix's row
            rows.extend(zip(full[small].tolist(), passages[small].tolist()))
        return rows

    def _bucket_rows(self, generation: int, prefixes: list[int], table: str = BUCKETS) -> list[tuple[int, bytes]]:
        out: list[tuple[int, bytes]] = []
        for chunk in _chunks(prefixes):
            marks = ",".join("?" * len(chunk))
            out += self.db.execute(f"SELECT prefix, entries FROM {_table(table)}_g{generation} "
                                   f"WHERE prefix IN ({marks})", chunk).fetchall()
        return out

    def _documents_of(self, ids: Iterable[int], spans: bool) -> Iterator[tuple[int, int, int, bytes | None, list[int]]]:
        """``(doc_id, first_passage, passages, spans blob or None, ids of it)`` for the documents
        holding ``ids``: one query per document, its passages being a contiguous id range (ids no
        longer in the index are left out)."""
        g = self._usable(self.generation)
        ids = sorted(set(ids))
        column = "spans" if spans else "NULL"
        i = 0
        while i < len(ids):
            row = self.db.execute(f"SELECT doc_id, first_passage, passages, {column} FROM spans_g{g} "
                                  "WHERE first_passage <= ? ORDER BY first_passage DESC LIMIT 1", [ids[i]]).fetchone()
            if row is None or ids[i] >= row[1] + row[2]:
                i += 1
                continue
            stop = bisect.bisect_left(ids, row[1] + row[2], i)
            yield (*row, ids[i:stop])
            i = stop

    def passages(self, ids: Iterable[int]) -> dict[int, StoredPassage]:
        """The passages with these ids (ids no longer in the index are left out)."""
        out: dict[int, StoredPassage] = {}
        for doc_id, first, count, blob, held in self._documents_of(ids, spans=True):
            spans = _unpack_spans(blob, count)
            for pid in held:
                out[pid] = StoredPassage(pid, doc_id, *spans[pid - first])
        return out

    def document_passages(self, doc_id: int) -> list[StoredPassage]:
        """A document's passages in text order."""
        g = self._usable(self.generation)
        row = self.db.execute(f"SELECT first_passage, passages, spans FROM spans_g{g} WHERE doc_id = ?",
                              [doc_id]).fetchone()
        if row is None:
            return []
        first, count, blob = row
        return [StoredPassage(first + k, doc_id, *span) for k, span in enumerate(_unpack_spans(blob, count))]

    def bucket_documents(self, keys: np.ndarray) -> dict[int, set[int]]:
        """For each bucket key in ``keys``, the ids of the corpus documents with a passage in it.

        Used to find passages that many corpus documents share (title pages, templates).
        """
        entries = self.lookup_buckets(keys, max_bucket=2**62)
        owners = {pid: doc_id for doc_id, _, _, _, held in self._documents_of((pid for _, pid in entries), spans=False)
                  for pid in held}
        out: dict[int, set[int]] = {}
        for key, pid in entries:
            if pid in owners:
                out.setdefault(key, set()).add(owners[pid])
        return out

    def document_frequencies(self, terms: Iterable[str]) -> dict[str, int]:
        out = {}
        for chunk in _chunks(list(terms)):
            marks = ",".join("?" * len(chunk))
            out.update(self.db.execute(f"SELECT term, df FROM terms_g{self.generation} WHERE term IN ({marks})", chunk).fetchall())
        return out

    def document_count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]

    # -- semantic layer ---------------------------------------------------------------------
    def unembedded_documents(self, model: str, limit: int | None = None) -> list[int]:
        """Ids of documents whose sentences ``model`` has not embedded yet, oldest first."""
        sql = (f"SELECT d.id FROM documents d LEFT JOIN {_vectors(model)} v ON v.doc_id = d.id AND v.model = ? "
               "WHERE v.doc_id IS NULL ORDER BY d.id")
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [r[0] for r in self.db.execute(sql, [model])]

    def put_sentence_vectors(self, doc_id: int, model: str, sentences: int, head: bytes, vectors: bytes) -> None:
        """Store a document's embedded sentences (``plagcheck.semantic.SentenceSet``: its
        ``head_bytes`` and ``vector_bytes``), replacing those of any other model; call inside
        :meth:`transaction`. A document deleted meanwhile (a reindex replaced its file) is left alone."""
        if self.db.execute("SELECT 1 FROM documents WHERE id = ?", [doc_id]).fetchone() is None:
            return
        self.db.execute(f"INSERT INTO {_vectors(model)} (doc_id, model, sentences, head, vectors) VALUES (?,?,?,?,?) "
                        "ON CONFLICT(doc_id) DO UPDATE SET model = excluded.model, sentences = excluded.sentences, "
                        "head = excluded.head, vectors = excluded.vectors", [doc_id, model, sentences, head, vectors])

    def sentence_heads(self, model: str, batch: int = 200) -> Iterator[list[tuple[int, bytes]]]:
        """``(doc_id, head)`` of every document ``model`` embedded, ``batch`` documents at a time
        (memory stays that of one batch, whatever the corpus size)."""
        last = -1
        while True:
            rows = self.db.execute(f"SELECT doc_id, head FROM {_vectors(model)} WHERE model = ? AND doc_id > ? "
                                   "ORDER BY doc_id LIMIT ?", [model, last, batch]).fetchall()
            if not rows:
                return
            yield rows
            last = rows[-1][0]

    def sentence_head(self, model: str, doc_id: int) -> bytes:
        """The stored sentence spans, languages, hashes and codes of one document."""
        row = self.db.execute(f"SELECT head FROM {_vectors(model)} WHERE doc_id = ? AND model = ?",
                              [doc_id, model]).fetchone()
        if row is None:
            raise StoreError(f"document {doc_id} has no sentences embedded by {model}")
        return row[0]

    def sentence_vectors_at(self, model: str, doc_id: int, indexes: list[int], dimension: int) -> np.ndarray:
        """The int8 vectors of sentences ``indexes`` of one document, ``(len(indexes), dimension)``:
        a few are read in place (a search needs a few sentences of many documents), many at once."""
        out = np.zeros((len(indexes), dimension), dtype=np.int8)
        row = self.db.execute(f"SELECT rowid FROM {_vectors(model)} WHERE doc_id = ? AND model = ?",
                              [doc_id, model]).fetchone()
        if row is None:
            return out
        if len(indexes) > 32 or not hasattr(self.db.conn, "blobopen"):  # blobopen: Python >= 3.11
            blob = self.db.execute(f"SELECT vectors FROM {_vectors(model)} WHERE rowid = ?", [row[0]]).fetchone()[0]
            matrix = np.frombuffer(blob, np.int8).reshape(-1, dimension)
            return matrix[np.asarray(indexes, dtype=np.int64)].copy()
        with self.db.conn.blobopen(_vectors(model), "vectors", row[0], readonly=True) as blob:
            for k, j in enumerate(indexes):
                blob.seek(j * dimension)
                out[k] = np.frombuffer(blob.read(dimension), np.int8)
        return out

    def semantic_state(self, model: str) -> dict:
        """How much of the corpus ``model`` has embedded: the semantic layer sees only that part."""
        embedded, sentences = self.db.execute(
            f"SELECT COUNT(*), COALESCE(SUM(sentences), 0) FROM {_vectors(model)} WHERE model = ?", [model]).fetchone()
        documents = self.document_count()
        return {"model": model, "documents_embedded": embedded, "documents": documents, "sentences": sentences,
                "coverage": round(embedded / documents, 4) if documents else 1.0}

    def state(self) -> CorpusState:
        return CorpusState(
            documents=self.document_count(),
            passages=self.db.execute(
                f"SELECT COALESCE(SUM(passages), 0) FROM spans_g{self._usable(self.generation)}").fetchone()[0],
            generation=self.generation,
            engine_version=__version__,
            index_params=self.params.to_dict(),
            layers=("verbatim", "short") if self.has_prints else ("verbatim",))

    def close(self) -> None:
        self.db.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


_DOC_COLUMNS = ("id, content_hash, path, title, author, year, department, language, format, chars, words, added_at, "
                "extra")


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


def entry_passage_ids(first: int, keys: np.ndarray) -> np.ndarray:
    """The passage id of each of ``keys.reshape(-1)``: keys ``(passages, bands)`` of passages
    numbered from ``first`` (:meth:`Store.register_passages`)."""
    return np.repeat(np.arange(first, first + keys.shape[0], dtype=np.uint32), keys.shape[1])


def _vectors(model: str) -> str:
    """The table of a model's vectors: static lexicon units (``lexicon:...``) or embedded sentences."""
    return "unit_vectors" if model.startswith("lexicon:") else "sentence_vectors"


def _table(name: str) -> str:
    """A packed table's name, checked (it goes into SQL)."""
    if name not in (BUCKETS, PRINTS):
        raise ValueError(f"no packed table {name!r}")
    return name


def compress_text(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8"), 6)


def _by_prefix(keys: np.ndarray, passage_ids: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    """Bucket entries grouped by the prefix of their key (the row they are packed into)."""
    keys = np.asarray(keys, dtype=np.int64)
    if len(keys) == 0:
        return
    order = np.argsort(keys, kind="stable")
    keys, passage_ids = keys[order], passage_ids[order]
    entries = np.empty(len(keys), _ENTRY)
    entries["suffix"] = keys & (2**SUFFIX_BITS - 1)
    entries["passage"] = passage_ids
    prefixes = keys >> SUFFIX_BITS
    bounds = np.flatnonzero(np.diff(prefixes)) + 1
    for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(keys)]):
        yield int(prefixes[lo]), entries[lo:hi]


def _pack_spans(passages: list) -> bytes:
    """(first_word, words, start, end) of each passage, delta-coded down the columns, compressed."""
    spans = np.array([(p.first_word, p.words, p.start, p.end) for p in passages], dtype=np.int64).reshape(-1, 4)
    return zlib.compress(np.diff(spans, axis=0, prepend=0).astype("<i4").tobytes(), 6)


def _unpack_spans(blob: bytes, count: int) -> list[tuple[int, int, int, int]]:
    deltas = np.frombuffer(zlib.decompress(blob), "<i4").reshape(count, 4)
    return [tuple(row) for row in np.cumsum(deltas, axis=0, dtype=np.int64).tolist()]


def _chunks(items: list, size: int = _CHUNK) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
