"""The orchestrator: one document in, a :class:`CheckResult` out, each stage timed.

tokenize → LSH candidates → TF-IDF rescoring → alignment → short exact copies → semantic layer
(translations, paraphrases; ``settings.semantic``) → attribution. The CLI, the worker and
the benchmarks all call :func:`check_document`.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, replace

import numpy as np

from plagcheck.align import Fragment, align
from plagcheck.index import Analysis, analyze, candidates, content_hash
from plagcheck.joining import join_neighbours
from plagcheck.language import detect_language
from plagcheck.models import Alert, CheckResult, Document, ExcludedDocument, Match, SourceShare, Tokens
from plagcheck.normalize import stems, tokenize
from plagcheck.rescore import pair_cosines, tfidf_matrix
from plagcheck.settings import Settings
from plagcheck.short import short_matches, without_overlaps
from plagcheck.storage import StoredDocument, StoredPassage, Store

log = logging.getLogger(__name__)
REGION_MARGIN_CHARS = 2000  # source text aligned around candidate passages, on each side
REGION_MARGIN_WORDS = 300   # checked text aligned around the windows paired with them


@dataclass(frozen=True)
class _Region:
    """A stretch of a source document, tokenized, around its candidate passages."""

    source_id: int
    offset: int
    analysis: Analysis


@contextmanager
def _timed(timings: dict, stage: str):
    started = time.perf_counter()
    yield
    timings[stage] = round(time.perf_counter() - started, 4)


def check_document(store: Store, document: Document, settings: Settings | None = None,
                   metadata: dict | None = None, exclude_ids: set[int] = frozenset(),
                   progress=None) -> CheckResult:
    """Check ``document`` against the corpus in ``store``.

    Only the documents in ``exclude_ids`` are never sources: the checked document's own corpus
    entry (a job taken again after its thesis was added, a re-check of a corpus document) is
    excluded by naming it there. Any other corpus document with the same text is a source of
    the whole text, with an alert: resubmitting someone else's thesis is plagiarism, not a
    duplicate to skip.

    ``progress(done, total)``, if given, is called as the semantic layer embeds the candidate
    sentences (the one long stage: about 0.05 s a sentence on two idle cores).
    """
    with store.read_snapshot():
        return _check(store, document, settings, metadata, exclude_ids, progress)


def _check(store, document, settings, metadata, exclude_ids, progress=None) -> CheckResult:
    settings = settings or Settings(index=store.params)
    params = store.params
    timings: dict[str, float] = {}
    digest = content_hash(document.text)
    with _timed(timings, "normalize"):
        tokens = tokenize(document.text)
        analysis = analyze(tokens, params)
    # Each corpus document's row, read once: sources and the documents left out (an unknown id
    # is a typo, not a document to leave out: store.document raises).
    rows = _DocumentRows(store)
    for doc_id in exclude_ids:
        rows[doc_id]
    identical = store.find_by_hash(digest)
    # An identical corpus document explains every word by itself: it is matched whole below, and
    # its passages need not go through LSH and alignment. Documents in ``exclude_ids`` go through
    # the pipeline like any other, so that the report can say how much each would have explained.

    with _timed(timings, "lsh"):
        windows, pairs = candidates(store, analysis, settings.query_stride)
        passages = store.passages({p for ids in pairs.values() for p in ids})
        if identical is not None:
            passages = {pid: p for pid, p in passages.items() if p.doc_id != identical.id}

    texts = _SourceTexts(store)
    with _timed(timings, "rescore"):
        passage_words = passage_stems(texts, passages, params.stem_prefix)
        surviving = _rescore(store, analysis, windows, pairs, passages, passage_words, settings)

    with _timed(timings, "regions"):
        regions = _source_regions(store, texts, {pid: passages[pid] for kept in surviving.values()
                                                 for _, pid in kept})

    with _timed(timings, "align"):
        matches = _align(store, analysis, tokens, windows, passages, regions, surviving, settings)

    with _timed(timings, "short"):
        skip = {identical.id} if identical is not None else set()  # matched whole below
        matches += without_overlaps(short_matches(store, analysis, texts, settings, skip, matches), matches)

    language = (metadata or {}).get("language") or detect_language(document.text)
    semantic_state = None
    if settings.semantic:
        with _timed(timings, "semantic"):
            from plagcheck.embed import get_embedder
            from plagcheck.semantic import semantic_matches

            found, semantic_state = semantic_matches(store, document.text, tokens, get_embedder(), settings, language,
                                                     skip, matches, progress, timings)
            matches += found
    matches = join_neighbours(matches, tokens, settings.join_gap_words)

    if identical is not None and len(tokens):
        matches.append(_whole_match(identical, tokens))
        if identical.id not in exclude_ids:
            document = replace(document, alerts=(*document.alerts, identical_alert(identical)))
    set_aside = [m for m in matches if m.source_id in exclude_ids]
    matches = [m for m in matches if m.source_id not in exclude_ids]
    with _timed(timings, "attribute"):
        matches, shares, similarity = attribute(tokens, matches)
    excluded_documents = tuple(_excluded_document(rows[doc_id], tokens, set_aside) for doc_id in sorted(exclude_ids))
    matches = [m if m.source_language is not None else replace(m, source_language=rows[m.source_id].language)
               for m in matches]  # lexical matches: their source's language (the semantic layer knows it per sentence)
    sources = tuple(_source_share(rows[source_id], share, sum(m.source_id == source_id for m in matches))
                    for source_id, share in sorted(shares.items(), key=lambda kv: -kv[1]))
    info = {
        "path": document.path, "format": document.format, "content_hash": digest,
        "language": language,
        "chars": len(document.text), "words": len(tokens), "pages": len(document.pages) or None,
        # characters recognised by OCR from scans and pictures, [start, end) each (absent: none)
        **({"ocr": [list(span) for span in document.ocr]} if document.ocr else {}),
        **{k: v for k, v in (metadata or {}).items() if k != "language"},
    }
    log.info("checked %s: %.1f%% similar, %d sources, timings %s", document.path, 100 * similarity,
             len(sources), timings)
    corpus = store.state().to_dict()
    if semantic_state is not None:
        corpus["semantic"] = semantic_state
        if semantic_state["documents_embedded"]:
            corpus["layers"] = (*corpus["layers"], "semantic")
    return CheckResult(document=document, document_info=info, matches=tuple(matches), sources=sources,
                       similarity=similarity, settings=settings.to_dict(), corpus=corpus,
                       timings=timings, analysis=analysis,
                       excluded_documents=excluded_documents)


class _DocumentRows(dict):
    """Corpus document rows (:class:`StoredDocument`) read once per check, on first use."""

    def __init__(self, store: Store):
        super().__init__()
        self.store = store

    def __missing__(self, doc_id: int) -> StoredDocument:
        self[doc_id] = self.store.document(doc_id)
        return self[doc_id]


class _SourceTexts:
    """Source texts read (and decompressed) once per check."""

    def __init__(self, store: Store):
        self.store = store
        self.cache: dict[int, str] = {}

    def __getitem__(self, doc_id: int) -> str:
        if doc_id not in self.cache:
            self.cache[doc_id] = self.store.document_text(doc_id)
        return self.cache[doc_id]


def passage_stems(texts, passages: dict[int, StoredPassage], prefix: int) -> dict[int, list[str]]:
    """The stemmed words of each corpus passage, from its span of the stored text."""
    return {pid: stems(tokenize(texts[p.doc_id][p.start:p.end]), prefix) for pid, p in passages.items()}


def _source_regions(store: Store, texts, passages: dict[int, StoredPassage]) -> dict[int, list[_Region]]:
    """Tokenize each source around its verified passages (not the whole thesis)."""
    spans = defaultdict(list)
    for p in passages.values():
        spans[p.doc_id].append((p.start, p.end))
    regions: dict[int, list[_Region]] = {}
    for doc_id, doc_spans in spans.items():
        text = texts[doc_id]
        out = []
        for start, end in _merge_ranges(sorted(
                (max(0, start - REGION_MARGIN_CHARS), min(len(text), end + REGION_MARGIN_CHARS))
                for start, end in doc_spans)):
            start = _word_boundary(text, start, -1)
            end = _word_boundary(text, end, +1)
            region_tokens = tokenize(text[start:end])
            shifted = Tokens(region_tokens.words, region_tokens.starts + start, region_tokens.ends + start)
            out.append(_Region(doc_id, start, analyze(shifted, store.params)))
        regions[doc_id] = out
    return regions


def _word_boundary(text: str, position: int, direction: int) -> int:
    """Move ``position`` to whitespace so that a region never cuts a word in two."""
    while 0 < position < len(text) and not text[position - 1].isspace() and not text[position].isspace():
        position += direction
    return max(0, min(len(text), position))


def _region_of(regions: list[_Region], p: StoredPassage) -> _Region:
    for region in regions:
        toks = region.analysis.tokens
        if len(toks) and toks.starts[0] <= p.start and p.end <= toks.ends[-1]:
            return region
    return regions[0]


def _rescore(store: Store, analysis: Analysis, windows, pairs, passages, stems: dict[int, list[str]],
             settings) -> dict[int, list[tuple[int, int]]]:
    """Drop candidate pairs whose TF-IDF cosine is under the threshold; return the (window,
    passage) pairs kept, by source document."""
    docs: list[list[str]] = []
    window_row: dict[int, int] = {}
    passage_row: dict[int, int] = {}
    left, right = [], []
    for window, ids in pairs.items():
        for pid in ids:
            p = passages.get(pid)
            if p is None:
                continue
            if window not in window_row:
                w = windows[window]
                window_row[window] = len(docs)
                docs.append(analysis.stems[w.first_word:w.first_word + w.words])
            if pid not in passage_row:
                passage_row[pid] = len(docs)
                docs.append(stems[pid])
            left.append(window_row[window])
            right.append(passage_row[pid])
    kept: dict[int, list[tuple[int, int]]] = defaultdict(list)
    if not docs:
        return kept
    matrix = tfidf_matrix(docs, store.document_frequencies, store.document_count())
    cosines = pair_cosines(matrix, np.array(left), np.array(right))
    row_passage = {row: pid for pid, row in passage_row.items()}
    row_window = {row: window for window, row in window_row.items()}
    for l, r, cos in zip(left, right, cosines):
        if cos >= settings.min_tfidf_cosine:
            pid = row_passage[r]
            kept[passages[pid].doc_id].append((row_window[l], pid))
    return kept


def _align(store: Store, analysis: Analysis, tokens: Tokens, windows, passages, regions, surviving,
           settings) -> list[Match]:
    """Align each source region with the parts of the checked text that its passages were paired
    with (plus a margin), so the cost follows the amount of reuse, not the length of the thesis."""
    params = store.params
    margin = REGION_MARGIN_WORDS
    fragments = []  # (source_id, region, fragment) with fragment words in whole-document indexes
    for doc_id, kept_pairs in surviving.items():
        for region in regions[doc_id]:
            ranges = sorted(
                (max(0, windows[w].first_word - margin), windows[w].first_word + windows[w].words + margin)
                for w, pid in kept_pairs if _region_of(regions[doc_id], passages[pid]) is region)
            for lo, hi in _merge_ranges(ranges):
                found = align(analysis.shingles[lo:hi], region.analysis.shingles, shingle_size=params.shingle_size,
                              gap=settings.seed_gap_words, min_words=settings.min_match_words,
                              min_seeds=settings.min_match_seeds, max_occurrences=settings.max_seed_occurrences)
                fragments.extend((doc_id, region, Fragment(f.this_first + lo, f.this_stop + lo, f.source_first,
                                                           f.source_stop, f.seeds)) for f in found)
    if not fragments:
        return []
    docs = []
    for _, region, f in fragments:
        docs.append(analysis.stems[f.this_first:f.this_stop])
        docs.append(region.analysis.stems[f.source_first:f.source_stop])
    matrix = tfidf_matrix(docs, store.document_frequencies, store.document_count())
    rows = np.arange(0, len(docs), 2)
    cosines = pair_cosines(matrix, rows, rows + 1)
    matches = []
    for (doc_id, region, f), cos in zip(fragments, cosines):
        if cos < settings.min_tfidf_cosine:
            continue
        src = region.analysis.tokens
        matches.append(Match(
            source_id=doc_id,
            this_start=int(tokens.starts[f.this_first]), this_end=int(tokens.ends[f.this_stop - 1]),
            source_start=int(src.starts[f.source_first]), source_end=int(src.ends[f.source_stop - 1]),
            score=float(cos), words=f.this_stop - f.this_first))
    return matches


def _merge_ranges(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Union of sorted ``(lo, hi)`` ranges: overlapping or touching ones become one."""
    merged: list[list[int]] = []
    for lo, hi in ranges:
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return [(lo, hi) for lo, hi in merged]


