"""The semantic layer: translations (kk ↔ ru ↔ en) and paraphrases, sentence by sentence.

Lexical detectors (MinHash passages, short fingerprints) cannot see a page translated from a
Russian source into Kazakh. This stage compares *meanings*: every sentence is embedded by a
multilingual model (:mod:`plagcheck.embed`), and a sentence of the checked text is aligned with a
corpus sentence when their **margin score** is high:

    margin(x, y) = cos(x, y) / ((mean cos of x's k nearest corpus sentences
                                 + mean cos of y's k nearest checked sentences) / 2)

(the ratio margin of LASER bitext mining, k = 4). A fixed cosine threshold separates badly — a
translation scores 0.87–0.90, the best unrelated same-topic sentence as much — but a translation
stands out from its own neighbourhood, so one margin threshold (1.035) holds for every pair of
languages. Each side's neighbours come from the real search space (corpus sentences of that
language; the checked document's sentences) plus a bundled background of sentences per language
(``plagcheck/data/background-*.npz``), so that a small corpus gives the same scale.

A match is a **run** of at least 2 aligned sentences, consecutive in the checked text and in order
in the source (``max_run_gap`` sentences may be skipped on either side): real translations keep
their source's order, while two texts on one topic share a sentence's meaning here and there. A
sentence aligned alone needs a higher margin (1.10) and at least 8 words. A run then grows over
the sentences next to it whose pair with the next (previous) sentences of its source reaches a
margin of 1.0 (:func:`extend_runs`): a paraphrase or a loose translation keeps some sentences
only in part. A loose translation may also leave only one pair at 1.035 and the rest above 1.0,
so that no run forms: such a chain, if each side has 40 words or more, is embedded whole on each
side and kept when the two passages' margin reaches 1.06 (:func:`rescued_runs`; translations
only). A match that reaches the edge of what was embedded is grown on: the sentences past its
ends are embedded on both sides and aligned again, round after round (:func:`growth`), so that
one candidate unit of a translated page is enough to find the page. Matches are
``kind="translation"`` when the languages differ, ``"paraphrase"`` when
they agree, with the source sentences' language and sentence-exact character spans on both
sides. A sentence overlapping a lexical match is left to it.

**Cost, and the candidate step.** The transformer reads about 25 sentences a second on 2 cores:
embedding a corpus of 10,000 theses would take weeks. So the corpus side runs no model: every
document gets *static* unit vectors when it is added (:mod:`plagcheck.lexicon`: units of three
sentences, each the weighted mean of its words' vectors from a bundled lexicon of the model's
own vocabulary; milliseconds a thesis), stored in the format of embedded sentences
(``unit_vectors``). A check cuts its text into units starting at every sentence, finds each
one's nearest corpus units by sign code (faiss ``IndexBinaryFlat``, a batch of documents at a
time, so memory does not grow with the corpus) and int8 cosine, and keeps the pairs of at least
``candidate_min_cos`` (:func:`candidates`); a second channel adds the stretches that share
numbers and names with a corpus passage (:mod:`plagcheck.anchors`), which at corpus scale finds
sources the static vectors rank below the many texts on their topic. Only then does the
transformer embed — the checked sentences of the candidates and the candidate corpus
sentences — and the margin alignment above decides. A corpus whose sentences were embedded in advance
(``plagcheck reindex --semantic-minutes N``) lends their vectors instead of embedding them again.
Every check records how much of the corpus the candidate step covered (``corpus.semantic``).
"""

from __future__ import annotations

import hashlib
import logging
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from plagcheck import defaults
from plagcheck.anchors import anchor_hits
from plagcheck.embed import Embedder
from plagcheck.errors import StoreError
from plagcheck.joining import words_between
from plagcheck.lexicon import UNIT_SENTENCES, unit_spans
from plagcheck.language import detect_language
from plagcheck.models import Match, Tokens
from plagcheck.normalize import normalize
from plagcheck.sentences import Sentence, cut_long, split_sentences

log = logging.getLogger(__name__)
LANGUAGES = ("kk", "ru", "en")  # codes 0, 1, 2; 3 = other (a sentence of no clear language)
OTHER = 3
TRANSLATION, PARAPHRASE = "translation", "paraphrase"
DATA = Path(__file__).resolve().parent / "data"
KAZAKH_UNMARKED_WORDS = 8         # see sentence_language
HAMMING_SHORTLIST = 10           # sign-code neighbours rescored with the int8 vectors
CANDIDATE_PEERS = 4              # a candidate is ranked by how far it stands out from this many other neighbours
MAX_GROWTH_ROUNDS = 40           # rounds of embedding past a match's ends (each up to 6 sentences a side: ~10 pages)
_HEADER = struct.Struct("<II")   # sentences, dimension
Progress = Callable[[int, int], None]  # (done, total)


