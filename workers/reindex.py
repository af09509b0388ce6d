"""The nightly reindex.

Incremental (default): re-read each corpus document's file whose size, modification or change
time changed since it was read (every file with ``verify``, e.g. after an extractor upgrade);
unchanged content is skipped, changed content replaces the old entry, missing files are dropped
only when asked; new files under the given folders are added. Theses that came through the job
queue are kept as submitted (their bytes were the submission; the file they were read from may
be gone, or a zip member).

Full: rebuild the whole index with (possibly new) parameters into a new generation of tables
beside the live one, then swap it in with one transaction. Checks keep reading the old
generation until the swap; a crash mid-rebuild leaves it untouched (the half-built generation
is dropped by the next full reindex).

One reindex at a time: both kinds hold the store's reindex lock, so a second one refuses to start
while the first runs, and a killed one does not block the next (SQLite: a lock row naming the
process; PostgreSQL: an advisory lock, which works across machines).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from plagcheck.errors import ExtractionError
from plagcheck.extract import extract
from plagcheck.index import analyze, anchor_prints, content_hash, document_prints, index_document
from plagcheck import defaults, jobs
from plagcheck.ingest import add_files, file_stamp, prepare_document, remove_document, store_prepared
from plagcheck.normalize import tokenize
from plagcheck.semantic import default_lexicon, index_missing_units
from plagcheck.settings import IndexParams
from plagcheck.storage import METADATA_FIELDS, Store

log = logging.getLogger(__name__)
BATCH = 20  # documents per transaction while building a generation


@dataclass
class ReindexSummary:
    """What a reindex did; ``unchanged`` includes theses kept as submitted through the queue."""

    unchanged: int = 0
    replaced: int = 0
    dropped: int = 0
    added: int = 0
    missing: list[str] = field(default_factory=list)
    # Missing files not dropped although --drop-missing asked: too many at once (an unmounted
    # share?) without --force. The CLI lists them and exits 1.
    drop_refused: bool = False
    # Relative paths stored by plagcheck < 0.3 that cannot be found from here: kept, never dropped.
    unresolved: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    generation: int | None = None
    documents: int = 0
    units_indexed: int = 0  # documents given the semantic layer's static units (added before it existed)
    unit_index: object = None  # the semantic layer's ANN index, if this run built one (unit_index.BuildSummary)


def reindex_incremental(store: Store, paths=(), *, drop_missing: bool = False, verify: bool = False,
                        force: bool = False, progress: Callable[[str], None] | None = None,
                        unit_index_min_units: int = defaults.UNIT_INDEX_MIN_UNITS) -> ReindexSummary:
    """Bring the corpus in line with the files on disk (see the module docstring), then build the
    semantic layer's ANN index if the live generation has none or it has gone stale
    (:func:`plagcheck.unit_index.ensure_unit_index`; ``unit_index_min_units``: from how many units).

    ``drop_missing`` drops documents whose file is gone, unless more than
    ``defaults.DROP_MISSING_MAX_SHARE`` of the corpus would go in one run (the theses share not
    mounted, say): then nothing is dropped and ``summary.drop_refused`` is set, unless ``force``.
    """
    with store.reindex_lock():
        summary = _incremental(store, paths, drop_missing, verify, force, progress)
        lexicon = default_lexicon()
        if lexicon is not None:
            from plagcheck.unit_index import ensure_unit_index

            summary.unit_index = ensure_unit_index(store, lexicon.name, unit_index_min_units)
        return summary


def _incremental(store: Store, paths, drop_missing: bool, verify: bool, force: bool, progress) -> ReindexSummary:
    summary = ReindexSummary()
    submitted = jobs.submitted_documents(store)
    stamps = store.file_stamps()
    documents = store.documents()
    own_files = [doc for doc in documents if doc.id not in submitted]
    summary.unresolved = [doc.path for doc in own_files if not Path(doc.path).is_absolute()]
    missing = {doc.id for doc in own_files if Path(doc.path).is_absolute() and not Path(doc.path).exists()}
    if drop_missing and not force and len(missing) > defaults.DROP_MISSING_MAX_SHARE * len(documents):
        summary.drop_refused = True
        drop_missing = False
    for doc in documents:
        if doc.id in submitted or not Path(doc.path).is_absolute():
            summary.unchanged += 1
            continue
        path = Path(doc.path)
        if doc.id in missing:
            summary.missing.append(doc.path)
            if drop_missing:
                with store.transaction():
                    store.refresh()
                    remove_document(store, doc.id)
                summary.dropped += 1
            continue
        stamp = file_stamp(path)  # taken before reading: a file changed while read is read again next time
        if not verify and stamp is not None and stamps.get(doc.id) == stamp:
            summary.unchanged += 1  # judged as rsync and make do: extraction is the costly part
            continue
        try:
            document = extract(path)
        except ExtractionError as error:
            summary.failed.append((doc.path, error.reason))
            continue
        if content_hash(document.text) == doc.content_hash:
            if stamp is not None:
                with store.transaction():
                    store.set_file_stamp(doc.id, stamp)
            summary.unchanged += 1
            continue
        metadata = {**doc.extra, **{k: getattr(doc, k) for k in METADATA_FIELDS}}  # kept across the re-read
        try:
            prepared = prepare_document(document, store.params, metadata)
        except ExtractionError as error:  # the file was emptied: keep the old version, say why
            summary.failed.append((doc.path, error.reason))
            continue
        store_prepared(store, replace(prepared, file_stamp=stamp), replaces=doc.id)  # old out, new in: one transaction
        summary.replaced += 1
        if progress:
            progress(doc.path)
    known = {d.path for d in store.documents()}
    new_files = [p for p in _files(paths) if os.path.abspath(p) not in known]
    for outcome in add_files(store, new_files):
        if outcome.status == "added":
            summary.added += 1
        elif outcome.status == "failed":
            summary.failed.append((outcome.path, outcome.reason))
    summary.units_indexed = index_missing_units(store)
    summary.documents = store.document_count()
    summary.generation = store.generation
    return summary


def _files(paths):
    from plagcheck.ingest import iter_files

    return list(iter_files(paths)) if paths else []


def reindex_full(store: Store, params: IndexParams | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 unit_index_min_units: int = defaults.UNIT_INDEX_MIN_UNITS) -> ReindexSummary:
    """Rebuild the index with ``params`` (default: the current ones) and the semantic layer's ANN
    index over the corpus units (from ``unit_index_min_units`` units on), and swap them in atomically."""
    with store.reindex_lock():
        return _full(store, params or store.params, progress, unit_index_min_units)


def _full(store: Store, params: IndexParams, progress, unit_index_min_units: int) -> ReindexSummary:
    current, new = store.start_generation()
    done: set[int] = set()
    ids = [d.id for d in store.documents()]
    for start in range(0, len(ids), BATCH):
        batch = ids[start:start + BATCH]
        rows = [(doc_id, _index_rows(store, doc_id, params)) for doc_id in batch]
        with store.transaction():
            for doc_id, (passages, keys, words, prints, anchors) in rows:
                store.insert_index_rows(doc_id, passages, keys, words, generation=new, prints=prints, anchors=anchors)
        done.update(batch)
        if progress:
            progress(len(done), len(ids))
    # The ANN index of the new generation, over every document's units (documents added from
    # here on are the flat scan's delta until the next build).
    units_indexed = index_missing_units(store)
    unit_index = None
    lexicon = default_lexicon()
    if lexicon is not None:
        from plagcheck.unit_index import build_unit_index

        unit_index = build_unit_index(store, lexicon.name, new, min_units=unit_index_min_units)
    # Documents added while we built: index them inside the swap transaction so none is lost
    # (it holds off other writers of the index until it commits).
    with store.transaction():
        store.lock_index_writes()
        for doc in store.documents():
            if doc.id not in done:
                passages, keys, words, prints, anchors = _index_rows(store, doc.id, params)
                store.insert_index_rows(doc.id, passages, keys, words, generation=new, prints=prints, anchors=anchors)
        store.swap_generation(current, new, params)
    store.refresh()
    log.info("full reindex: generation %d -> %d with %s", current, new, params.to_dict())
    return ReindexSummary(replaced=len(ids), generation=new, documents=store.document_count(),
                          units_indexed=units_indexed + index_missing_units(store), unit_index=unit_index)


def _index_rows(store: Store, doc_id: int, params: IndexParams):
    text = store.document_text(doc_id)
    analysis = analyze(tokenize(text), params)
    passages, keys = index_document(analysis, params)
    return (passages, keys, analysis.stems, document_prints(analysis, passages, params),
            anchor_prints(text, analysis.tokens, passages))
