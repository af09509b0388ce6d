"""LSH banding of MinHash signatures into bucket keys stored in the index.

The banding follows datasketch's ``MinHashLSH`` (b bands of r rows; two passages are candidates
when any band agrees); each band is hashed to one non-negative integer key of ``KEY_BITS`` bits, so that the store can
file it under its leading bits (see ``plagcheck.store``) and a query reads only the rows it needs.
54 bits keep accidental collisions negligible (about 10^-7 per lookup at 10^9 stored entries).
"""

from __future__ import annotations

import numpy as np
from datasketch.lsh import _optimal_param
from datasketch.minhash import _fmix

from plagcheck.signature import EMPTY

KEY_BITS = 54


def optimal_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """datasketch's choice of (bands, rows) for a Jaccard ``threshold``."""
    return _optimal_param(threshold, num_perm, 0.5, 0.5)


def candidate_probability(jaccard: float, bands: int, rows: int) -> float:
    """Probability that two passages with this Jaccard similarity share at least one bucket."""
    return 1.0 - (1.0 - jaccard ** rows) ** bands


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """Keys ``(len(signatures), bands)`` as non-negative int64 below ``2**KEY_BITS``."""
    n = signatures.shape[0]
    keys = np.empty((n, bands), dtype=np.uint64)
    sig = signatures.astype(np.uint64)
    with np.errstate(over="ignore"):
        for band in range(bands):
            acc = np.full(n, np.uint64(band + 1) * np.uint64(0x9E3779B97F4A7C15), dtype=np.uint64)
            for col in range(band * rows, (band + 1) * rows):
                acc = _fmix(acc ^ sig[:, col], 64)
            keys[:, band] = acc
    return (keys >> np.uint64(64 - KEY_BITS)).astype(np.int64)


def nonempty(signatures: np.ndarray) -> np.ndarray:
    """Mask of signatures that saw at least one shingle."""
    return ~(signatures == EMPTY).all(axis=1)
