"""MinHash signatures of passages, computed in bulk.

The values are exactly those of ``datasketch.MinHash(num_perm, seed, scheme="affine32")`` fed
the passage's shingle hashes (tests check this), but one numpy pass serves every passage of a
document instead of one Python call per shingle.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from datasketch import MinHash
from datasketch.minhash import _fmix

from plagcheck.passages import Passage

EMPTY = np.uint32(0xFFFFFFFF)


@lru_cache(maxsize=8)
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's own permutation parameters (a, b) for this ``num_perm`` and ``seed``."""
    a, b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    return a.astype(np.uint32), b.astype(np.uint32)


def permuted(shingles: np.ndarray, num_perm: int, seed: int) -> np.ndarray:
    """Matrix ``(len(shingles), num_perm)`` of each shingle under each permutation."""
    a, b = permutations(num_perm, seed)
    with np.errstate(over="ignore"):
        hv = _fmix(shingles.astype(np.uint32).reshape(-1, 1), 32)
        return hv * a + b


def passage_signatures(shingles: np.ndarray, passages: list[Passage], shingle_size: int,
                       num_perm: int, seed: int) -> np.ndarray:
    """Signatures ``(len(passages), num_perm)``: the minimum over the shingles inside each passage.

    A shingle belongs to a passage when all its words do. Passages may overlap and come in any
    order; a sparse table of minima answers each one in two lookups.
    """
    out = np.full((len(passages), num_perm), EMPTY, dtype=np.uint32)
    if not passages or len(shingles) == 0:
        return out
    starts = np.array([p.first_word for p in passages])
    lengths = np.array([max(0, p.words - shingle_size + 1) for p in passages])
    matrix = permuted(shingles, num_perm, seed)
    if (lengths > 0).all() and (starts[1:] >= starts[:-1] + lengths[:-1]).all():
        # Corpus passages follow one another without overlap: one reduction over the matrix,
        # cut at each passage's first and past-last shingle (the cuts between are discarded).
        cuts = np.column_stack([starts, starts + lengths]).reshape(-1)
        ends_at_matrix_end = cuts[-1] == len(matrix)
        reduced = np.minimum.reduceat(matrix, cuts[:-1] if ends_at_matrix_end else cuts, axis=0)
        return reduced[0::2]
    levels = [matrix]
    span = 1
    while span * 2 <= lengths.max():
        prev = levels[-1]
        levels.append(np.minimum(prev[:-span], prev[span:]))
        span *= 2
    nonzero = lengths > 0
    level_of = np.zeros(len(lengths), dtype=np.int64)
    level_of[nonzero] = np.floor(np.log2(lengths[nonzero])).astype(np.int64)
    for k in np.unique(level_of[nonzero]).tolist():
        rows = np.nonzero(nonzero & (level_of == k))[0]
        level = levels[k]
        out[rows] = np.minimum(level[starts[rows]], level[starts[rows] + lengths[rows] - (1 << k)])
    return out
