"""Copy a corpus from one database into another — a SQLite file into PostgreSQL, when one machine
is no longer enough: documents, texts, file stamps, the semantic layer's vectors, the live index
generation (renumbered as the target's) and the job queue. Not the semantic layer's ANN index
(``unit_index``): the target's next reindex builds it, and its checks scan every unit until then.

Resumable: every table is copied in key order, a batch to a transaction, and a run that was
stopped starts each table after the last key the target holds. The source should not change
meanwhile (stop its workers and reindexes): what it gains after a table was copied is not seen.
A target that holds a corpus of its own is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from plagcheck.errors import StoreError
from plagcheck.storage.sql import ANCHORS, BUCKETS, PRINTS, SQLStore

MIGRATED_FROM = "migrated_from"


@dataclass(frozen=True)
class Table:
    source: str
    target: str
    key: str
    columns: tuple[str, ...]


@dataclass
class MigrationSummary:
    copied: dict[str, int] = field(default_factory=dict)  # rows copied by this run, per target table
    documents: int = 0
    jobs: int = 0


def tables_to_copy(source: SQLStore, target: SQLStore) -> list[Table]:
    """The tables in the order they are copied (documents before what refers to them)."""
    vectors = ("doc_id", "model", "sentences", "head", "vectors")
    tables = [
        Table("documents", "documents", "id", ("id", "content_hash", "path", "title", "author", "year", "department",
                                               "language", "format", "chars", "words", "added_at", "status", "extra")),
        Table("texts", "texts", "doc_id", ("doc_id", "text", "pages")),
        Table("file_stamps", "file_stamps", "doc_id", ("doc_id", "size", "mtime_ns", "ctime_ns")),
        Table("sentence_vectors", "sentence_vectors", "doc_id", vectors),
        Table("unit_vectors", "unit_vectors", "doc_id", vectors),
    ]
    s, t = source.generation, target.generation
    tables.append(Table(f"spans_g{s}", f"spans_g{t}", "doc_id", ("doc_id", "first_passage", "passages", "spans")))
    tables.append(Table(f"{BUCKETS}_g{s}", f"{BUCKETS}_g{t}", "prefix", ("prefix", "entries")))
    if source.has_prints and target.has_prints:
        tables.append(Table(f"{PRINTS}_g{s}", f"{PRINTS}_g{t}", "prefix", ("prefix", "entries")))
    if source.has_anchors and target.has_anchors:
        tables.append(Table(f"{ANCHORS}_g{s}", f"{ANCHORS}_g{t}", "prefix", ("prefix", "entries")))
    tables.append(Table(f"terms_g{s}", f"terms_g{t}", "term", ("term", "df")))
    if source.table_exists("jobs"):
        target.ensure_jobs_schema()
        tables.append(Table("jobs", "jobs", "id", (
            "id", "name", "data", "metadata", "no_index", "state", "attempts", "lease_owner", "lease_expires", "error",
            "report_html", "report_json", "doc_id", "similarity", "created_at", "finished_at", "sha256")))
    return tables


def migrate(source: SQLStore, target: SQLStore, *, batch: int = 500,
            progress: Callable[[str, int, int], None] | None = None) -> MigrationSummary:
    """Copy ``source`` into ``target`` (opened with the source's index parameters).
    ``progress(table, rows done, rows in all)`` is called after each batch."""
    source.refresh()
    target.refresh()
    if source.params != target.params:
        raise StoreError(f"{target.location} was built with other index parameters than {source.location}")
    started = target.meta(MIGRATED_FROM)
    if started is None and (target.document_count() or (target.table_exists("jobs") and target.job_statuses())):
        raise StoreError(f"{target.location} already holds a corpus; migrate into an empty database")
    if started is not None and started != source.location:
        raise StoreError(f"{target.location} holds a migration from {started}, not from {source.location}")
    with target.transaction():
        target.set_meta(MIGRATED_FROM, source.location)
    summary = MigrationSummary()
    for table in tables_to_copy(source, target):
        summary.copied[table.target] = _copy_table(source, target, table, batch, progress)
    with target.transaction():
        counter = source.meta(f"next_passage_g{source.generation}")
        if counter is not None:
            target.set_meta(f"next_passage_g{target.generation}", counter)
        target.after_bulk_load()
    summary.documents = target.document_count()
    summary.jobs = len(target.job_statuses()) if target.table_exists("jobs") else 0
    return summary


def _copy_table(source: SQLStore, target: SQLStore, table: Table, batch: int, progress) -> int:
    columns = ", ".join(table.columns)
    total = source._q(f"SELECT COUNT(*) FROM {table.source}").fetchone()[0]
    # Both backends compare keys byte by byte: text in PostgreSQL's "C" collation, as SQLite's BINARY.
    last = target._q(f"SELECT MAX({target.key_order(table.key)}) FROM {table.target}").fetchone()[0]
    done = source._q(f"SELECT COUNT(*) FROM {table.source} WHERE {table.key} <= ?", [last]).fetchone()[0] \
        if last is not None else 0
    copied = 0
    while True:
        if last is None:
            rows = source._q(f"SELECT {columns} FROM {table.source} ORDER BY {table.key} LIMIT ?", [batch]).fetchall()
        else:
            rows = source._q(f"SELECT {columns} FROM {table.source} WHERE {table.key} > ? ORDER BY {table.key} "
                             "LIMIT ?", [last, batch]).fetchall()
        if not rows:
            return copied
        with target.transaction():
            target.bulk_insert(table.target, list(table.columns), rows)
        last = rows[-1][table.columns.index(table.key)]
        copied += len(rows)
        done += len(rows)
        if progress:
            progress(table.target, done, total)
