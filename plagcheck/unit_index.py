"""The semantic candidate step's ANN index: faiss IVF-RaBitQ over the corpus's static units.

Without it, a check compares each of its ~3,000 units with every corpus unit (sign codes,
:func:`plagcheck.semantic.search`): about 19 ms of CPU per checked unit per million corpus units,
so ~10 minutes at 10,000 theses. The index cuts each language's units into about
``2 * sqrt(units)`` inverted lists (spherical k-means on the units' own vectors) and a check
searches only the ``nprobe`` lists nearest each of its units. Inside a list, units are compared
by RaBitQ codes (one bit a dimension plus two corrections; ~70 bytes a unit with its id; faiss's
fast-scan layout, three times cheaper than the plain one for the same answers), whose
inner-product estimate ranks far better than the Hamming distance of sign codes: on real static
vectors (benchmarks/README.md) the index finds more true translation sources than the flat
sign-code scan it replaces. Its shortlist is rescored with the stored int8 vectors, as the flat
scan's is.

**With the corpus generation.** ``plagcheck reindex --full`` builds the index of the generation it
builds, before swapping it in: it is stored with that generation (``Store.put_unit_index``, keyed
by generation, lexicon and language) and dropped with it, so a check always reads the index of the
generation its read snapshot is on. The nightly incremental ``reindex`` builds one when the
generation has none and the corpus has ``UNIT_INDEX_MIN_UNITS`` units, and rebuilds it when more
than ``UNIT_INDEX_STALE_SHARE`` of its units, or ``UNIT_INDEX_STALE_UNITS`` units, changed since.

**Between builds nothing is missed.** The index's directory names the documents it holds and
their content hashes. A check searches the index for the documents that still have that content,
and scans flat the others that have units (added since the build, or replaced): a small delta.
Units of documents removed or replaced since the build are kept out of the index's answers by an
ID selector.

**Memory stays flat.** Each language's index is stored as shards of at most ``SHARD_UNITS``
units (documents in id order), each a whole faiss index with the language's one set of trained
lists, so the shards' answers are merged by the same estimate. A process keeps the last index it
loaded (the worker's, the check service's) in memory while it is at most
``UNIT_INDEX_MEMORY_MB``; a larger one is read shard by shard at every check (a few seconds at
10,000 theses), so neither a check nor a build holds more than a shard of each language.
"""

from __future__ import annotations

import io
import json
import logging
import math
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from plagcheck import defaults

log = logging.getLogger(__name__)
DIRECTORY = -1           # the key of the directory blob; a language code keys that language's index
UNIT_BITS = 24           # a unit's id in the index: doc_id << UNIT_BITS | its index in the document
CHUNK = 16 << 20         # bytes a stored row of the index holds
MAX_LISTS = 16384
SHARD_UNITS = 1_000_000  # units of one language a stored shard holds at most (~70 MB)
SHARD_KEYS = 1000        # a shard's key: language code * SHARD_KEYS + its number
QUERY_BLOCK = 256        # checked units searched at once (faiss's lookup tables for 3,000 took 300 MB)
TRAIN_PER_LIST = 64      # k-means training units per list (faiss wants at least 39)


@dataclass
class UnitIndex:
    """An index of the live generation: its directory, and its shards if they are kept in memory."""

    generation: int
    model: str
    token: str                   # which build (a rebuild of the same generation has another)
    documents: dict[int, str]    # doc id -> content hash of the text its units came from
    units: dict[int, int]        # doc id -> how many units it holds
    shards: dict[int, list[int]]  # language code -> its shards' keys
    resident: dict[int, object]  # shard key -> faiss IndexIVFRaBitQFastScan, when kept in memory

    def shortlist(self, store, queries: np.ndarray, k: int, nprobe: int,
                  skip: Iterable[int] = ()) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """For each language, ``(doc, unit)``: the ids of the ``k`` corpus units nearest each
        row of ``queries`` (unit vectors) by the index's estimate, ``(q, k)`` each, -1 where there
        is none. No unit of the documents in ``skip`` is returned. Shards not in memory are read
        from ``store`` (its read snapshot: the generation this index is of), one at a time."""
        import faiss

        skipped = [(d << UNIT_BITS) + np.arange(self.units[d], dtype=np.int64) for d in set(skip) if d in self.units]
        selector = faiss.IDSelectorNot(faiss.IDSelectorBatch(np.concatenate(skipped))) if skipped else None
        x = np.ascontiguousarray(queries, dtype=np.float32)
        out = {}
        for language, keys in self.shards.items():
            scores = np.full((len(x), 0), -np.inf, dtype=np.float32)
            ids = np.full((len(x), 0), -1, dtype=np.int64)
            for key in keys:
                index = self.resident.get(key)
                if index is None:
                    index = _read_index(store, self.generation, self.model, key)
                params = faiss.SearchParametersIVF(nprobe=min(nprobe, index.nlist))
                if selector is not None:
                    params.sel = selector
                found = [index.search(x[i:i + QUERY_BLOCK], k, params=params) for i in range(0, len(x), QUERY_BLOCK)]
                found_scores = np.concatenate([f[0] for f in found]) if found else np.zeros((0, k), np.float32)
                found_ids = np.concatenate([f[1] for f in found]) if found else np.zeros((0, k), np.int64)
                del index, found
                scores = np.concatenate([scores, np.where(found_ids >= 0, found_scores, -np.inf)], axis=1)
                ids = np.concatenate([ids, found_ids], axis=1)
                keep = np.argsort(-scores, axis=1, kind="stable")[:, :k]  # inner products: the largest
                scores, ids = np.take_along_axis(scores, keep, axis=1), np.take_along_axis(ids, keep, axis=1)
            found = ids >= 0
            out[language] = (np.where(found, ids >> UNIT_BITS, -1), np.where(found, ids & ((1 << UNIT_BITS) - 1), -1))
        return out