@dataclass(frozen=True)
class SentenceSet:
    """Embedded sentences of one text: spans, language codes, text hashes, sign codes, int8 vectors."""

    starts: np.ndarray     # int32 (n,)
    ends: np.ndarray       # int32 (n,)
    languages: np.ndarray  # uint8 (n,): index in LANGUAGES, or OTHER
    hashes: np.ndarray     # uint64 (n,): of the normalized sentence (the background is deduplicated by it)
    codes: np.ndarray      # uint8 (n, d / 8): sign bits of vector - its language's mean
    vectors: np.ndarray    # int8 (n, d): round(127 * vector)

    def __len__(self) -> int:
        return len(self.starts)

    def subset(self, rows: np.ndarray) -> SentenceSet:
        """The sentences at ``rows`` (indexes or a mask), in order."""
        return SentenceSet(self.starts[rows], self.ends[rows], self.languages[rows], self.hashes[rows],
                           self.codes[rows], self.vectors[rows])

    def rows(self) -> list[tuple]:
        """Each sentence's ``(language, hash, code, vector)``: what a cache keeps of it, its span aside."""
        return list(zip(self.languages, self.hashes, self.codes, self.vectors))

    @classmethod
    def from_rows(cls, spans: list[Sentence], rows: list[tuple]) -> SentenceSet:
        """The sentences at ``spans`` whose :meth:`rows` are ``rows``, in order."""
        return cls(np.array([s.start for s in spans], dtype=np.int32), np.array([s.end for s in spans], dtype=np.int32),
                   np.array([r[0] for r in rows], dtype=np.uint8), np.array([r[1] for r in rows], dtype=np.uint64),
                   np.stack([r[2] for r in rows]), np.stack([r[3] for r in rows]))

    def head_bytes(self) -> bytes:
        """Everything but the vectors: what a search scans (65 bytes a sentence at 384 dimensions)."""
        n, d = len(self), self.codes.shape[1] * 8
        return b"".join((_HEADER.pack(n, d), self.starts.astype("<i4").tobytes(), self.ends.astype("<i4").tobytes(),
                         self.languages.astype(np.uint8).tobytes(), self.hashes.astype("<u8").tobytes(),
                         self.codes.astype(np.uint8).tobytes()))

    def vector_bytes(self) -> bytes:
        """The int8 vectors, row after row: sentence ``j`` is bytes ``j * d`` to ``(j + 1) * d``."""
        return self.vectors.astype(np.int8).tobytes()

    @classmethod
    def from_bytes(cls, head: bytes, vectors: bytes | None = None) -> SentenceSet:
        """The set stored as :meth:`head_bytes` and :meth:`vector_bytes` (without vectors: an empty array)."""
        n, d = _HEADER.unpack_from(head)
        at = _HEADER.size
        parts = []
        for dtype, count in (("<i4", n), ("<i4", n), (np.uint8, n), ("<u8", n), (np.uint8, n * d // 8)):
            array = np.frombuffer(head, dtype, count, at)
            at += array.nbytes
            parts.append(array)
        matrix = np.frombuffer(vectors, np.int8).reshape(n, d) if vectors is not None else np.zeros((0, d), np.int8)
        return cls(parts[0], parts[1], parts[2], parts[3], parts[4].reshape(n, d // 8), matrix)


@dataclass(frozen=True)
class Background:
    """Sentence vectors per language that pad each side's neighbourhood, and each language's mean."""

    vectors: dict[int, np.ndarray]  # language code -> float32 (m, d)
    hashes: dict[int, np.ndarray]   # language code -> uint64 (m,)
    means: np.ndarray               # float32 (4, d): the sign codes' centre for each language code

    @classmethod
    def empty(cls, dimension: int) -> Background:
        return cls({}, {}, np.zeros((OTHER + 1, dimension), dtype=np.float32))


def background_path(model: str) -> Path:
    """Where the bundled background of ``model`` lives (built by ``corpus/build_background.py``)."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in model)
    return DATA / f"background-{safe}.npz"


@lru_cache(maxsize=4)
def load_background(model: str, dimension: int) -> Background:
    """The bundled background of ``model``, or an empty one (zero means) if none was built for it."""
    path = background_path(model)
    if not path.exists():
        log.warning("no background sentences for %s (%s): margins use the corpus and the checked text only",
                    model, path)
        return Background.empty(dimension)
    data = np.load(path)
    languages = data["languages"]
    vectors = data["vectors"].astype(np.float32) / 127.0
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return Background({int(c): vectors[languages == c] for c in np.unique(languages)},
                      {int(c): data["hashes"][languages == c] for c in np.unique(languages)},
                      data["means"].astype(np.float32))


def text_sentences(text: str) -> list[Sentence]:
    """The sentences of ``text`` the semantic layer embeds: at least ``MIN_SENTENCE_WORDS`` words,
    longer ones cut at ``MAX_SENTENCE_WORDS``."""
    sentences = cut_long(text, split_sentences(text), defaults.MAX_SENTENCE_WORDS)
    return [s for s in sentences if len(text[s.start:s.end].split()) >= defaults.MIN_SENTENCE_WORDS]


def sentence_language(sentence: str, fallback: str | None = None) -> int:
    """The language code of one sentence (its own letters; else the document's language).

    Kazakh is told from Russian by its own letters, which a short Kazakh sentence may lack
    ("Египетті 639-642 жылдары арабтар басып алды."): in a Kazakh document, a "Russian" sentence
    of fewer than ``KAZAKH_UNMARKED_WORDS`` words is taken as Kazakh.
    """
    language = detect_language(sentence)
    if language not in LANGUAGES or (language == "ru" and fallback == "kk"
                                     and len(sentence.split()) < KAZAKH_UNMARKED_WORDS):
        language = fallback
    return LANGUAGES.index(language) if language in LANGUAGES else OTHER


def sentence_hash(sentence: str) -> int:
    return int.from_bytes(hashlib.blake2b(normalize(sentence).encode(), digest_size=8).digest(), "little")


def encode(vectors: np.ndarray, languages: np.ndarray, means: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sign codes (packed bits of vector minus its language's mean) and int8 vectors."""
    vectors = np.asarray(vectors, dtype=np.float32)
    codes = np.packbits(vectors - means[languages] > 0, axis=1)
    return codes, np.clip(np.rint(vectors * 127), -127, 127).astype(np.int8)


def piece_languages(pieces: list[str], language: str | None) -> np.ndarray:
    """The language code of each piece of a text whose language is ``language`` (its fallback)."""
    fallback = language if language in LANGUAGES else None
    return np.array([sentence_language(p, fallback) for p in pieces], dtype=np.uint8)


def embed_text(text: str, embedder: Embedder, background: Background, language: str | None = None,
               sentences: list[Sentence] | None = None, progress: Progress | None = None) -> SentenceSet:
    """Embed the sentences of ``text`` (or the given ``sentences`` of it)."""
    sentences = text_sentences(text) if sentences is None else sentences
    pieces = [text[s.start:s.end] for s in sentences]
    vectors = []
    step = 32
    for i in range(0, len(pieces), step):
        vectors.append(embedder.embed(pieces[i:i + step]))
        if progress is not None:
            progress(min(i + step, len(pieces)), len(pieces))
    matrix = np.concatenate(vectors) if vectors else np.zeros((0, embedder.dimension), dtype=np.float32)
    languages = piece_languages(pieces, language)
    codes, int8 = encode(matrix, languages, background.means)
    return SentenceSet(np.array([s.start for s in sentences], dtype=np.int32),
                       np.array([s.end for s in sentences], dtype=np.int32), languages,
                       np.array([sentence_hash(p) for p in pieces], dtype=np.uint64), codes, int8)


@dataclass(frozen=True)
class EmbedSummary:
    documents: int      # embedded in this run
    sentences: int
    remaining: int      # documents still not embedded
    seconds: float


def embed_corpus(store, embedder: Embedder, seconds: float | None = None,
                 progress: Callable[[int], None] | None = None) -> EmbedSummary:
    """Embed corpus documents not yet embedded by ``embedder``, oldest first, each in its own
    transaction, until none is left or ``seconds`` have passed (the document in hand is finished).
    Run again, it resumes where it stopped."""
    background = load_background(embedder.name, embedder.dimension)
    started = time.perf_counter()
    done = sentences = 0
    for doc_id in store.unembedded_documents(embedder.name):
        if seconds is not None and time.perf_counter() - started >= seconds:
            break
        text = store.document_text(doc_id)
        embedded = embed_text(text, embedder, background, store.document(doc_id).language)
        with store.transaction():
            store.put_sentence_vectors(doc_id, embedder.name, len(embedded), embedded.head_bytes(),
                                       embedded.vector_bytes())
        done += 1
        sentences += len(embedded)
        if progress is not None:
            progress(doc_id)
    remaining = len(store.unembedded_documents(embedder.name))
    log.info("embedded %d documents (%d sentences) in %.0f s; %d left", done, sentences,
             time.perf_counter() - started, remaining)
    return EmbedSummary(done, sentences, remaining, round(time.perf_counter() - started, 2))


# -- candidate step: static units (plagcheck.lexicon) ------------------------------------------
def unit_set(text: str, lexicon, language: str | None = None, sentences: list[Sentence] | None = None,
             stride: int = UNIT_SENTENCES) -> SentenceSet:
    """Static vectors of the units of ``text`` (:func:`plagcheck.lexicon.unit_spans`), in the
    stored format of embedded sentences: the candidate step searches them with the same code."""
    units = unit_spans(text_sentences(text) if sentences is None else sentences, stride)
    pieces = [text[u.start:u.end] for u in units]
    languages = piece_languages(pieces, language)
    vectors = lexicon.vectors(pieces, languages)  # already centred on its language's mean
    codes, int8 = encode(vectors, languages, np.zeros((OTHER + 1, lexicon.dimension), dtype=np.float32))
    return SentenceSet(np.array([u.start for u in units], dtype=np.int32),
                       np.array([u.end for u in units], dtype=np.int32), languages,
                       np.zeros(len(units), dtype=np.uint64), codes, int8)


def default_lexicon():
    """The bundled lexicon of the candidate step, or None (logged) if it is missing."""
    from plagcheck.errors import PlagcheckError
    from plagcheck.lexicon import load_lexicon

    try:
        return load_lexicon(defaults.LEXICON)
    except PlagcheckError as error:
        log.warning("%s", error)
        return None


def index_missing_units(store, progress: Callable[[int], None] | None = None) -> int:
    """Give every corpus document without static units its units (a database made before the
    candidate step, or documents added without the lexicon); returns how many were done."""
    lexicon = default_lexicon()
    if lexicon is None:
        return 0
    done = 0
    for doc_id in store.unembedded_documents(lexicon.name):
        units = unit_set(store.document_text(doc_id), lexicon, store.document(doc_id).language)
        with store.transaction():
            store.put_sentence_vectors(doc_id, lexicon.name, len(units), units.head_bytes(), units.vector_bytes())
        done += 1
        if progress is not None:
            progress(doc_id)
    return done


# -- search ------------------------------------------------------------------------------------
@dataclass
class _Best:
    """The best corpus sentences of one language for each checked sentence."""

    cos: np.ndarray      # float32 (q, k), -inf where empty
    doc: np.ndarray      # int64 (q, k)
    index: np.ndarray    # int64 (q, k): the sentence's index in its document
    vectors: np.ndarray  # float32 (q, k, d)
    hashes: np.ndarray   # uint64 (q, k)


def search(store, model: str, query: SentenceSet, top_k: int, excluded=frozenset(), index=None,
           nprobe: int = defaults.UNIT_INDEX_NPROBE) -> dict[int, _Best]:
    """For each checked unit and each corpus language, the ``top_k`` corpus units of the highest
    cosine, among a shortlist rescored with their int8 vectors.

    With ``index`` (the live generation's :class:`plagcheck.unit_index.UnitIndex`), the
    shortlist of the documents it holds is its ``UNIT_INDEX_SHORTLIST`` nearest (``nprobe``
    lists searched), and only the other documents with units (added or replaced since it was
    built) are scanned flat. The flat scan's shortlist is the ``HAMMING_SHORTLIST`` nearest by
    Hamming distance of the sign codes (faiss, over the stored codes a batch of documents at a
    time). Units have no text hashes: ``hashes`` is zero for the index's.
    """
    import faiss

    q, d = query.vectors.shape
    x = query.vectors.astype(np.float32)
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-6)
    shortlists: dict[int, list[tuple]] = {}  # language -> [(doc, index, hash), each (q, m); doc -1: none]
    scan = None  # the documents scanned flat (None: all)
    if index is not None:
        from plagcheck.unit_index import held_documents

        live = store.sentence_documents(model)
        held = held_documents(index.documents, live)
        scan = sorted(set(live) - held - set(excluded))
        skip = (set(index.documents) - held) | set(excluded)
        for language, (doc, unit) in index.shortlist(store, x, defaults.UNIT_INDEX_SHORTLIST, nprobe, skip).items():
            shortlists.setdefault(language, []).append((doc, unit, np.zeros(doc.shape, dtype=np.uint64)))
    queries = np.ascontiguousarray(query.codes)
    short: dict[int, tuple] = {}  # language -> (distance, doc, index, hash), each (q, HAMMING_SHORTLIST)
    for rows in store.sentence_heads(model, doc_ids=scan):
        sets = [(doc_id, SentenceSet.from_bytes(head)) for doc_id, head in rows if doc_id not in excluded]
        sets = [(doc_id, s) for doc_id, s in sets if len(s)]
        if not sets:
            continue
        languages = np.concatenate([s.languages for _, s in sets])
        docs = np.concatenate([np.full(len(s), doc_id, dtype=np.int64) for doc_id, s in sets])
        index_in = np.concatenate([np.arange(len(s), dtype=np.int64) for _, s in sets])
        codes = np.concatenate([s.codes for _, s in sets])
        hashes = np.concatenate([s.hashes for _, s in sets])
        for language in np.unique(languages).tolist():
            at = np.flatnonzero(languages == language)
            flat = faiss.IndexBinaryFlat(d)
            flat.add(np.ascontiguousarray(codes[at]))
            distance, found = flat.search(queries, min(HAMMING_SHORTLIST, len(at)))
            rows_at = at[np.maximum(found, 0)]
            distance = np.where(found >= 0, distance, np.iinfo(np.int32).max)
            new = (distance, np.where(found >= 0, docs[rows_at], -1), index_in[rows_at], hashes[rows_at])
            if language in short:
                new = tuple(np.concatenate([a, b], axis=1) for a, b in zip(short[language], new))
                keep = np.argsort(new[0], axis=1, kind="stable")[:, :HAMMING_SHORTLIST]
                new = tuple(np.take_along_axis(a, keep, axis=1) for a in new)
            short[language] = new
    for language, (_, doc, index_in, hashes) in short.items():
        shortlists.setdefault(language, []).append((doc, index_in, hashes))
    # The shortlisted units' vectors, read once per document whatever languages it holds.
    merged = {language: tuple(np.concatenate(parts, axis=1) for parts in zip(*lists))
              for language, lists in shortlists.items()}
    wanted: dict[int, set[int]] = {}
    for doc, index_in, _ in merged.values():
        live_cells = doc >= 0
        for dd, ii in zip(doc[live_cells].tolist(), index_in[live_cells].tolist()):
            wanted.setdefault(dd, set()).add(ii)
    vectors_of = {}
    for dd, indexes in wanted.items():
        ordered = sorted(indexes)
        for ii, v in zip(ordered, store.sentence_vectors_at(model, dd, ordered, d)):
            vectors_of[(dd, ii)] = v
    best: dict[int, _Best] = {}
    for language, (doc, index_in, hashes) in merged.items():
        live_cells = doc >= 0
        y = np.zeros(doc.shape + (d,), dtype=np.float32)
        for (r, c) in zip(*np.nonzero(live_cells)):
            y[r, c] = vectors_of[(int(doc[r, c]), int(index_in[r, c]))]
        y /= np.maximum(np.linalg.norm(y, axis=2, keepdims=True), 1e-6)
        cos = np.where(live_cells, np.einsum("qtd,qd->qt", y, x), -np.inf).astype(np.float32)
        _merge(best, language, cos, doc, index_in, y, hashes, top_k)
    return best


def _merge(best: dict[int, _Best], language: int, cos, docs, index, vectors, hashes, top_k: int) -> None:
    old = best.get(language)
    if old is not None:
        cos = np.concatenate([old.cos, cos], axis=1)
        docs = np.concatenate([old.doc, docs], axis=1)
        index = np.concatenate([old.index, index], axis=1)
        vectors = np.concatenate([old.vectors, vectors], axis=1)
        hashes = np.concatenate([old.hashes, hashes], axis=1)
    keep = np.argsort(-cos, axis=1, kind="stable")[:, :top_k]
    take = lambda a: np.take_along_axis(a, keep if a.ndim == 2 else keep[:, :, None], axis=1)  # noqa: E731
    best[language] = _Best(take(cos), take(docs), take(index), take(vectors), take(hashes))


def _knn_mean(cosines: np.ndarray, k: int) -> np.ndarray:
    """Mean of the ``k`` largest finite values of each row (fewer if a row has fewer)."""
    cosines = np.where(np.isfinite(cosines), cosines, np.nan)
    k = min(k, cosines.shape[1])
    top = -np.sort(-np.nan_to_num(cosines, nan=-np.inf), axis=1)[:, :k]
    top = np.where(np.isfinite(top), top, np.nan)
    with np.errstate(invalid="ignore"):
        mean = np.nanmean(top, axis=1)
    return np.nan_to_num(mean, nan=0.0)


def _background_cos(x: np.ndarray, background: Background, language: int, same_rows: np.ndarray | None = None,
                    same_all: np.ndarray | None = None) -> np.ndarray:
    """Cosines of each row of ``x`` with the background of ``language``. A background sentence
    whose text hash is in ``same_rows[row]`` or in ``same_all`` counts as -inf: it is a sentence
    already among the neighbours (the background may hold the corpus's or the checked text's own)."""
    vectors = background.vectors.get(language)
    if vectors is None or not len(vectors):
        return np.full((len(x), 0), -np.inf, dtype=np.float32)
    cos = x @ vectors.T
    hashes = background.hashes[language]
    if same_rows is not None and same_rows.size:
        cos[(same_rows[:, :, None] == hashes[None, None, :]).any(axis=1)] = -np.inf
    if same_all is not None and same_all.size:
        cos[:, np.isin(hashes, same_all)] = -np.inf
    return cos


@dataclass(frozen=True)
class Pair:
    """Checked sentence ``this`` aligned with sentence ``index`` of source ``doc``, the ``rank``-th
    nearest of that language to it."""

    this: int
    doc: int
    index: int
    language: int
    cos: float
    margin: float
    rank: int = 0


def aligned_pairs(query: SentenceSet, best: dict[int, _Best], background: Background, settings,
                  candidates: int = 2, min_margin: float | None = None) -> list[Pair]:
    """Margin-scored (checked sentence, corpus sentence) pairs at or above ``min_margin`` (by
    default ``settings.min_margin``): for each checked sentence and corpus language, those among
    its ``candidates`` nearest."""
    min_margin = settings.min_margin if min_margin is None else min_margin
    k = settings.margin_neighbours
    x = query.vectors.astype(np.float32)
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-6)
    x_hashes = query.hashes
    pairs: list[Pair] = []
    for language, b in best.items():
        # x's neighbours: its nearest corpus sentences of this language, and the background's
        x_side = _knn_mean(np.concatenate([b.cos, _background_cos(x, background, language, same_rows=b.hashes)],
                                          axis=1), k)
        for rank in range(min(candidates, b.cos.shape[1])):
            cos = b.cos[:, rank]
            live = np.flatnonzero(np.isfinite(cos))
            if not len(live):
                continue
            y = b.vectors[live, rank]
            # y's neighbours: the checked sentences, and the background of the checked sentence's language
            doc_cos = y @ x.T
            y_side = np.empty(len(live), dtype=np.float32)
            for lang_x in np.unique(query.languages[live]).tolist():
                rows = np.flatnonzero(query.languages[live] == lang_x)
                back = _background_cos(y[rows], background, lang_x, same_rows=b.hashes[live[rows], rank][:, None],
                                       same_all=x_hashes)
                y_side[rows] = _knn_mean(np.concatenate([doc_cos[rows], back], axis=1), k)
            margin = cos[live] / np.maximum((x_side[live] + y_side) / 2, 1e-6)
            for i, m, cs in zip(live.tolist(), margin.tolist(), cos[live].tolist()):
                if m >= min_margin:
                    pairs.append(Pair(i, int(b.doc[i, rank]), int(b.index[i, rank]), language, cs, m, rank))
    return pairs


def chains(pairs: list[Pair], blocked: np.ndarray, settings) -> list[list[Pair]]:
    """Chains of aligned sentences, consecutive here (up to ``max_run_gap`` skipped, none of them
    ``blocked``) and in order in one source (a source sentence may take two checked ones: a
    translator split it), whatever their length."""
    best: dict[tuple[int, int], Pair] = {}
    for p in pairs:  # one source sentence per checked sentence and source: the best margin
        key = (p.doc, p.this)
        if key not in best or p.margin > best[key].margin:
            best[key] = p
    by_doc: dict[int, list[Pair]] = {}
    for p in best.values():
        by_doc.setdefault(p.doc, []).append(p)
    step = settings.max_run_gap + 1
    out: list[list[Pair]] = []
    for doc, found in by_doc.items():
        found.sort(key=lambda p: (p.this, -p.margin))
        found_chains: list[list[Pair]] = []
        for p in found:
            for chain in found_chains:
                last = chain[-1]
                # 0 steps in the source: a translator split one sentence in two (checked sentences
                # to one source sentence); a merge shows as a source sentence skipped
                split = p.index == last.index
                if (1 <= p.this - last.this <= (1 if split else step) and 0 <= p.index - last.index <= step
                        and not (split and len(chain) > 1 and chain[-2].index == p.index)
                        and not blocked[last.this + 1:p.this + 1].any()):
                    chain.append(p)
                    break
            else:
                found_chains.append([p])
        out.extend(found_chains)
    return out


def chain_languages(chain: list[Pair], query_languages: np.ndarray) -> tuple[int, int]:
    """The language codes of a chain's checked sentences and of its source sentences (the most
    frequent of each side)."""
    this = [int(query_languages[p.this]) for p in chain]
    source = [p.language for p in chain]
    return max(set(this), key=this.count), max(set(source), key=source.count)


def passage_margin(this_passage: str, source_passage: str, this_language: int, source_language: int,
                   embedder: Embedder, background: Background, k: int) -> float:
    """The margin of two passages, each embedded whole: their cosine over the mean cosine of each
    one's ``k`` nearest background sentences of the other's language (0.0 without a background)."""
    x, y = embedder.embed([this_passage, source_passage])  # unit length
    x_side = _background_cos(x[None], background, source_language)
    y_side = _background_cos(y[None], background, this_language)
    if not x_side.size or not y_side.size:
        return 0.0
    return float(x @ y) / max((_knn_mean(x_side, k)[0] + _knn_mean(y_side, k)[0]) / 2, 1e-6)


def run_length(chain: list[Pair]) -> int:
    """A run is as long as its shorter side: two checked sentences on one source sentence (a
    split) are one sentence's evidence."""
    return min(len(chain), len({p.index for p in chain}))


def too_little_alone(chain: list[Pair], words: int, settings) -> bool:
    """Whether ``chain`` is a sentence matched alone (shorter than a run) of fewer words than a
    short exact copy needs (``min_short_words``): "Заңның мәтіні баспасөзде жарияланады" ~
    "Жарлықтың мәтіні ..." (the text of the law / of the decree is published in the press)
    reaches a margin of 1.10, and says nothing of reuse."""
    return run_length(chain) < settings.min_run_sentences and words < settings.min_short_words


def too_little_for_a_paraphrase(this_words: int, source_words: int, settings) -> bool:
    """Whether a same-language match has, on either side, fewer words than ``min_run_sentences``
    short exact copies would (16), too few to stand alone: two texts of one kind in one language
    share a meaning sentence by sentence when the sentences say little ("The food is terrible." ~
    "The food is excellent, but very overpriced.": customer reviews, 15 words of a source,
    matched as a paraphrase at margins 1.02-1.06). Such a match is kept only beside another
    match of its source (at most ``join_gap_words`` apart: a piece of one rewritten passage;
    dropping those too cost 2 points of paraphrase recall). A translation has no such floor: its
    languages differ, and a formulaic sentence meets its like far more often in its own language."""
    return min(this_words, source_words) < settings.min_run_sentences * settings.min_short_words


def runs(pairs: list[Pair], blocked: np.ndarray, settings) -> list[list[Pair]]:
    """The :func:`chains` of ``pairs`` that make matches: at least ``min_run_sentences`` long, or
    a single pair reaching ``single_sentence_margin``."""
    return [chain for chain in chains(pairs, blocked, settings)
            if run_length(chain) >= settings.min_run_sentences
            or max(p.margin for p in chain) >= settings.single_sentence_margin]


def rescued_runs(found: list[list[Pair]], weak: list[Pair], blocked: np.ndarray, query_languages: np.ndarray,
                 settings, passages: Callable[[list[Pair]], tuple[str, str]],
                 margin: Callable[[str, str, list[Pair]], float]) -> list[list[Pair]]:
    """Translations that :func:`runs` missed, confirmed passage by passage.

    A loose translation keeps its source's meaning over a passage while single sentence pairs
    fall under ``min_margin`` (1.025 beside 1.057): no run of two forms. Chains of the ``weak``
    pairs (at least ``extend_margin``) that are at least ``min_run_sentences`` long, hold a pair
    of at least ``min_margin``, translate (the checked side's language differs from the
    source's) and share no checked sentence with a ``found`` run are looked at whole:
    ``passages(chain)`` gives the checked and the source passage; when each has at least
    ``passage_min_words`` words, ``margin(this, source, chain)`` (the margin of the two passages'
    vectors against the background) must reach ``settings.passage_margin``. A passage carries
    more of its meaning than any of its sentences: on the translation benchmark (seeds 7 and
    11), the chains this step looked at scored 1.07-1.17 when they were translations and at
    most 1.045 when they were not (benchmarks/README.md). A few short lines carry little more
    than a sentence (two formulaic ones, 11 words, scored 1.095 against a review), hence the
    length floor. Same-language chains are not rescued: two texts on one topic in one language
    reach passage margins of 1.15. A rescued chain is not grown by :func:`extend_runs`."""
    taken = {p.this for chain in found for p in chain}
    out = []
    for chain in chains(weak, blocked, settings):
        if (run_length(chain) < settings.min_run_sentences or any(p.this in taken for p in chain)
                or max(p.margin for p in chain) < settings.min_margin
                or len(set(chain_languages(chain, query_languages))) == 1):
            continue
        this, source = passages(chain)
        if (min(len(this.split()), len(source.split())) >= settings.passage_min_words
                and margin(this, source, chain) >= settings.passage_margin):
            out.append(chain)
            taken.update(p.this for p in chain)
    return out


def extend_runs(chains: list[list[Pair]], pairs: list[Pair], blocked: np.ndarray, settings) -> list[list[Pair]]:
    """Each run grown over the sentences next to it on both sides: the checked sentence right after
    (before) the run joins it when it is paired, at a margin of at least ``settings.extend_margin``,
    with a sentence of the run's source inside the run's source span or at most ``max_run_gap + 1``
    sentences from it (a rewriter also swaps neighbouring sentences), and not yet taken twice by
    the run (a split sentence). A run is already evidence that its source was used, so its
    neighbours need less: a paraphrase (or a loose translation) keeps some sentences only in part,
    and they fall under ``min_margin``. A margin of 1.0 — the pair as near as each side's own
    nearest neighbours — is the least that still says "this source sentence rather than any
    other". Runs are grown strongest first; a checked sentence joins one run."""
    options: dict[tuple[int, int], list[Pair]] = {}
    for p in pairs:
        options.setdefault((p.doc, p.this), []).append(p)
    taken = {p.this for chain in chains for p in chain}
    step = settings.max_run_gap + 1

    def near(p: Pair, chain: list[Pair]) -> bool:  # in or next to the run's source span, not taken twice
        indexes = [q.index for q in chain]
        return min(indexes) - step <= p.index <= max(indexes) + step and indexes.count(p.index) < 2

    out = []
    for chain in sorted(chains, key=lambda c: -max(p.margin for p in c)):
        chain = sorted(chain, key=lambda p: p.this)
        for forward in (True, False):  # after the run, then before it
            while True:
                at = chain[-1].this + 1 if forward else chain[0].this - 1
                # blocked[i]: a sentence not looked for lies right before sentence i
                if not 0 <= at < len(blocked) or at in taken or blocked[at if forward else at + 1]:
                    break
                joining = [p for p in options.get((chain[0].doc, at), ()) if near(p, chain)]
                if not joining:
                    break
                best = max(joining, key=lambda p: p.margin)
                chain = chain + [best] if forward else [best] + chain
                taken.add(at)
        out.append(chain)
    return out


def semantic_matches(store, text: str, tokens: Tokens, embedder: Embedder, settings, language: str | None = None,
                     excluded=frozenset(), lexical=(), progress: Progress | None = None,
                     timings: dict | None = None) -> tuple[list[Match], dict]:
    """Translations and paraphrases of corpus sentences in ``text`` (see the module docstring).

    Returns the matches and the corpus coverage of the semantic layer (``Store.semantic_state``).
    Sentences overlapping a ``lexical`` match are not looked for: lexical matches win.
    """
    timings = timings if timings is not None else {}
    lexicon = default_lexicon()
    if lexicon is None:
        return [], {"model": embedder.name, "lexicon": None, "documents_embedded": 0,
                    "documents": store.document_count(), "sentences": 0, "coverage": 0.0}
    state = {**store.semantic_state(lexicon.name), "model": embedder.name, "lexicon": lexicon.name}
    if not state["documents_embedded"]:
        log.info("the semantic layer has no indexed corpus document: skipped; run 'plagcheck reindex' to index "
                 "the corpus's units")
        return [], state
    if state["documents_embedded"] < state["documents"]:
        log.warning("the semantic layer covers %d of %d corpus documents (run 'plagcheck reindex' for the rest)",
                    state["documents_embedded"], state["documents"])
    sentences = text_sentences(text)
    blocked_all = np.array([any(m.this_start < s.end and s.start < m.this_end for m in lexical) for s in sentences],
                           dtype=bool)
    started = time.perf_counter()
    index = None
    if settings.semantic_index:
        from plagcheck.unit_index import load_unit_index

        index = load_unit_index(store, lexicon.name)
    state["unit_index"] = ({"generation": index.generation, "documents": len(index.documents)}
                           if index is not None else None)
    wanted, found = candidates(store, lexicon, text, sentences, blocked_all, language, settings, excluded, index)
    timings["semantic_candidates"] = round(time.perf_counter() - started, 4)
    state["candidate_documents"] = len(found)
    state["sentences_compared"] = len(wanted) + sum(len(c.indexes) for c in found.values())
    if not len(wanted):
        return [], state
    started = time.perf_counter()
    background = load_background(embedder.name, embedder.dimension)
    total = [len(wanted) + sum(len(c.indexes) for c in found.values())]
    done = [0]

    def advance(count: int, _total: int) -> None:  # one bar over both sides' sentences
        if progress is not None:
            progress(done[0] + count, total[0])

    checked_rows: dict[int, tuple] = {}  # checked sentence -> its row (SentenceSet.rows)
    sources: dict[int, _Source] = {}
    margins: dict = {}
    for round_ in range(MAX_GROWTH_ROUNDS + 1):
        new = [i for i in wanted if i not in checked_rows]
        if new:
            embedded = embed_text(text, embedder, background, language, [sentences[i] for i in new], advance)
            checked_rows.update(zip(new, embedded.rows()))
            done[0] += len(new)
        for doc, candidate in found.items():
            if doc not in sources or sources[doc].indexes != candidate.indexes:
                before = len(sources[doc].indexes) if doc in sources else 0
                sources[doc] = _source_sentences(store, embedder, background, doc, candidate, advance)
                done[0] += len(candidate.indexes) - before
        query = SentenceSet.from_rows([sentences[i] for i in wanted], [checked_rows[i] for i in wanted])
        chains = _matched_chains(query, sources, found, text, embedder, background, settings,
                                 np.diff(np.asarray(wanted), prepend=-1) > 1, margins)
        more, more_source = growth(chains, wanted, {doc: c.indexes for doc, c in found.items()},
                                   {doc: len(c.sentences) for doc, c in found.items()}, blocked_all)
        if round_ == MAX_GROWTH_ROUNDS or (not more and not more_source):
            break
        # a match reaches the edge of what was embedded: embed on past it, on both sides, and align again
        wanted = sorted(set(wanted) | more)
        for doc, indexes in more_source.items():
            found[doc] = _Candidate(found[doc].text, found[doc].sentences, sorted(set(found[doc].indexes) | indexes))
        total[0] += len(more) + sum(map(len, more_source.values()))
    timings["semantic_embed"] = round(time.perf_counter() - started, 4)
    state["sentences_compared"] = len(wanted) + sum(len(c.indexes) for c in found.values())
    matches, lone = [], []  # lone: same-language matches of too few words to stand alone
    for chain in chains:
        doc = chain[0].doc
        this_start, this_end, source_start, source_end = _chain_spans(chain, query, sources[doc])
        lo, hi = tokens.within(this_start, this_end)
        if too_little_alone(chain, hi - lo, settings):
            continue
        this_language, source_language = chain_languages(chain, query.languages)
        match = Match(
            source_id=doc, this_start=this_start, this_end=this_end, source_start=source_start, source_end=source_end,
            score=float(np.mean([p.cos for p in chain])), words=max(hi - lo, 1),
            kind=TRANSLATION if this_language != source_language else PARAPHRASE,
            source_language=LANGUAGES[source_language] if source_language < OTHER else None)
        too_little = this_language == source_language and too_little_for_a_paraphrase(
            hi - lo, len(found[doc].text[source_start:source_end].split()), settings)
        (lone if too_little else matches).append(match)
    # a short paraphrase beside another match of its source is a piece of one rewritten passage
    # (plagcheck.joining joins them); alone, it is no evidence
    beside = [*lexical, *matches]
    matches += [m for m in lone if any(
        o.source_id == m.source_id and words_between(tokens, min(o.this_end, m.this_end),
                                                     max(o.this_start, m.this_start)) <= settings.join_gap_words
        for o in beside)]
    return matches, state


def _chain_spans(chain: list[Pair], query: SentenceSet, source: _Source) -> tuple[int, int, int, int]:
    """Checked start and end, source start and end; a run grown over a swapped sentence is not in
    order: its source span is the widest."""
    return (int(query.starts[chain[0].this]), int(query.ends[chain[-1].this]),
            min(source.spans[p.index].start for p in chain), max(source.spans[p.index].end for p in chain))


def _matched_chains(query: SentenceSet, sources: dict[int, _Source], found: dict[int, _Candidate], text: str,
                    embedder: Embedder, background: Background, settings, blocked: np.ndarray,
                    margins: dict) -> list[list[Pair]]:
    """The chains of aligned sentences that are matches: runs grown over their neighbours, and
    loose translations rescued passage by passage (``margins``: the passage margins weighed so
    far, by passages and languages). ``blocked[i]``: a sentence not looked for lies right before
    query sentence ``i`` (a lexical match's, or one far from every candidate); no chain bridges
    it."""
    best = _best_among(query, sources, settings.search_top_k)
    # scored once: the pairs a run needs (a sentence's 2 nearest, at min_margin) are among those
    # that may extend one (its search_top_k nearest, at extend_margin)
    scored = aligned_pairs(query, best, background, settings, max(2, settings.search_top_k), settings.extend_margin)
    pairs = [p for p in scored if p.rank < 2 and p.margin >= settings.min_margin]
    weak = [p for p in scored if p.rank < settings.search_top_k]

    def chain_passages(chain: list[Pair]) -> tuple[str, str]:
        this_start, this_end, source_start, source_end = _chain_spans(chain, query, sources[chain[0].doc])
        return text[this_start:this_end], found[chain[0].doc].text[source_start:source_end]

    def chain_margin(this_passage: str, source_passage: str, chain: list[Pair]) -> float:
        key = (this_passage, source_passage, *chain_languages(chain, query.languages))
        if key not in margins:  # a chain weighed in an earlier round is not embedded again
            margins[key] = passage_margin(*key, embedder, background, settings.margin_neighbours)
        return margins[key]

    found_runs = runs(pairs, blocked, settings)
    rescued = rescued_runs(found_runs, weak, blocked, query.languages, settings, chain_passages, chain_margin)
    # A rescued chain already holds its in-order neighbours at extend_margin, and it stands on the
    # passage check alone: it is not grown further (grown, it took a non-copied sentence), and the
    # other runs do not grow into it.
    in_rescued = {p.this for chain in rescued for p in chain}
    return extend_runs(found_runs, [p for p in weak if p.this not in in_rescued], blocked, settings) + rescued


def growth(chains: list[list[Pair]], wanted: list[int], source_indexes: dict[int, list[int]],
           source_sizes: dict[int, int], blocked: np.ndarray,
           step: int = 2 * UNIT_SENTENCES) -> tuple[set[int], dict[int, set[int]]]:
    """What to embed next so that the matched ``chains`` may grow on: past each end of a chain,
    the next ``step`` checked sentences (up to one ``blocked``, a lexical match's) and the next
    ``step + 1`` sentences of its source (a translator merges sentences), those not embedded yet.
    Nothing, once every chain's ends are embedded on both sides.

    The candidate step chooses a few units out of a whole thesis, and a translated page needs only
    one of its units among them: the run found there is carried to the whole page, a few
    sentences a round, by the transformer itself (``wanted``: the embedded checked sentences, in
    order; a pair's ``this`` indexes it)."""
    checked, embedded = set(wanted), {doc: set(indexes) for doc, indexes in source_indexes.items()}
    more: set[int] = set()
    more_source: dict[int, set[int]] = {}
    for chain in chains:
        doc = chain[0].doc
        first, last = wanted[chain[0].this], wanted[chain[-1].this]
        low, high = min(p.index for p in chain), max(p.index for p in chain)
        for direction, at, source_at in ((1, last, high), (-1, first, low)):
            ahead = []
            for k in range(1, step + 1):
                i = at + direction * k
                if not 0 <= i < len(blocked) or blocked[i]:
                    break
                ahead.append(i)
            source_ahead = [j for j in (source_at + direction * k for k in range(1, step + 2))
                            if 0 <= j < source_sizes[doc]]
            new = [i for i in ahead if i not in checked]
            new_source = [j for j in source_ahead if j not in embedded[doc]]
            if ahead and source_ahead and (new or new_source):
                more.update(new)
                more_source.setdefault(doc, set()).update(new_source)
    return more, {doc: indexes for doc, indexes in more_source.items() if indexes}


def candidates(store, lexicon, text: str, sentences: list[Sentence], blocked: np.ndarray, language: str | None,
               settings, excluded=frozenset(), index=None) -> tuple[list[int], dict[int, _Candidate]]:
    """The candidate step: which checked sentences, and which sentences of which corpus documents,
    the transformer should compare.

    Every unit of ``UNIT_SENTENCES`` checked sentences (one starting every ``candidate_stride``) is searched
    by its static vector among the corpus's stored units (:func:`search`: the ANN ``index`` of
    the live generation if given, and a flat scan of the sign codes of the documents it does not
    hold; then int8 vectors); its ``candidate_top_k`` nearest of at least ``candidate_min_cos`` (another
    language) or ``candidate_min_cos_same_language`` are candidates, most distinct first
    (:func:`candidate_hits`), until ``max_candidate_units`` checked units and as many corpus units are chosen
    (a corpus unit with at most ``UNIT_SENTENCES`` checked units). Beside them, the first
    ``max_anchor_hits`` stretches that share translation anchors with corpus passages of a
    document in another language (:func:`anchor_candidates`), with those passages. Returns the indexes in
    ``sentences`` of the checked sentences to embed (in order, none ``blocked``), and for each
    candidate document the indexes of its sentences (its text's :func:`text_sentences`) that the
    candidate units cover; on both sides with ``UNIT_SENTENCES - 1`` sentences more on each side.
    """
    n = len(sentences)
    if n == 0:
        return [], {}
    stride = min(settings.candidate_stride, UNIT_SENTENCES)
    units = unit_set(text, lexicon, language, sentences, stride=stride)
    starts, ends = np.array([s.start for s in sentences]), np.array([s.end for s in sentences])
    first = np.searchsorted(starts, units.starts, "left")
    stop = np.searchsorted(starts, units.ends, "left")  # the sentences a unit covers: first .. stop - 1
    covers = [range(int(f), int(t)) for f, t in zip(first, stop)]
    open_units = np.array([not blocked[list(c)].all() for c in covers], dtype=bool)
    rows = np.flatnonzero(open_units)
    if not len(rows):
        return [], {}
    best = search(store, lexicon.name, units.subset(rows), settings.candidate_top_k + CANDIDATE_PEERS, excluded,
                  index, settings.semantic_nprobe)
    hits = [(score, int(rows[r]), doc, unit) for score, r, doc, unit in
            candidate_hits(best, units.languages[rows], settings)]
    # The most distinct first, until max_candidate_units checked units and as many corpus units are
    # chosen; a corpus unit near everything (a hub: generic wording) takes at most
    # UNIT_SENTENCES checked units, the nearest, so it cannot pull the whole thesis in.
    kept, chosen, taken = [], set(), set()
    per_unit: dict[tuple[int, int], int] = {}
    for hit in hits:
        source = (hit[2], hit[3])
        if per_unit.get(source, 0) >= UNIT_SENTENCES:
            continue
        if source not in chosen and len(chosen) >= settings.max_candidate_units:
            continue
        if hit[1] not in taken and len(taken) >= settings.max_candidate_units:
            continue
        chosen.add(source)
        taken.add(hit[1])
        per_unit[source] = per_unit.get(source, 0) + 1
        kept.append(hit)
    hits = kept
    # A unit that straddles the start or end of a copied passage may miss the threshold: the
    # sentences around a candidate unit are looked at too, on both sides.
    pad = UNIT_SENTENCES - 1
    wanted = {i for _, u, _, _ in hits for i in range(covers[u].start - pad, covers[u].stop + pad)}
    corpus_units: dict[int, set[int]] = {}
    for _, _, doc, unit in hits:
        corpus_units.setdefault(doc, set()).add(unit)
    corpus_spans: dict[int, list[tuple[int, int]]] = {}
    for doc, unit_indexes in corpus_units.items():
        stored = SentenceSet.from_bytes(store.sentence_head(lexicon.name, doc))
        corpus_spans[doc] = [(int(stored.starts[u]), int(stored.ends[u])) for u in sorted(unit_indexes)]
    # The second channel: stretches sharing numbers and names with a corpus passage.
    for lo, hi, doc, spans in anchor_candidates(store, text, starts, ends, blocked, language, settings, excluded):
        wanted.update(range(lo - pad, hi + pad))
        corpus_spans.setdefault(doc, []).extend(spans)
    wanted = sorted(i for i in wanted if 0 <= i < n and not blocked[i])
    found: dict[int, _Candidate] = {}
    for doc, spans in corpus_spans.items():
        doc_text = store.document_text(doc)
        doc_sentences = text_sentences(doc_text)
        inside = [k for k, s in enumerate(doc_sentences) if any(a < s.end and s.start < b for a, b in spans)]
        padded = {j for k in inside for j in range(k - pad, k + pad + 1) if 0 <= j < len(doc_sentences)}
        found[doc] = _Candidate(doc_text, doc_sentences, sorted(padded))
    return wanted, found


def anchor_candidates(store, text: str, starts: np.ndarray, ends: np.ndarray, blocked: np.ndarray,
                      language: str | None, settings, excluded=frozenset()) -> list[tuple[int, int, int, tuple]]:
    """The candidate step's second channel: the first ``max_anchor_hits`` stretches of ``text``
    that share translation anchors with a corpus document (:func:`plagcheck.anchors.anchor_hits`,
    the rarest first), as ``(first sentence, stop sentence, doc, its passages' spans)``; sentences
    by their ``starts`` and ``ends``. The static vectors may rank such a source below the many
    texts on its topic. Only translations: in one language the static vectors find a rewrite (its
    nearest neighbours share its words), while theses on one subject share their authors and
    years by the hundred; nor a stretch all ``blocked`` (a lexical detector found it)."""
    taken, source_languages = [], {}
    for hit in anchor_hits(store, text, excluded) if settings.max_anchor_hits else ():
        lo, hi = int(np.searchsorted(ends, hit.this_start, "right")), int(np.searchsorted(starts, hit.this_end, "left"))
        if blocked[lo:hi].all():
            continue
        if hit.doc not in source_languages:
            source_languages[hit.doc] = store.document(hit.doc).language
        this_language = sentence_language(text[hit.this_start:hit.this_end], language)
        if this_language < OTHER and LANGUAGES[this_language] == source_languages[hit.doc]:
            continue
        taken.append((lo, hi, hit.doc, hit.source_spans))
        if len(taken) == settings.max_anchor_hits:
            break
    return taken


def candidate_hits(best: dict[int, _Best], languages: np.ndarray, settings) -> list[tuple[float, int, int, int]]:
    """The candidate pairs among ``best`` (each checked unit's nearest corpus units per language,
    nearest first; ``languages``: the checked units'), most distinct first: ``(score, checked
    unit, doc, corpus unit)``.

    A pair is one of a unit's ``candidate_top_k`` nearest whose cosine reaches
    ``candidate_min_cos`` (another language) or ``candidate_min_cos_same_language``. Its score
    is how far its cosine stands out from the unit's ``CANDIDATE_PEERS`` other nearest of that
    language (or from the floor, if they are under it): the candidate step's margin. The static
    vectors of a translation and its source are no nearer than two texts on one topic (cosine
    0.4-0.65 both), but a translation's source stands out of its neighbours, while a topical
    neighbour is one of many: in a whole 200-page thesis against 100 theses, ranking by cosine
    left 4 of 12 translated passages' sources in the capped candidates, by this score 6."""
    top_k = settings.candidate_top_k
    hits = []
    for language, b in best.items():
        floor = np.where(languages == language, settings.candidate_min_cos_same_language, settings.candidate_min_cos)
        for r, c in zip(*np.nonzero(b.cos[:, :top_k] >= floor[:, None])):
            peers = [v for k, v in enumerate(b.cos[r, :top_k + CANDIDATE_PEERS]) if k != c and np.isfinite(v)]
            baseline = max(float(np.mean(peers[:CANDIDATE_PEERS])) if peers else -1.0, float(floor[r]))
            hits.append((float(b.cos[r, c]) - baseline, int(r), int(b.doc[r, c]), int(b.index[r, c])))
    hits.sort(reverse=True)
    return hits


@dataclass(frozen=True)
class _Candidate:
    """A candidate corpus document: its text, its sentences, and the indexes of those to compare."""

    text: str
    sentences: list[Sentence]
    indexes: list[int]


@dataclass(frozen=True)
class _Source:
    """Embedded sentences of one candidate document: ``indexes`` in its text's sentences."""

    indexes: list[int]
    spans: list[Sentence]       # every sentence of its text (a match's source span comes from here)
    embedded: SentenceSet       # the sentences at ``indexes``, in order


class _SentenceCache:
    """Corpus sentences embedded by earlier checks of this process (the worker's, the service's),
    least recently used dropped first: a source a department's theses share is embedded once,
    not once a thesis. Keyed by the document's content hash and the sentence's span, so a replaced
    document is never served stale rows; about 0.5 KB a sentence."""

    def __init__(self, size: int = defaults.SENTENCE_CACHE_SIZE):
        from collections import OrderedDict

        self.size = size
        self.rows: OrderedDict = OrderedDict()

    def get(self, key):
        row = self.rows.get(key)
        if row is not None:
            self.rows.move_to_end(key)
        return row

    def put(self, key, row) -> None:
        self.rows[key] = row
        self.rows.move_to_end(key)
        while len(self.rows) > self.size:
            self.rows.popitem(last=False)


_CACHE = _SentenceCache()


def _source_sentences(store, embedder: Embedder, background: Background, doc: int, candidate: _Candidate,
                      progress: Progress | None) -> _Source:
    """Sentences ``indexes`` of a candidate document: read when the corpus's sentences were
    embedded in advance (``plagcheck reindex --semantic-minutes``), else taken from the process's
    cache of sentences embedded by earlier checks, else embedded now."""
    text, spans, indexes = candidate.text, candidate.sentences, candidate.indexes
    try:
        stored = SentenceSet.from_bytes(store.sentence_head(embedder.name, doc))
    except StoreError:
        stored = None
    if stored is not None and len(stored) == len(spans):
        vectors = store.sentence_vectors_at(embedder.name, doc, indexes, embedder.dimension)
        return _Source(indexes, spans, SentenceSet(stored.starts[indexes], stored.ends[indexes],
                                                   stored.languages[indexes], stored.hashes[indexes],
                                                   stored.codes[indexes], vectors))
    row = store.document(doc)
    content = row.content_hash
    keys = [(embedder.name, content, spans[i].start, spans[i].end) for i in indexes]
    missing = [i for i, key in zip(indexes, keys) if _CACHE.get(key) is None]
    if missing:
        embedded = embed_text(text, embedder, background, row.language, [spans[i] for i in missing], progress)
        for i, cached in zip(missing, embedded.rows()):
            _CACHE.put((embedder.name, content, spans[i].start, spans[i].end), cached)
    rows = [_CACHE.get(key) for key in keys]
    if any(row is None for row in rows):  # more missing sentences than the cache holds: embed them all
        embedded = embed_text(text, embedder, background, row.language, [spans[i] for i in indexes])
        return _Source(indexes, spans, embedded)
    return _Source(indexes, spans, SentenceSet.from_rows([spans[i] for i in indexes], rows))


def _best_among(query: SentenceSet, sources: dict[int, _Source], top_k: int) -> dict[int, _Best]:
    """For each checked sentence and each language, the ``top_k`` candidate sentences of the
    highest cosine (what :func:`search` gives over the whole corpus, here over the candidates)."""
    x = query.vectors.astype(np.float32)
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-6)
    best: dict[int, _Best] = {}
    if not sources:
        return best
    docs = np.concatenate([np.full(len(src.indexes), doc, dtype=np.int64) for doc, src in sources.items()])
    index = np.concatenate([np.asarray(src.indexes, dtype=np.int64) for src in sources.values()])
    sets = [src.embedded for src in sources.values()]
    languages = np.concatenate([s.languages for s in sets])
    hashes = np.concatenate([s.hashes for s in sets])
    y = np.concatenate([s.vectors for s in sets]).astype(np.float32)
    y /= np.maximum(np.linalg.norm(y, axis=1, keepdims=True), 1e-6)
    for language in np.unique(languages).tolist():
        at = np.flatnonzero(languages == language)
        cos = x @ y[at].T
        k = min(top_k, len(at))
        top = np.argsort(-cos, axis=1, kind="stable")[:, :k]
        chosen = at[top]
        best[language] = _Best(np.take_along_axis(cos, top, axis=1).astype(np.float32), docs[chosen], index[chosen],
                               y[chosen], hashes[chosen])
    return best