def word_owners(tokens: Tokens, matches: list[Match] | tuple[Match, ...]) -> np.ndarray:
    """For each word, the index in ``matches`` of the match it is attributed to, or -1.

    The strongest match (words × score) takes its words first. A match whose words are mostly
    explained already by stronger ones gets none: it is the same text found again, e.g. in a
    thesis that copied the same source.
    """
    owner = np.full(len(tokens), -1, dtype=np.int64)
    for i in sorted(range(len(matches)), key=lambda i: -(matches[i].words * matches[i].score)):
        m = matches[i]
        lo, hi = tokens.within(m.this_start, m.this_end)
        free = owner[lo:hi] == -1
        if hi > lo and free.mean() >= 0.5:
            owner[lo:hi][free] = i
    return owner


def attribute(tokens: Tokens, matches: list[Match]) -> tuple[list[Match], dict[int, float], float]:
    """Give every matched word to one source (see :func:`word_owners`) and compute the shares.

    Returns the matches that explain some words, in text order, each source's share and the
    overall similarity, all as fractions of the characters of the document's words.
    """
    if len(tokens) == 0:
        return [], {}, 0.0
    owner = word_owners(tokens, matches)
    lengths = (tokens.ends - tokens.starts).astype(np.float64)
    total = lengths.sum()
    kept = [m for i, m in enumerate(matches) if (owner == i).any()]
    source_of = np.array([m.source_id for m in matches] + [-1], dtype=np.int64)[owner]
    shares = {m.source_id: float(lengths[source_of == m.source_id].sum() / total) for m in kept}
    similarity = float(lengths[owner != -1].sum() / total)
    return sorted(kept, key=lambda m: (m.this_start, m.source_id)), shares, similarity


