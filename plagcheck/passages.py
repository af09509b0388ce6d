"""Passages and shingles: the unit of detection is a window of words, not the whole document."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from plagcheck.models import Tokens

_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)
# Odd multipliers that mix the position of each word into its n-gram's hash.
_POSITION_MULTIPLIERS = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93,
     0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53, 0x94D049BB133111EB, 0xBF58476D1CE4E5B9],
    dtype=np.uint64)


@dataclass(frozen=True)
class Passage:
    """Words ``first_word:first_word + words`` of a document, characters ``start:end``."""

    first_word: int
    words: int
    start: int
    end: int


def word_hashes(stems: list[str]) -> np.ndarray:
    """A stable 64-bit hash of each stem (stable across processes, unlike ``hash()``)."""
    table = {stem: int.from_bytes(hashlib.blake2b(stem.encode(), digest_size=8).digest(), "little")
             for stem in dict.fromkeys(stems)}  # each distinct stem hashed once
    return np.fromiter(map(table.__getitem__, stems), dtype=np.uint64, count=len(stems))


def shingle_hashes(stems: list[str], size: int) -> np.ndarray:
    """32-bit hashes of the word n-grams starting at each position (``len(stems) - size + 1`` of them)."""
    return shingles_of(word_hashes(stems), size)


def shingles_of(words: np.ndarray, size: int) -> np.ndarray:
    """:func:`shingle_hashes` from the stems' :func:`word_hashes`."""
    if size > len(_POSITION_MULTIPLIERS):
        raise ValueError(f"shingle size {size} is larger than {len(_POSITION_MULTIPLIERS)}")
    count = len(words) - size + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint32)
    acc = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(size):
            acc ^= words[k:k + count] * _POSITION_MULTIPLIERS[k]
            acc = (acc << np.uint64(13)) | (acc >> np.uint64(51))
    return (acc ^ (acc >> np.uint64(32))).astype(np.uint32)


def gram_keys(words: np.ndarray, size: int, bits: int) -> np.ndarray:
    """Hashes of the word n-grams starting at each position, as non-negative int64 below
    ``2**bits`` (the width of an index key): the fingerprints of short exact copies."""
    if size > len(_POSITION_MULTIPLIERS):
        raise ValueError(f"n-gram size {size} is larger than {len(_POSITION_MULTIPLIERS)}")
    count = len(words) - size + 1
    if count <= 0:
        return np.empty(0, dtype=np.int64)
    acc = np.full(count, 0x2545F4914F6CDD1D, dtype=np.uint64)  # unlike shingles_of: keys of their own
    with np.errstate(over="ignore"):
        for k in range(size):
            acc ^= words[k:k + count] * _POSITION_MULTIPLIERS[-1 - k]
            acc = (acc << np.uint64(29)) | (acc >> np.uint64(35))
        acc ^= acc >> np.uint64(31)
        acc *= np.uint64(0xBF58476D1CE4E5B9)
        acc ^= acc >> np.uint64(29)
    return (acc >> np.uint64(64 - bits)).astype(np.int64)


def winnow(keys: np.ndarray, window: int) -> np.ndarray:
    """Positions of the fingerprints kept by winnowing (Schleimer, Wilkerson and Aiken 2003):
    the rightmost smallest key of every ``window`` consecutive keys, each position once.

    The choice in a window depends on its keys alone, so two texts sharing ``window``
    consecutive keys keep the same fingerprint there; a text with fewer keys keeps its smallest.

    >>> winnow(np.array([5, 3, 8, 3, 9, 7, 1]), 3).tolist()
    [1, 3, 6]
    """
    if len(keys) == 0:
        return np.empty(0, dtype=np.int64)
    if len(keys) <= window:
        return np.array([len(keys) - 1 - int(np.argmin(keys[::-1]))], dtype=np.int64)
    views = np.lib.stride_tricks.sliding_window_view(keys, window)[:, ::-1]
    chosen = np.arange(len(views)) + (window - 1) - np.argmin(views, axis=1)
    return np.unique(chosen)


def corpus_passages(tokens: Tokens, size: int) -> list[Passage]:
    """Non-overlapping windows of ``size`` words; a short tail joins the window before it."""
    n = len(tokens)
    if n == 0:
        return []
    bounds = list(range(0, n, size)) + [n]
    if len(bounds) > 2 and bounds[-1] - bounds[-2] < size // 2:
        del bounds[-2]
    return [_passage(tokens, a, b) for a, b in zip(bounds, bounds[1:])]


def query_windows(tokens: Tokens, size: int, stride: int) -> list[Passage]:
    """Windows of ``size`` words starting every ``stride`` words, the last one ending at the end.

    The checked document is cut finely so that some window lines up with every corpus passage
    to within ``stride / 2`` words, whatever the offset of the copied text.
    """
    n = len(tokens)
    if n == 0:
        return []
    if n <= size:
        return [_passage(tokens, 0, n)]
    starts = list(range(0, n - size + 1, stride))
    if starts[-1] != n - size:
        starts.append(n - size)
    return [_passage(tokens, a, a + size) for a in starts]


def _passage(tokens: Tokens, first: int, stop: int) -> Passage:
    return Passage(first, stop - first, int(tokens.starts[first]), int(tokens.ends[stop - 1]))
