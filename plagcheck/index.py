"""The LSH index stage: passages of a document → MinHash signatures → bucket keys, and back.

Adding a document writes its passages' bucket keys; checking a document looks up the keys of its
(finely strided) windows and returns candidate (window, corpus passage) pairs.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from plagcheck.anchors import anchor_pairs, text_anchors
from plagcheck.models import Tokens
from plagcheck.normalize import stems as stem_words
from plagcheck.normalize import CYRILLIC_TO_LATIN
from plagcheck.passages import (Passage, corpus_passages, gram_keys, query_windows, shingle_hashes, winnow,
                                word_hashes)
from plagcheck.settings import IndexParams
from plagcheck.signature import passage_signatures
from plagcheck.lsh import KEY_BITS, band_keys, nonempty


@dataclass(frozen=True)
class Analysis:
    """What the index stages need of a document's words, computed once."""

    tokens: Tokens
    stems: list[str]
    shingles: np.ndarray


def analyze(tokens: Tokens, params: IndexParams) -> Analysis:
    stems = stem_words(tokens, params.stem_prefix)
    return Analysis(tokens, stems, shingle_hashes(stems, params.shingle_size))


def print_words(stems: list[str]) -> list[str]:
    """The stems as short-copy fingerprints compare them: with every letter that has a lookalike
    in the other script written in Latin. A word whose letters all exist in both scripts ("a",
    "I", "cop") is folded to the script of its neighbours, so an English sentence pasted after a
    Kazakh paragraph would otherwise differ from its source in its "a"s and "I"s.

    >>> print_words(["i", "і", "са", "ca", "білім"])
    ['i', 'i', 'ca', 'ca', 'бiлiм']
    """
    table = {stem: stem.translate(CYRILLIC_TO_LATIN) for stem in dict.fromkeys(stems)}
    return [table[stem] for stem in stems]


def print_keys(words: list[str], params: IndexParams) -> np.ndarray:
    """The fingerprint key of the word k-gram (``params.fingerprint_words``) starting at each of
    ``words`` (:func:`print_words` of a document's stems); as wide as a bucket key, so the store
    files both alike."""
    return gram_keys(word_hashes(words), params.fingerprint_words, KEY_BITS)


def document_prints(analysis: Analysis, passages: list[Passage], params: IndexParams) -> tuple[np.ndarray, np.ndarray]:
    """The winnowed fingerprints of a corpus document, ready for :meth:`Store.insert_index_rows`:
    their keys, and for each the index in ``passages`` of the passage its k-gram starts in."""
    keys = print_keys(print_words(analysis.stems), params)
    at = winnow(keys, params.fingerprint_window)
    owner = _passage_of(at, passages)
    return keys[at[owner >= 0]], owner[owner >= 0]


def anchor_prints(text: str, tokens: Tokens, passages: list[Passage]) -> tuple[np.ndarray, np.ndarray]:
    """The translation anchors of a corpus document ``text`` (its ``tokens``), ready for
    :meth:`Store.insert_index_rows`: the keys of its anchor pairs (:func:`plagcheck.anchors.anchor_pairs`),
    and for each the index in ``passages`` of the passage its first anchor is in."""
    anchors = text_anchors(text)
    keys, first, _ = anchor_pairs(anchors)
    starts = np.array([a.start for a in anchors], dtype=np.int64)[first]
    owner = _passage_of(np.maximum(np.searchsorted(tokens.starts, starts, "right") - 1, 0), passages)
    return keys[owner >= 0], owner[owner >= 0]


def _passage_of(words: np.ndarray, passages: list[Passage]) -> np.ndarray:
    """For each word index, the index in ``passages`` of the passage holding it, or -1 (none: a
    dropped, empty passage holds no word)."""
    if not passages or not len(words):
        return np.full(len(words), -1, dtype=np.int64)
    firsts = np.array([p.first_word for p in passages], dtype=np.int64)
    stops = firsts + np.array([p.words for p in passages], dtype=np.int64)
    owner = np.searchsorted(firsts, words, "right") - 1
    inside = (owner >= 0) & (words < stops[np.maximum(owner, 0)])
    return np.where(inside, owner, -1).astype(np.int64)


def content_hash(text: str) -> str:
    """Identity of a document's content: equal extracted text means the same document."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def passage_keys(analysis: Analysis, passages: list[Passage], params: IndexParams) -> tuple[list[Passage], np.ndarray]:
    """Bucket keys of each passage; passages too short to hold a shingle are dropped."""
    sigs = passage_signatures(analysis.shingles, passages, params.shingle_size, params.num_perm,
                              params.minhash_seed)
    keep = nonempty(sigs)
    kept = [p for p, k in zip(passages, keep) if k]
    return kept, band_keys(sigs[keep], params.lsh_bands, params.lsh_rows)


def index_document(analysis: Analysis, params: IndexParams) -> tuple[list[Passage], np.ndarray]:
    """Corpus passages of a document and their bucket keys, ready for :meth:`Store.insert_document`."""
    return passage_keys(analysis, corpus_passages(analysis.tokens, params.passage_words), params)


def candidates(store, analysis: Analysis, stride: int) -> tuple[list[Passage], dict[int, set[int]]]:
    """Windows of the checked document and, for each window index, the corpus passages sharing a bucket."""
    params = store.params
    # Full-size windows find long reuse; half-size ones also catch a short copied passage that
    # straddles two corpus passages and fills only half of each.
    half = max(params.shingle_size + 2, params.passage_words // 2)
    windows, keys = passage_keys(analysis, query_windows(analysis.tokens, params.passage_words, stride)
                                 + query_windows(analysis.tokens, half, stride), params)
    flat = keys.reshape(-1)
    order = np.argsort(flat, kind="stable")
    sorted_keys = flat[order]
    window_of = order // keys.shape[1]
    pairs: dict[int, set[int]] = defaultdict(set)
    for key, passage_id in store.lookup_buckets(keys):  # few rows: look the windows up by bisection
        lo, hi = np.searchsorted(sorted_keys, key, "left"), np.searchsorted(sorted_keys, key, "right")
        for window in window_of[lo:hi].tolist():
            pairs[window].add(passage_id)
    return windows, pairs
