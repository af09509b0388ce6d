"""What both SQL backends share: the packed index format and the statements they can both run.

The index is packed, because it is most of the database: one row per key *prefix* holds every
(key suffix, passage id) entry under it, 8 bytes each, instead of a ~19-byte row per entry; and a
document's passages are one row of delta-coded spans, their ids a contiguous range. The LSH
buckets (``buckets_g*``) and the winnowed word k-gram fingerprints (``prints_g*``) are two tables
of that one packed format. Bucket lookups go through the table's own B-tree: a check reads only
the rows its own windows hash to, and the index never has to fit in memory.

Statements are written once with ``?`` placeholders, in the SQL that SQLite and PostgreSQL both
speak; a backend overrides only what differs (its connection, DDL, locks, id allocation, the
queue's lease). Every index generation has its own tables, so a full reindex builds the next one
beside the live one and swaps it in with one transaction.

A generation built before short-copy detection (plagcheck 0.2.0 and earlier) has no fingerprint
table. It keeps working for the MinHash path; the short-copy layer is off for it (a check says so
in its log and its ``corpus.layers``) until ``plagcheck reindex --full`` builds a generation with
fingerprints for every document. The table is never created for an existing generation: it would
hold only the documents added since.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import logging
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import TypeVar

import numpy as np

from plagcheck import __version__, defaults
from plagcheck.errors import StoreError
from plagcheck.settings import IndexParams
from plagcheck.storage.records import (DOC_COLUMNS, DONE, FAILED, METADATA_FIELDS, QUEUED, RUNNING, CorpusState,
                                       Job, JobStatus, StoredDocument, StoredPassage)

log = logging.getLogger(__name__)
T = TypeVar("T")
CHUNK = 900  # stay under SQLite's limit on bound parameters (999 before 3.32)
SUFFIX_BITS = 32    # a bucket key (lsh.KEY_BITS wide) is its row's prefix followed by these bits
BUCKETS, PRINTS, ANCHORS = "buckets", "prints", "anchors"  # the packed tables: LSH buckets, short-copy
                                                          # fingerprints, translation anchors
ENTRY = np.dtype([("suffix", "<u4"), ("passage", "<u4")])
INDEX_TABLES = ("buckets", PRINTS, ANCHORS, "spans", "terms")  # each generation's tables, ``<name>_g<generation>``
JOB_COLUMNS = ("id, name, state, attempts, error, report_html, report_json, doc_id, similarity, created_at, "
               "finished_at, metadata")


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class SQLStore:
    """A corpus database: document store, passage index and job queue in one (see
    :mod:`plagcheck.storage.protocols`). ``params`` is checked against the ones the index was
    built with. Subclasses supply the connection and what their SQL does differently."""

    location: str  # the database as a person names it in a message (a path, or a URL without its password)
    params: IndexParams
    generation: int
    has_prints: bool
    has_anchors: bool  # whether the live generation has a table of translation anchors (plagcheck.anchors)
    old_format: bool = False
    CONCAT = "CAST(entries || excluded.entries AS BLOB)"  # appending to a packed row
    GREATEST = "MAX"

    # -- what a backend supplies ------------------------------------------------------------
    def _q(self, sql: str, params=()):
        """Run one statement; the result has ``fetchone``, ``fetchall``, iteration and ``rowcount``."""
        raise NotImplementedError

    def _qmany(self, sql: str, rows: Iterable) -> None:
        raise NotImplementedError

    def _insert_id(self, sql: str, params) -> int:
        """Run an INSERT into a table with an ``id`` column; returns the new row's id."""
        raise NotImplementedError

    def transaction(self):
        """A write transaction as a context manager."""
        raise NotImplementedError

    def run_transaction(self, body: Callable[[], T]) -> T:
        """``body()`` in one write transaction; returns what it returns. A backend whose server may
        abort a transaction to break a deadlock runs ``body`` again then (PostgreSQL), so ``body``
        must do nothing but database work it can repeat from the start."""
        with self.transaction():
            return body()

    def read_snapshot(self):
        """A read transaction on the current generation, re-entrant: a reindex swapping the index
        meanwhile does not disturb it, and a check and its report read the same corpus."""
        raise NotImplementedError

    def table_exists(self, name: str) -> bool:
        raise NotImplementedError

    def index_generations(self) -> list[int]:
        """Generations that have tables in the database (the current one and any unfinished build)."""
        raise NotImplementedError

    def create_index_tables(self, generation: int) -> None:
        raise NotImplementedError

    def reindex_lock(self):
        """Hold the one-reindex-at-a-time lock; :class:`StoreError` if another reindex holds it."""
        raise NotImplementedError

    def ensure_jobs_schema(self) -> None:
        raise NotImplementedError

    def bulk_insert(self, table: str, columns: list[str], rows: list) -> None:
        """Append rows to a table (``plagcheck db migrate``); call inside :meth:`transaction`."""
        marks = ",".join("?" * len(columns))
        self._qmany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def after_bulk_load(self) -> None:
        """Rows came in with their own ids: the next id given must follow them."""

    def key_order(self, column: str) -> str:
        """``column`` as the migration orders keys (byte by byte)."""
        return column

    def lock_index_writes(self) -> None:
        """Hold off other writers of the index until this transaction ends (a generation swap);
        SQLite's write transaction excludes them already."""

    @contextmanager
    def bulk_writes(self, cache_mb: int):
        """Many documents to a transaction follow (``ingest.store_many``)."""
        yield

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- meta and generations ---------------------------------------------------------------
    created = False  # whether opening it made a new corpus

    def _init_index(self, params: IndexParams | None) -> None:
        with self.transaction():
            if self.meta("index_params") is None:
                self.created = True
                self.set_meta("index_params", json.dumps((params or IndexParams()).to_dict()))
                self.set_meta("generation", "1")
                self.create_index_tables(1)

    def _check_params(self, params: IndexParams | None) -> None:
        self.refresh()
        if params is not None and params != self.params:
            raise StoreError(
                f"the index in {self.location} was built with other parameters "
                f"({self.params.to_dict()}); run 'plagcheck reindex --full' to rebuild it")

    def refresh(self) -> None:
        """Re-read which index generation is current (a full reindex may have swapped it)."""
        self.generation = int(self.meta("generation"))
        self.params = IndexParams(**json.loads(self.meta("index_params")))
        self.old_format = self.table_exists(f"passages_g{self.generation}")
        optional = self._optional_tables(self.generation)
        self.has_prints, self.has_anchors = PRINTS in optional, ANCHORS in optional

    def _optional_tables(self, generation: int) -> list[str]:
        """The packed tables beside the buckets that ``generation`` was built with: ``PRINTS``
        (short-copy fingerprints), ``ANCHORS`` (translation anchors). Each is created with its
        generation, so one built by an older plagcheck lacks the later ones."""
        return [table for table in (PRINTS, ANCHORS) if self.table_exists(f"{table}_g{int(generation)}")]

    @property
    def packed_tables(self) -> list[str]:
        """The live generation's packed tables, in the order :meth:`drop_index_tables` drops them."""
        return [BUCKETS] + [table for table, present in ((PRINTS, self.has_prints), (ANCHORS, self.has_anchors))
                            if present]

    def _usable(self, generation: int) -> int:
        """``generation``, unless it is the current one and was built by plagcheck < 0.2 (one row per
        bucket entry, a passages table): that index must be rebuilt, which ``reindex --full`` does."""
        if generation == self.generation and self.old_format:
            raise StoreError(f"the index in {self.location} was built by an older plagcheck in another format; "
                             "run 'plagcheck reindex --full' to rebuild it")
        return generation

    def drop_index_tables(self, generation: int) -> None:
        g = int(generation)
        for table in (f"buckets_g{g}", f"{PRINTS}_g{g}", f"{ANCHORS}_g{g}", f"spans_g{g}", f"terms_g{g}",
                      f"passages_g{g}"):  # passages: format 1
            self._q(f"DROP TABLE IF EXISTS {table}")
        self._q("DELETE FROM meta WHERE key = ?", [f"next_passage_g{g}"])
        self._q("DELETE FROM unit_index WHERE generation = ?", [g])  # the generation's ANN index goes with it

    def start_generation(self) -> tuple[int, int]:
        """Drop the leftovers of unfinished rebuilds and create the next generation's tables;
        returns ``(current, new)``. Called by a full reindex holding :meth:`reindex_lock`."""
        with self.transaction():
            self.refresh()
            current = self.generation
            for leftover in self.index_generations():  # crash leftovers of earlier rebuilds
                if leftover != current:
                    self.drop_index_tables(leftover)
            new = max([current, *self.index_generations()]) + 1
            self.create_index_tables(new)
        return current, new

    def swap_generation(self, current: int, new: int, params: IndexParams) -> None:
        """Make ``new`` the live generation with ``params`` and drop ``current``; call inside
        :meth:`transaction` (the reindex indexes the documents added meanwhile in the same one)."""
        self.set_meta("generation", str(new))
        self.set_meta("index_params", json.dumps(params.to_dict()))
        self.drop_index_tables(current)

    def meta(self, key: str) -> str | None:
        row = self._q("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self._q("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, value])

    def delete_meta(self, key: str) -> None:
        self._q("DELETE FROM meta WHERE key = ?", [key])

    # -- documents --------------------------------------------------------------------------
    def find_by_hash(self, content_hash: str) -> StoredDocument | None:
        row = self._q(f"SELECT {DOC_COLUMNS} FROM documents WHERE content_hash = ?", [content_hash]).fetchone()
        return StoredDocument.from_row(row) if row else None

    def document(self, doc_id: int) -> StoredDocument:
        row = self._q(f"SELECT {DOC_COLUMNS} FROM documents WHERE id = ?", [doc_id]).fetchone()
        if row is None:
            raise StoreError(f"no document with id {doc_id} in {self.location}")
        return StoredDocument.from_row(row)

    def documents(self) -> list[StoredDocument]:
        return [StoredDocument.from_row(r) for r in self._q(f"SELECT {DOC_COLUMNS} FROM documents ORDER BY id")]

    def document_text(self, doc_id: int) -> str:
        row = self._q("SELECT text FROM texts WHERE doc_id = ?", [doc_id]).fetchone()
        if row is None:
            raise StoreError(f"no text stored for document {doc_id}")
        return zlib.decompress(row[0]).decode("utf-8")

    def insert_document(self, *, content_hash: str, path: str, metadata: dict, format: str, text: str,
                        words: int, pages: list | None, compressed: bytes | None = None) -> int:
        """Write a document's row and compressed text (``compressed``: :func:`compress_text` of it,
        if the caller has it already); call inside :meth:`transaction`."""
        meta = {k: metadata.get(k) for k in METADATA_FIELDS}
        extra = {k: v for k, v in metadata.items() if k not in METADATA_FIELDS and v not in (None, "")}
        doc_id = self._insert_id(
            "INSERT INTO documents (content_hash, path, title, author, year, department, language, format, "
            "chars, words, added_at, extra) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            [content_hash, path, meta["title"], meta["author"], meta["year"], meta["department"],
             meta["language"], format, len(text), words, now(),
             json.dumps(extra, ensure_ascii=False) if extra else None])
        self._q("INSERT INTO texts (doc_id, text, pages) VALUES (?,?,?)",
                [doc_id, compressed or compress_text(text), json.dumps(pages) if pages else None])
        return doc_id

    def delete_document(self, doc_id: int) -> None:
        """Remove a document's row and text; call inside :meth:`transaction`, after its index rows."""
        for table in ("texts", "file_stamps", "sentence_vectors", "unit_vectors"):
            self._q(f"DELETE FROM {table} WHERE doc_id = ?", [doc_id])
        self._q("DELETE FROM documents WHERE id = ?", [doc_id])

    def set_file_stamp(self, doc_id: int, stamp: tuple[int, int, int]) -> None:
        """Record ``(size, mtime_ns, ctime_ns)`` of the file ``doc_id`` was read from; call inside
        :meth:`transaction`."""
        self._q("INSERT INTO file_stamps (doc_id, size, mtime_ns, ctime_ns) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(doc_id) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns, "
                "ctime_ns = excluded.ctime_ns", [doc_id, *stamp])

    def file_stamps(self) -> dict[int, tuple[int, int, int]]:
        return {doc_id: tuple(stamp) for doc_id, *stamp in
                self._q("SELECT doc_id, size, mtime_ns, ctime_ns FROM file_stamps")}

    def document_count(self) -> int:
        return self._q("SELECT COUNT(*) FROM documents").fetchone()[0]

    def total_words(self) -> int:
        return self._q("SELECT COALESCE(SUM(words), 0) FROM documents").fetchone()[0]

    def text_bytes(self) -> int:
        """Bytes of the stored (compressed) document texts."""
        return self._q("SELECT COALESCE(SUM(LENGTH(text)), 0) FROM texts").fetchone()[0]

    def space_used(self) -> dict[str, int]:
        """Bytes per table (and index, where the engine counts it apart), by name."""
        raise NotImplementedError

    def database_bytes(self) -> int:
        """The whole database's size on disk."""
        raise NotImplementedError

    # -- writing the index ------------------------------------------------------------------
    def insert_index_rows(self, doc_id: int, passages: list, keys: np.ndarray, stems: Iterable[str],
                          generation: int | None = None, prints: tuple[np.ndarray, np.ndarray] | None = None,
                          anchors: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        """Write a document's passages, bucket keys, fingerprints, translation anchors and term
        counts; call inside :meth:`transaction`.

        ``keys`` is ``(len(passages), bands)`` of bucket keys (:func:`plagcheck.lsh.band_keys`);
        ``prints`` is ``(keys, passage index)`` of its fingerprints (:func:`plagcheck.index.document_prints`),
        required when the generation has a fingerprint table; ``anchors`` likewise of its
        translation anchors (:func:`plagcheck.index.anchor_prints`), when it has an anchor table.
        """
        g = int(generation or self.generation)
        first = self.register_passages(doc_id, passages, g)
        if len(passages):
            self.append_bucket_entries(keys.reshape(-1), entry_passage_ids(first, keys), g)
        given = {PRINTS: prints, ANCHORS: anchors}
        for table in self._optional_tables(g):
            if given[table] is None:
                raise ValueError(f"this index generation has a {table} table: pass the document's {table}")
            entry_keys, owner = given[table]
            self.append_bucket_entries(entry_keys, (first + np.asarray(owner)).astype(np.uint32), g, table=table)
        self.count_terms({t: 1 for t in set(stems)}, g)

    def _claim_passage_ids(self, generation: int, count: int) -> int:
        """The first of ``count`` fresh passage ids of ``generation`` (ids are never reused, so a
        stale entry can never point at a new passage)."""
        counter = f"next_passage_g{generation}"
        first = int(self.meta(counter) or 1)
        if first + count >= 2**32:
            raise StoreError(f"{self.location}: passage ids exhausted; run 'plagcheck reindex --full' to renumber")
        if count:
            self.set_meta(counter, str(first + count))
        return first

    def register_passages(self, doc_id: int, passages: list, generation: int | None = None) -> int:
        """Give a document's passages the next free ids and store their spans; returns the first id.
        Call inside :meth:`transaction`, then file the passages' keys with :meth:`append_bucket_entries`."""
        g = self._usable(int(generation or self.generation))
        first = self._claim_passage_ids(g, len(passages))
        if len(passages):
            self._q(f"INSERT INTO spans_g{g} (doc_id, first_passage, passages, spans) VALUES (?,?,?,?)",
                    [doc_id, first, len(passages), pack_spans(passages)])
        return first

    def append_bucket_entries(self, keys: np.ndarray, passage_ids: np.ndarray, generation: int | None = None,
                              table: str = BUCKETS) -> None:
        """File passages under bucket keys (flat, one id per key) in ``table`` (``BUCKETS`` or
        ``PRINTS`` or ``ANCHORS``); call inside :meth:`transaction`. Rows are written in prefix order, each once
        however many of the entries it takes (the same order in every writer: no deadlocks)."""
        g = self._usable(int(generation or self.generation))
        rows = ((prefix, entries.tobytes()) for prefix, entries in by_prefix(keys, passage_ids))
        self._qmany(f"INSERT INTO {_table(table)}_g{g} AS t (prefix, entries) VALUES (?, ?) "
                    f"ON CONFLICT(prefix) DO UPDATE SET entries = {self.CONCAT}", rows)

    def count_terms(self, document_frequencies: dict[str, int], generation: int | None = None) -> None:
        """Add to the corpus document frequency of each term; call inside :meth:`transaction`."""
        g = self._usable(int(generation or self.generation))
        self._qmany(f"INSERT INTO terms_g{g} AS t (term, df) VALUES (?, ?) "
                    "ON CONFLICT(term) DO UPDATE SET df = t.df + excluded.df",
                    sorted(document_frequencies.items()))  # sorted: concurrent writers lock rows in one order

    def delete_index_rows(self, doc_id: int, keys: np.ndarray, stems: Iterable[str],
                          generation: int | None = None, prints: np.ndarray | None = None,
                          anchors: np.ndarray | None = None) -> None:
        """Remove a document's passages, bucket entries, fingerprints, translation anchors and term
        counts; call inside :meth:`transaction`.

        ``keys`` are the document's bucket keys, ``prints`` its fingerprint keys and ``anchors`` its
        anchor keys, recomputed from its text (they say which rows hold its entries; the rest of
        the index is not read).
        """
        g = self._usable(int(generation or self.generation))
        row = self._q(f"SELECT first_passage, passages FROM spans_g{g} WHERE doc_id = ?", [doc_id]).fetchone()
        if row is not None:
            first, count = row
            keys = np.asarray(keys, dtype=np.int64)
            same = len(keys) == count
            if not same:  # the text no longer gives the passages it was indexed with: look everywhere
                log.warning("document %d: %d passages indexed, %d recomputed; scanning the whole index to "
                            "remove it", doc_id, count, len(keys))
            self._remove_entries(BUCKETS, g, keys if same else None, first, count)
            given = {PRINTS: prints, ANCHORS: anchors}
            for table in self._optional_tables(g):
                self._remove_entries(table, g, given[table] if same else None, first, count)
            self._q(f"DELETE FROM spans_g{g} WHERE doc_id = ?", [doc_id])
        self._qmany(f"UPDATE terms_g{g} SET df = df - 1 WHERE term = ?", ((t,) for t in sorted(set(stems))))
        self._q(f"DELETE FROM terms_g{g} WHERE df <= 0")

    def _remove_entries(self, table: str, g: int, keys: np.ndarray | None, first: int, count: int) -> None:
        """Remove the entries of passages ``first .. first + count - 1`` from the rows of ``keys``
        in ``table`` (every row when ``keys`` is None)."""
        if keys is not None:
            rows = self._bucket_rows(g, np.unique(np.asarray(keys, dtype=np.int64).reshape(-1) >> SUFFIX_BITS).tolist(),
                                     table)
        else:
            rows = self._q(f"SELECT prefix, entries FROM {_table(table)}_g{g}").fetchall()
        changed = []
        for prefix, blob in rows:
            entries = np.frombuffer(blob, ENTRY)
            mine = (entries["passage"] >= first) & (entries["passage"] < first + count)
            if mine.any():
                changed.append((prefix, entries[~mine].tobytes()))
        for prefix, rest in changed:
            if rest:
                self._q(f"UPDATE {_table(table)}_g{g} SET entries = ? WHERE prefix = ?", [rest, prefix])
            else:
                self._q(f"DELETE FROM {_table(table)}_g{g} WHERE prefix = ?", [prefix])

    # -- reading the index ------------------------------------------------------------------
    def lookup_buckets(self, keys: np.ndarray, max_bucket: int = defaults.MAX_BUCKET_PASSAGES,
                       table: str = BUCKETS) -> list[tuple[int, int]]:
        """The (key, passage_id) entries whose key is in ``keys``: one set query per chunk of prefixes.

        A bucket holding more than ``max_bucket`` passages is boilerplate shared across the corpus
        (a template, a standard phrase); it is skipped, which also keeps the memory of a check
        independent of the corpus size. Read-only, so checks never wait for a writer.
        ``table``: ``BUCKETS`` (LSH), ``PRINTS`` (fingerprints) or ``ANCHORS`` (translation
        anchors); the last two hold none in a generation built before them.
        """
        g = self._usable(self.generation)
        if table not in self.packed_tables:
            return []
        wanted = np.unique(np.asarray(keys, dtype=np.int64).reshape(-1))
        wanted_prefix = wanted >> SUFFIX_BITS
        wanted_suffix = (wanted & (2**SUFFIX_BITS - 1)).astype(np.uint32)
        rows: list[tuple[int, int]] = []
        for chunk in chunks(np.unique(wanted_prefix).tolist()):
            found = self._bucket_rows(g, chunk, table)
            if not found:
                continue
            entries = np.frombuffer(b"".join(blob for _, blob in found), ENTRY)
            row_size = np.array([len(blob) for _, blob in found]) // ENTRY.itemsize
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
        for chunk in chunks(prefixes):
            marks = ",".join("?" * len(chunk))
            out += self._q(f"SELECT prefix, entries FROM {_table(table)}_g{generation} "
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
            row = self._q(f"SELECT doc_id, first_passage, passages, {column} FROM spans_g{g} "
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
            spans = unpack_spans(blob, count)
            for pid in held:
                out[pid] = StoredPassage(pid, doc_id, *spans[pid - first])
        return out

    def document_passages(self, doc_id: int) -> list[StoredPassage]:
        """A document's passages in text order."""
        g = self._usable(self.generation)
        row = self._q(f"SELECT first_passage, passages, spans FROM spans_g{g} WHERE doc_id = ?", [doc_id]).fetchone()
        if row is None:
            return []
        first, count, blob = row
        return [StoredPassage(first + k, doc_id, *span) for k, span in enumerate(unpack_spans(blob, count))]

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
        for chunk in chunks(list(terms)):
            marks = ",".join("?" * len(chunk))
            out.update(self._q(f"SELECT term, df FROM terms_g{self.generation} WHERE term IN ({marks})",
                               chunk).fetchall())
        return out

    def state(self) -> CorpusState:
        return CorpusState(
            documents=self.document_count(),
            passages=self._q(
                f"SELECT COALESCE(SUM(passages), 0) FROM spans_g{self._usable(self.generation)}").fetchone()[0],
            generation=self.generation,
            engine_version=__version__,
            index_params=self.params.to_dict(),
            layers=("verbatim", "short") if self.has_prints else ("verbatim",))

    # -- semantic layer ---------------------------------------------------------------------
    def unembedded_documents(self, model: str, limit: int | None = None) -> list[int]:
        """Ids of documents whose sentences ``model`` has not embedded yet, oldest first."""
        sql = (f"SELECT d.id FROM documents d LEFT JOIN {_vectors(model)} v ON v.doc_id = d.id AND v.model = ? "
               "WHERE v.doc_id IS NULL ORDER BY d.id")
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [r[0] for r in self._q(sql, [model])]

    def put_sentence_vectors(self, doc_id: int, model: str, sentences: int, head: bytes, vectors: bytes) -> None:
        """Store a document's embedded sentences (``plagcheck.semantic.SentenceSet``: its
        ``head_bytes`` and ``vector_bytes``), replacing those of any other model; call inside
        :meth:`transaction`. A document deleted meanwhile (a reindex replaced its file) is left alone."""
        if self._q("SELECT 1 FROM documents WHERE id = ?", [doc_id]).fetchone() is None:
            return
        self._q(f"INSERT INTO {_vectors(model)} (doc_id, model, sentences, head, vectors) VALUES (?,?,?,?,?) "
                "ON CONFLICT(doc_id) DO UPDATE SET model = excluded.model, sentences = excluded.sentences, "
                "head = excluded.head, vectors = excluded.vectors", [doc_id, model, sentences, head, vectors])

    def sentence_heads(self, model: str, batch: int = 200,
                       doc_ids: Iterable[int] | None = None) -> Iterator[list[tuple[int, bytes]]]:
        """``(doc_id, head)`` of every document ``model`` embedded (or of those of ``doc_ids``),
        ``batch`` documents at a time (memory stays that of one batch, whatever the corpus size)."""
        if doc_ids is None:
            yield from self._vector_rows(model, "head", batch)
            return
        for chunk in chunks(sorted(set(doc_ids)), min(batch, CHUNK)):
            marks = ",".join("?" * len(chunk))
            rows = self._q(f"SELECT doc_id, head FROM {_vectors(model)} WHERE model = ? AND doc_id IN ({marks}) "
                           "ORDER BY doc_id", [model, *chunk]).fetchall()
            if rows:
                yield rows

    def _vector_rows(self, model: str, columns: str, batch: int) -> Iterator[list[tuple]]:
        """``(doc_id, *columns)`` of every document ``model`` embedded, in id order, ``batch`` at a time."""
        last = -1
        while True:
            rows = self._q(f"SELECT doc_id, {columns} FROM {_vectors(model)} WHERE model = ? AND doc_id > ? "
                           "ORDER BY doc_id LIMIT ?", [model, last, batch]).fetchall()
            if not rows:
                return
            yield rows
            last = rows[-1][0]

    def sentence_head(self, model: str, doc_id: int) -> bytes:
        """The stored sentence spans, languages, hashes and codes of one document."""
        row = self._q(f"SELECT head FROM {_vectors(model)} WHERE doc_id = ? AND model = ?", [doc_id, model]).fetchone()
        if row is None:
            raise StoreError(f"document {doc_id} has no sentences embedded by {model}")
        return row[0]

    def sentence_vectors_at(self, model: str, doc_id: int, indexes: list[int], dimension: int) -> np.ndarray:
        """The int8 vectors of sentences ``indexes`` of one document, ``(len(indexes), dimension)``."""
        row = self._q(f"SELECT vectors FROM {_vectors(model)} WHERE doc_id = ? AND model = ?",
                      [doc_id, model]).fetchone()
        if row is None:
            return np.zeros((len(indexes), dimension), dtype=np.int8)
        matrix = np.frombuffer(row[0], np.int8).reshape(-1, dimension)
        return matrix[np.asarray(indexes, dtype=np.int64)].copy()

    def sentence_documents(self, model: str) -> dict[int, tuple[str, int]]:
        """``{doc_id: (content hash, sentences)}`` of every document ``model`` has vectors of."""
        return {doc_id: (content_hash, sentences) for doc_id, content_hash, sentences in self._q(
            f"SELECT v.doc_id, d.content_hash, v.sentences FROM {_vectors(model)} v JOIN documents d "
            "ON d.id = v.doc_id WHERE v.model = ?", [model])}

    def sentence_rows(self, model: str, batch: int = 200) -> Iterator[list[tuple[int, bytes, bytes]]]:
        """``(doc_id, head, vectors)`` of every document ``model`` embedded, ``batch`` documents at
        a time, in id order (what building the ANN index reads)."""
        return self._vector_rows(model, "head, vectors", batch)

    # The semantic layer's ANN index over the corpus units (plagcheck.unit_index): blobs per
    # (generation, model, key), cut into rows of a few MB (unit_index.CHUNK). It lives and dies
    # with its generation (drop_index_tables), so a full reindex swaps it in with the rest.
    def put_unit_index(self, generation: int, model: str, key: int, chunks: Iterable[bytes]) -> None:
        """Replace the blob ``key`` of ``model``'s ANN index of ``generation`` by ``chunks`` (in
        order); call inside :meth:`transaction`."""
        self._q("DELETE FROM unit_index WHERE generation = ? AND model = ? AND key = ?", [int(generation), model, key])
        self._qmany("INSERT INTO unit_index (generation, model, key, part, data) VALUES (?, ?, ?, ?, ?)",
                    ((int(generation), model, key, part, bytes(chunk)) for part, chunk in enumerate(chunks)))

    def unit_index_chunks(self, generation: int, model: str, key: int) -> Iterator[bytes]:
        """The blob ``key`` of ``model``'s ANN index of ``generation``, one stored chunk at a time
        (none if there is no such index): the loader never holds the whole blob twice."""
        part = 0
        while (row := self._q("SELECT data FROM unit_index WHERE generation = ? AND model = ? AND key = ? AND part = ?",
                              [int(generation), model, key, part]).fetchone()) is not None:
            yield bytes(row[0])
            part += 1

    def delete_unit_index(self, generation: int, model: str) -> None:
        """Drop ``model``'s ANN index of ``generation``; call inside :meth:`transaction`."""
        self._q("DELETE FROM unit_index WHERE generation = ? AND model = ?", [int(generation), model])

    def semantic_state(self, model: str) -> dict:
        """How much of the corpus ``model`` has embedded: the semantic layer sees only that part."""
        embedded, sentences = self._q(
            f"SELECT COUNT(*), COALESCE(SUM(sentences), 0) FROM {_vectors(model)} WHERE model = ?", [model]).fetchone()
        documents = self.document_count()
        return {"model": model, "documents_embedded": embedded, "documents": documents, "sentences": int(sentences),
                "coverage": round(embedded / documents, 4) if documents else 1.0}

    # -- job queue --------------------------------------------------------------------------
    def enqueue_job(self, name: str, data: bytes, metadata: dict, no_index: bool) -> int:
        self.ensure_jobs_schema()
        with self.transaction():
            return self._insert_id(
                "INSERT INTO jobs (name, data, metadata, no_index, created_at, sha256) VALUES (?,?,?,?,?,?)",
                [name, data, json.dumps(metadata or {}, ensure_ascii=False), int(no_index), now(),
                 hashlib.sha256(data).hexdigest()])

    def waiting_jobs_with_hash(self, sha256: str) -> list[tuple[int, str, dict]]:
        """The (id, name, metadata) of each queued or running job whose bytes have this SHA-256."""
        self.ensure_jobs_schema()
        rows = self._q("SELECT id, name, metadata FROM jobs WHERE sha256 = ? AND state IN (?, ?) ORDER BY id",
                       [sha256, QUEUED, RUNNING])
        return [(job_id, name, json.loads(metadata)) for job_id, name, metadata in rows]

    def _fail_dead_jobs(self, now_seconds: float) -> None:
        """Jobs whose workers died too often fail instead of killing the next worker too."""
        self._q("UPDATE jobs SET state = ?, error = ?, finished_at = ?, lease_owner = NULL "
                "WHERE state = ? AND lease_expires < ? AND attempts >= ?",
                [FAILED, f"worker died {defaults.JOB_MAX_ATTEMPTS} times on this file", now(), RUNNING, now_seconds,
                 defaults.JOB_MAX_ATTEMPTS])

    LEASE_PICK = "SELECT id FROM jobs WHERE state = ? OR (state = ? AND lease_expires < ?) ORDER BY id LIMIT 1"

    def lease_job(self, owner: str, seconds: float) -> Job | None:
        """Take the oldest queued job, or one whose lease expired; None when there is nothing to do."""
        self.ensure_jobs_schema()
        now_seconds = time.time()
        with self.transaction():
            self._fail_dead_jobs(now_seconds)
            row = self._q(
                "UPDATE jobs SET state = ?, lease_owner = ?, lease_expires = ?, attempts = attempts + 1 "
                f"WHERE id = ({self.LEASE_PICK}) RETURNING id, name, metadata, no_index, attempts, data, doc_id",
                [RUNNING, owner, now_seconds + seconds, QUEUED, RUNNING, now_seconds]).fetchone()
        if row is None:
            return None
        return Job(row[0], row[1], json.loads(row[2]), bool(row[3]), row[4], bytes(row[5]), row[6])

    def renew_lease(self, job_id: int, owner: str, seconds: float) -> bool:
        with self.transaction():
            return self._q("UPDATE jobs SET lease_expires = ? WHERE id = ? AND lease_owner = ? AND state = ?",
                           [time.time() + seconds, job_id, owner, RUNNING]).rowcount == 1

    def complete_job(self, job_id: int, owner: str, *, report_html: str | None, report_json: str | None,
                     doc_id: int | None, similarity: float) -> bool:
        with self.transaction():
            return self._q(
                "UPDATE jobs SET state = ?, report_html = ?, report_json = ?, doc_id = ?, similarity = ?, error = NULL, "
                "finished_at = ?, lease_owner = NULL WHERE id = ? AND lease_owner = ? AND state = ?",
                [DONE, report_html, report_json, doc_id, similarity, now(), job_id, owner, RUNNING]).rowcount == 1

    def fail_job(self, job_id: int, owner: str, reason: str) -> bool:
        with self.transaction():
            return self._q("UPDATE jobs SET state = ?, error = ?, finished_at = ?, lease_owner = NULL "
                           "WHERE id = ? AND lease_owner = ? AND state = ?",
                           [FAILED, reason, now(), job_id, owner, RUNNING]).rowcount == 1

    def release_job(self, job_id: int, owner: str) -> None:
        with self.transaction():
            self._q(f"UPDATE jobs SET state = ?, lease_owner = NULL, lease_expires = NULL, "
                    f"attempts = {self.GREATEST}(0, attempts - 1) WHERE id = ? AND lease_owner = ? AND state = ?",
                    [QUEUED, job_id, owner, RUNNING])

    def earlier_jobs_of(self, job_id: int) -> list[tuple[int, int, str, dict]]:
        """``(doc_id, job_id, name, metadata)`` of earlier jobs with the same bytes whose corpus
        entry is still there, newest first."""
        rows = self._q(
            "SELECT doc_id, id, name, metadata FROM jobs WHERE sha256 = (SELECT sha256 FROM jobs WHERE id = ?) "
            "AND id < ? AND doc_id IN (SELECT id FROM documents) ORDER BY id DESC", [job_id, job_id])
        return [(doc_id, earlier, name, json.loads(metadata)) for doc_id, earlier, name, metadata in rows]

    def record_job_document(self, job_id: int, doc_id: int) -> None:
        self._q("UPDATE jobs SET doc_id = ? WHERE id = ?", [doc_id, job_id])

    def job_statuses(self) -> list[JobStatus]:
        self.ensure_jobs_schema()
        rows = self._q(f"SELECT {JOB_COLUMNS} FROM jobs ORDER BY id").fetchall()
        return [JobStatus(*row[:-1], metadata=json.loads(row[-1] or "{}")) for row in rows]

    def live_leases(self) -> int:
        self.ensure_jobs_schema()
        return self._q("SELECT COUNT(*) FROM jobs WHERE state = ? AND lease_expires >= ?",
                       [RUNNING, time.time()]).fetchone()[0]

    def pending_jobs(self) -> int:
        self.ensure_jobs_schema()
        return self._q("SELECT COUNT(*) FROM jobs WHERE state IN (?, ?)", [QUEUED, RUNNING]).fetchone()[0]

    def submitted_documents(self) -> set[int]:
        self.ensure_jobs_schema()
        return {row[0] for row in self._q("SELECT DISTINCT doc_id FROM jobs WHERE doc_id IS NOT NULL")}


def entry_passage_ids(first: int, keys: np.ndarray) -> np.ndarray:
    """The passage id of each of ``keys.reshape(-1)``: keys ``(passages, bands)`` of passages
    numbered from ``first`` (:meth:`SQLStore.register_passages`)."""
    return np.repeat(np.arange(first, first + keys.shape[0], dtype=np.uint32), keys.shape[1])


def _vectors(model: str) -> str:
    """The table of a model's vectors: static lexicon units (``lexicon:...``) or embedded sentences."""
    return "unit_vectors" if model.startswith("lexicon:") else "sentence_vectors"


def _table(name: str) -> str:
    """A packed table's name, checked (it goes into SQL)."""
    if name not in (BUCKETS, PRINTS, ANCHORS):
        raise ValueError(f"no packed table {name!r}")
    return name


def compress_text(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8"), 6)


def by_prefix(keys: np.ndarray, passage_ids: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    """Bucket entries grouped by the prefix of their key (the row they are packed into)."""
    keys = np.asarray(keys, dtype=np.int64)
    if len(keys) == 0:
        return
    order = np.argsort(keys, kind="stable")
    keys, passage_ids = keys[order], passage_ids[order]
    entries = np.empty(len(keys), ENTRY)
    entries["suffix"] = keys & (2**SUFFIX_BITS - 1)
    entries["passage"] = passage_ids
    prefixes = keys >> SUFFIX_BITS
    bounds = np.flatnonzero(np.diff(prefixes)) + 1
    for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(keys)]):
        yield int(prefixes[lo]), entries[lo:hi]


def pack_spans(passages: list) -> bytes:
    """(first_word, words, start, end) of each passage, delta-coded down the columns, compressed."""
    spans = np.array([(p.first_word, p.words, p.start, p.end) for p in passages], dtype=np.int64).reshape(-1, 4)
    return zlib.compress(np.diff(spans, axis=0, prepend=0).astype("<i4").tobytes(), 6)


def unpack_spans(blob: bytes, count: int) -> list[tuple[int, int, int, int]]:
    deltas = np.frombuffer(zlib.decompress(blob), "<i4").reshape(count, 4)
    return [tuple(row) for row in np.cumsum(deltas, axis=0, dtype=np.int64).tolist()]


def chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
