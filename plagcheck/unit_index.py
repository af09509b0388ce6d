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
than ``UNIT_INDEX_STALE_SHARE`` of its units changed since.

**Between builds nothing is missed.** The index's directory names the documents it holds and
their content hashes. A check searches the index for the documents that still have that content,
and scans flat the others that have units (added since the build, or replaced): a small delta.
Units of documents removed or replaced since the build are kept out of the index's answers by an
ID selector. A process keeps the last index it loaded (the worker's, the check service's), and
loads it again when a reindex stored another.
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

import numpy as np

from plagcheck import defaults

log = logging.getLogger(__name__)
DIRECTORY = -1           # the key of the directory blob; a language code keys that language's index
UNIT_BITS = 24           # a unit's id in the index: doc_id << UNIT_BITS | its index in the document
CHUNK = 16 << 20         # bytes a stored row of the index holds
MAX_LISTS = 16384
TRAIN_PER_LIST = 64      # k-means training units per list (faiss wants at least 39)


@dataclass
class UnitIndex:
    """A loaded index: one faiss index per language code, and the documents it holds."""

    generation: int
    model: str
    token: str                   # which build (a rebuild of the same generation has another)
    documents: dict[int, str]    # doc id -> content hash of the text its units came from
    units: dict[int, int]        # doc id -> how many units it holds
    indexes: dict[int, object]   # language code -> faiss IndexIVFRaBitQFastScan

    def shortlist(self, queries: np.ndarray, k: int, nprobe: int,
                  skip: Iterable[int] = ()) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """For each language, ``(doc, unit)``: the ids of the ``k`` corpus units nearest each
        row of ``queries`` (unit vectors) by the index's estimate, ``(q, k)`` each, -1 where there
        is none. No unit of the documents in ``skip`` is returned."""
        import faiss

        skipped = [(d << UNIT_BITS) + np.arange(self.units[d], dtype=np.int64) for d in set(skip) if d in self.units]
        selector = faiss.IDSelectorNot(faiss.IDSelectorBatch(np.concatenate(skipped))) if skipped else None
        x = np.ascontiguousarray(queries, dtype=np.float32)
        out = {}
        for language, index in self.indexes.items():
            params = faiss.SearchParametersIVF(nprobe=min(nprobe, index.nlist))
            if selector is not None:
                params.sel = selector
            _, ids = index.search(x, k, params=params)
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
    sample to train each language's lists, and everything to add. ``progress(stage, done, total)``
    follows the documents.
    """
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
    for stage in ("sample", "add"):
        if stage == "add":
            indexes = {c: _trained(np.concatenate(trained.pop(c)), lists[c]) for c in list(trained)}
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
                        indexes[c].add_with_ids(_unit_vectors(matrix[rows_c]),
                                                (np.int64(doc_id) << UNIT_BITS) + rows_c.astype(np.int64))
                    at[c] += len(rows_c)
            done += len(rows)
            if progress:
                progress(stage, done, len(documents))
    ids = np.array(sorted(documents), dtype=np.int64)
    directory = _directory_bytes({"token": uuid.uuid4().hex, "model": model, "generation": generation,
                                  "lists": {str(c): n for c, n in lists.items()}},
                                 ids, np.array([len(languages[d]) for d in ids.tolist()], dtype=np.int64),
                                 np.array([documents[d] for d in ids.tolist()], dtype="S"))
    stored = len(directory)
    with store.transaction():
        store.delete_unit_index(generation, model)
        for c in list(indexes):
            blob = faiss.serialize_index(indexes.pop(c))
            stored += blob.nbytes
            store.put_unit_index(generation, model, c, (blob[i:i + CHUNK].tobytes() for i in range(0, blob.nbytes, CHUNK)))
            del blob
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
                      stale_share: float = defaults.UNIT_INDEX_STALE_SHARE) -> BuildSummary | None:
    """Build the live generation's index if it has none (and the corpus ``min_units`` units), or
    rebuild it when the units added, removed or replaced since it was built exceed
    ``stale_share`` of those it holds; None when nothing was built."""
    store.refresh()
    state = index_state(store, model)
    if state.built and state.delta_units + state.stale_units <= stale_share * state.held_units:
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


def load_unit_index(store, model: str) -> UnitIndex | None:
    """The live generation's index of ``model``, or None. The process keeps the last one loaded
    (one at a time: a new generation's replaces it) and reads only its directory while it is
    current."""
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
        import faiss

        started = time.perf_counter()
        indexes = {int(c): faiss.read_index(faiss.PyCallbackIOReader(_ChunkReader(
                       store.unit_index_chunks(generation, model, int(c))))) for c in meta["lists"]}
        loaded = UnitIndex(generation, model, meta["token"], documents, units, indexes)
        _LOADED[key] = loaded
        log.info("loaded the ANN index of %s, generation %d (%d units) in %.1f s", model, generation,
                 sum(i.ntotal for i in indexes.values()), time.perf_counter() - started)
        return loaded


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
