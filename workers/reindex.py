"""The nightly reindex.

Incremental (default): re-read each corpus document's file; unchanged content is skipped, changed
content replaces the old entry, missing files are dropped only when asked; new files under the
given folders are added. Full: rebuild the whole index with (possibly new) parameters into a new
generation of tables beside the live one, then swap it in with one transaction. Checks keep
reading the old generation until the swap; a crash mid-rebuild leaves it untouched (the
half-built generation is dropped by the next full reindex).
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from plagcheck.errors import ExtractionError, StoreError
from plagcheck.extract import extract
from plagcheck.index import analyze, content_hash, index_document
from plagcheck.ingest import add_document, add_files
from plagcheck.normalize import stems, tokenize
from plagcheck.settings import IndexParams
from plagcheck.store import Store

log = logging.getLogger(__name__)
LOCK_KEY = "reindex_lock"
BATCH = 20  # documents per transaction while building a generation


@dataclass
class ReindexSummary:
    unchanged: int = 0
    replaced: int = 0
    dropped: int = 0
    added: int = 0
    missing: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    generation: int | None = None
    documents: int = 0


def _document_stems(store: Store, doc_id: int, prefix: int) -> list[str]:
    return stems(tokenize(store.document_text(doc_id)), prefix)


def _remove(store: Store, doc_id: int) -> None:
    """Delete a document and its index rows (inside the caller's transaction)."""
    store.delete_index_rows(doc_id, _document_stems(store, doc_id, store.params.stem_prefix))
    store.delete_document(doc_id)


def reindex_incremental(store: Store, paths=(), *, drop_missing: bool = False,
                        progress: Callable[[str], None] | None = None) -> ReindexSummary:
    """Bring the corpus in line with the files on disk (see the module docstring)."""
    summary = ReindexSummary()
    for doc in store.documents():
        path = Path(doc.path)
        if not path.exists():
            summary.missing.append(doc.path)
            if drop_missing:
                with store.transaction():
                    _remove(store, doc.id)
                summary.dropped += 1
            continue
        try:
            document = extract(path)
        except ExtractionError as error:
            summary.failed.append((doc.path, error.reason))
            continue
        if content_hash(document.text) == doc.content_hash:
            summary.unchanged += 1
            continue
        metadata = {k: getattr(doc, k) for k in ("title", "author", "year", "department", "language")}
        with store.transaction():
            _remove(store, doc.id)
        add_document(store, document, metadata)
        summary.replaced += 1
        if progress:
            progress(doc.path)
    known = {d.path for d in store.documents()}
    new_files = [p for p in _files(paths) if str(p) not in known]
    for outcome in add_files(store, new_files):
        if outcome.status == "added":
            summary.added += 1
        elif outcome.status == "failed":
            summary.failed.append((outcome.path, outcome.reason))
    summary.documents = store.document_count()
    summary.generation = store.generation
    return summary


def _files(paths):
    from plagcheck.ingest import iter_files

    return list(iter_files(paths)) if paths else []


def _take_lock(store: Store) -> None:
    with store.transaction():
        holder = store.meta(LOCK_KEY)
        if holder and _alive(int(holder)) and int(holder) != os.getpid():
            raise StoreError(f"another full reindex (process {holder}) is running on {store.path}")
        store.set_meta(LOCK_KEY, str(os.getpid()))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reindex_full(store: Store, params: IndexParams | None = None,
                 progress: Callable[[int, int], None] | None = None) -> ReindexSummary:
    """Rebuild the index with ``params`` (default: the current ones) and swap it in atomically."""
    params = params or store.params
    _take_lock(store)
    try:
        current = store.generation
        with store.transaction():
            for leftover in store.index_generations():  # crash leftovers of earlier rebuilds
                if leftover != current:
                    store.drop_index_tables(leftover)
            new = max([current, *store.index_generations()]) + 1
            store.create_index_tables(new)
        delay = float(os.environ.get("PLAGCHECK_REINDEX_TEST_DELAY", "0"))  # lets tests kill it mid-build
        done: set[int] = set()
        ids = [d.id for d in store.documents()]
        for start in range(0, len(ids), BATCH):
            batch = ids[start:start + BATCH]
            rows = [(doc_id, _index_rows(store, doc_id, params)) for doc_id in batch]
            with store.transaction():
                for doc_id, (passages, keys, words) in rows:
                    store.insert_index_rows(doc_id, passages, keys, words, generation=new)
            done.update(batch)
            if progress:
                progress(len(done), len(ids))
            if delay:
                time.sleep(delay)
        # Documents added while we built: index them inside the swap transaction so none is lost.
        with store.transaction():
            for doc in store.documents():
                if doc.id not in done:
                    passages, keys, words = _index_rows(store, doc.id, params)
                    store.insert_index_rows(doc.id, passages, keys, words, generation=new)
            store.set_meta("generation", str(new))
            store.set_meta("index_params", json.dumps(params.to_dict()))
            store.drop_index_tables(current)
        store.refresh()
        log.info("full reindex: generation %d -> %d with %s", current, new, params.to_dict())
        return ReindexSummary(replaced=len(ids), generation=new, documents=store.document_count())
    finally:
        with store.transaction():
            if store.meta(LOCK_KEY) == str(os.getpid()):
                store.db.execute("DELETE FROM meta WHERE key = ?", [LOCK_KEY])


def _index_rows(store: Store, doc_id: int, params: IndexParams):
    analysis = analyze(tokenize(store.document_text(doc_id)), params)
    passages, keys = index_document(analysis, params)
    return passages, keys, analysis.stems