def _whole_match(identical: StoredDocument, tokens: Tokens) -> Match:
    """The whole checked text as one match in a corpus document with the same text (the same
    extracted text, so the same offsets)."""
    start, end = int(tokens.starts[0]), int(tokens.ends[-1])
    return Match(source_id=identical.id, this_start=start, this_end=end, source_start=start, source_end=end,
                 score=1.0, words=len(tokens))


def identical_alert(doc: StoredDocument) -> Alert:
    """The alert of a checked text identical to corpus document ``doc``."""
    who = ", ".join(x for x in (doc.author, f"«{doc.title}»" if doc.title else None, f"added {doc.added_at[:10]}") if x)
    return Alert("identical_document", f"identical to document {doc.id} ({who})")


def _excluded_document(doc: StoredDocument, tokens: Tokens, matches: list[Match]) -> ExcludedDocument:
    """A document named in ``exclude_ids``, with the share its matches would explain alone."""
    _, shares, _ = attribute(tokens, [m for m in matches if m.source_id == doc.id])
    return ExcludedDocument(id=doc.id, path=doc.path, title=doc.title, author=doc.author,
                            share=shares.get(doc.id, 0.0))


def _source_share(doc: StoredDocument, share: float, matches: int) -> SourceShare:
    return SourceShare(id=doc.id, path=doc.path, title=doc.title, author=doc.author, year=doc.year,
                       share=share, matches=matches)