@dataclass(frozen=True)
class BuildSummary:
    """What :func:`build_unit_index` built."""

    generation: int
    documents: int
    units: int
    lists: dict[str, int]   # language -> inverted lists
    bytes: int              # stored
    seconds: float


def lists_for(units: int) -> int:
    """Inverted lists for ``units`` units of one language: the power of two nearest
    ``2 * sqrt(units)``, with at least ``TRAIN_PER_LIST`` units each, at most ``MAX_LISTS``.

    >>> [lists_for(n) for n in (100, 5_000, 60_000, 1_000_000, 10_000_000)]
    [1, 78, 512, 2048, 8192]
    """
    nearest = 2 ** round(math.log2(max(2 * math.sqrt(units), 1)))
    return int(max(1, min(nearest, MAX_LISTS, units // TRAIN_PER_LIST)))


def build_unit_index(store, model: str, generation: int | None = None,
                     min_units: int = defaults.UNIT_INDEX_MIN_UNITS,
                     progress: Callable[[str, int, int], None] | None = None) -> BuildSummary | None:
    """Build ``model``'s index over the units of every document that has them and store it for
    ``generation`` (default: the live one), replacing any earlier one; None (nothing stored, an
    earlier index of the generation dropped) when there are fewer than ``min_units`` units.

    Reads the stored units three times, ``batch`` documents at a time: their languages, a random
    sample to train each language's lists, and everything to add, a shard per language at a time
    (full shards wait in a temporary folder, then all are stored in one transaction).
    ``progress(stage, done, total)`` follows the documents.
    """
    import tempfile

    import faiss

    from plagcheck.semantic import SentenceSet

    generation = store.generation if generation is None else int(generation)
    started = time.perf_counter()
    documents = {d: h for d, (h, _) in store.sentence_documents(model).items()}
    languages: dict[int, np.ndarray] = {}
    for rows in store.sentence_heads(model):
        for doc_id, head in rows:
            if doc_id in documents:
                languages[doc_id] = SentenceSet.from_bytes(head).languages.copy()
        if progress:
            progress("languages", len(languages), len(documents))
    documents = {d: h for d, h in documents.items() if d in languages}
    counts = np.bincount(np.concatenate([np.zeros(0, np.uint8), *languages.values()]).astype(np.int64))
    total = int(counts.sum())
    if total < max(min_units, 1):
        with store.transaction():
            store.delete_unit_index(generation, model)
        log.info("ANN index of %s: %d units, fewer than %d: none built (the flat scan serves)", model, total, min_units)
        return None
    rng = np.random.default_rng(generation)
    lists = {c: lists_for(int(n)) for c, n in enumerate(counts) if n}
    sample = {c: _mask(int(counts[c]), TRAIN_PER_LIST * n, rng) for c, n in lists.items()}
    trained: dict[int, list[np.ndarray]] = {c: [] for c in lists}
    spill = tempfile.TemporaryDirectory(prefix="plagcheck-unit-index-")
    shards: dict[int, list[int]] = {c: [] for c in lists}  # language -> keys of the shards written
    current: dict[int, object] = {}  # language -> the shard being filled

    def close_shard(c: int) -> None:
        key = c * SHARD_KEYS + len(shards[c])
        faiss.write_index(current.pop(c), str(Path(spill.name) / str(key)))
        shards[c].append(key)

    for stage in ("sample", "add"):
        if stage == "add":
            empty = {c: _trained(np.concatenate(trained.pop(c)), lists[c]) for c in list(trained)}
        at = {c: 0 for c in lists}  # each language's units seen so far, in document order
        done = 0
        for rows in store.sentence_rows(model):
            for doc_id, head, vectors in rows:
                if doc_id not in documents:
                    continue
                mine = languages[doc_id]
                matrix = np.frombuffer(vectors, np.int8).reshape(len(mine), -1)
                for c in np.unique(mine).tolist():
                    rows_c = np.flatnonzero(mine == c)
                    if stage == "sample":
                        keep = sample[c][at[c]:at[c] + len(rows_c)]
                        if keep.any():
                            trained[c].append(_unit_vectors(matrix[rows_c[keep]]))
                    else:
                        if c not in current:
                            current[c] = faiss.clone_index(empty[c])
                        current[c].add_with_ids(_unit_vectors(matrix[rows_c]),
                                                (np.int64(doc_id) << UNIT_BITS) + rows_c.astype(np.int64))
                        if current[c].ntotal >= SHARD_UNITS:
                            close_shard(c)
                    at[c] += len(rows_c)
            done += len(rows)
            if progress:
                progress(stage, done, len(documents))
    for c in list(current):
        close_shard(c)
    shard_bytes = sum((Path(spill.name) / str(k)).stat().st_size for keys in shards.values() for k in keys)
    ids = np.array(sorted(documents), dtype=np.int64)
    directory = _directory_bytes({"token": uuid.uuid4().hex, "model": model, "generation": generation,
                                  "lists": {str(c): n for c, n in lists.items()},
                                  "shards": {str(c): keys for c, keys in shards.items()}, "bytes": shard_bytes},
                                 ids, np.array([len(languages[d]) for d in ids.tolist()], dtype=np.int64),
                                 np.array([documents[d] for d in ids.tolist()], dtype="S"))
    stored = len(directory) + shard_bytes
    with spill, store.transaction():
        store.delete_unit_index(generation, model)
        for key in sorted(k for keys in shards.values() for k in keys):
            store.put_unit_index(generation, model, key, _file_chunks(Path(spill.name) / str(key)))
        store.put_unit_index(generation, model, DIRECTORY, [directory])
    summary = BuildSummary(generation, len(documents), total,
                           {_language_name(c): n for c, n in lists.items()}, stored,
                           round(time.perf_counter() - started, 2))
    log.info("ANN index of %s, generation %d: %d units of %d documents, lists %s, %d bytes, %.1f s", model,
             generation, total, len(documents), summary.lists, stored, summary.seconds)
    return summary


@dataclass(frozen=True)
class IndexState:
    """How well the live generation's index covers the corpus's units."""

    built: bool
    held_units: int    # units of documents the index holds with their current content
    stale_units: int   # units in the index of documents removed or replaced since
    delta_units: int   # units the index does not hold (scanned flat by every check)


def index_state(store, model: str) -> IndexState:
    """:class:`IndexState` of the live generation's index (reads its directory, not the index)."""
    live = store.sentence_documents(model)
    directory = read_directory(store, store.generation, model)
    if directory is None:
        return IndexState(False, 0, 0, sum(n for _, n in live.values()))
    _, documents, units = directory
    held = held_documents(documents, live)
    return IndexState(True, sum(units[d] for d in held), sum(units[d] for d in set(documents) - held),
                      sum(n for d, (_, n) in live.items() if d not in held))


def held_documents(indexed: dict[int, str], live: dict[int, tuple[str, int]]) -> set[int]:
    """The documents an index holds that still have the content it was built from (``live``:
    ``Store.sentence_documents``); every other document with units is the flat scan's."""
    return {d for d, h in indexed.items() if d in live and live[d][0] == h}


def ensure_unit_index(store, model: str, min_units: int = defaults.UNIT_INDEX_MIN_UNITS,
                      stale_share: float = defaults.UNIT_INDEX_STALE_SHARE,
                      stale_units: int = defaults.UNIT_INDEX_STALE_UNITS) -> BuildSummary | None:
    """Build the live generation's index if it has none (and the corpus ``min_units`` units), or
    rebuild it when the units added, removed or replaced since it was built exceed
    ``stale_share`` of those it holds or ``stale_units`` (every check scans them flat); None when
    nothing was built."""
    store.refresh()
    state = index_state(store, model)
    if state.built and state.delta_units + state.stale_units <= min(stale_share * state.held_units, stale_units):
        return None
    if not state.built and state.delta_units < max(min_units, 1):
        return None
    return build_unit_index(store, model, store.generation, min_units=min_units)


def read_directory(store, generation: int, model: str) -> tuple[dict, dict[int, str], dict[int, int]] | None:
    """The stored directory of ``model``'s index of ``generation``: (its metadata, doc id ->
    content hash, doc id -> units); None if there is no index."""
    blob = b"".join(store.unit_index_chunks(generation, model, DIRECTORY))
    if not blob:
        return None
    data = np.load(io.BytesIO(blob))
    ids = data["ids"].tolist()
    return (json.loads(str(data["meta"])), dict(zip(ids, (h.decode() for h in data["hashes"].tolist()))),
            dict(zip(ids, data["units"].tolist())))


_LOADED: dict[tuple, UnitIndex] = {}
_LOCK = threading.Lock()


def load_unit_index(store, model: str, memory_mb: int = defaults.UNIT_INDEX_MEMORY_MB) -> UnitIndex | None:
    """The live generation's index of ``model``, or None. The process keeps the last one loaded
    (one at a time: a new generation's replaces it), with its shards in memory if they take at
    most ``memory_mb`` MB (else every search reads them), and reads only its directory while it
    is current."""
    generation = store.generation
    directory = read_directory(store, generation, model)
    if directory is None:
        return None
    meta, documents, units = directory
    key = (store.location, generation, model)
    with _LOCK:
        cached = _LOADED.get(key)
        if cached is not None and cached.token == meta["token"]:
            return cached
        _LOADED.clear()  # before loading the next: one index in memory, not two
        shards = {int(c): keys for c, keys in meta["shards"].items()}
        loaded = UnitIndex(generation, model, meta["token"], documents, units, shards, {})
        if meta["bytes"] <= memory_mb << 20:
            started = time.perf_counter()
            loaded.resident = {k: _read_index(store, generation, model, k) for keys in shards.values() for k in keys}
            log.info("loaded the ANN index of %s, generation %d (%d units) in %.1f s", model, generation,
                     sum(i.ntotal for i in loaded.resident.values()), time.perf_counter() - started)
        _LOADED[key] = loaded
        return loaded


def _read_index(store, generation: int, model: str, key: int):
    """One stored shard, streamed from its chunks into faiss."""
    import faiss

    return faiss.read_index(faiss.PyCallbackIOReader(_ChunkReader(store.unit_index_chunks(generation, model, key))))


def _file_chunks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            yield chunk


class _ChunkReader:
    """faiss's reader callback over the stored chunks of one blob: ``read(n)`` gives the next
    ``n`` bytes (fewer at the end)."""

    def __init__(self, chunks: Iterator[bytes]):
        self.chunks = iter(chunks)
        self.current = b""
        self.at = 0

    def __call__(self, n: int) -> bytes:
        parts = []
        while n > 0:
            if self.at >= len(self.current):
                self.current, self.at = next(self.chunks, b""), 0
                if not self.current:
                    break
            piece = self.current[self.at:self.at + n]
            self.at += len(piece)
            n -= len(piece)
            parts.append(piece)
        return b"".join(parts)


def _trained(sample: np.ndarray, lists: int):
    """An empty IVF-RaBitQ index (inner product, fast-scan layout) whose lists are trained on ``sample``."""
    import faiss

    d = sample.shape[1]
    index = faiss.IndexIVFRaBitQFastScan(faiss.IndexFlatIP(d), d, lists, faiss.METRIC_INNER_PRODUCT)
    index.cp.spherical = True   # unit vectors: centroids on the sphere, assigned by inner product
    index.cp.niter = 12
    index.cp.min_points_per_centroid = 1  # a language with few units gets few lists: no warning on stderr
    index.train(sample)
    return index


def _unit_vectors(int8: np.ndarray) -> np.ndarray:
    """Stored int8 rows as unit-length float32 (what the flat scan rescores with)."""
    x = int8.astype(np.float32)
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-6)
    return x


def _mask(n: int, size: int, rng: np.random.Generator) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    mask[rng.choice(n, min(n, size), replace=False)] = True
    return mask


def _directory_bytes(meta: dict, ids: np.ndarray, units: np.ndarray, hashes: np.ndarray) -> bytes:
    out = io.BytesIO()
    np.savez(out, meta=np.array(json.dumps(meta)), ids=ids, units=units, hashes=hashes)
    return out.getvalue()


def _language_name(code: int) -> str:
    from plagcheck.semantic import LANGUAGES

    return LANGUAGES[code] if code < len(LANGUAGES) else "other"
