"""Alignment: from shared shingles to maximal, character-exact passages.

Seed on shingles the two texts share, grow clusters of seeds that stay close in both texts
(tolerating the gaps that edits leave), merge neighbouring clusters, and keep those long and
dense enough to be reuse rather than coincidence. One copied page yields one passage.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Fragment:
    """Words ``this_first:this_stop`` of the checked text match ``source_first:source_stop``."""

    this_first: int
    this_stop: int
    source_first: int
    source_stop: int
    seeds: int


def find_seeds(this: np.ndarray, source: np.ndarray, max_occurrences: int) -> np.ndarray:
    """Pairs ``(i, j)`` with ``this[i] == source[j]``, sorted; shingles repeated more than
    ``max_occurrences`` times in the source are boilerplate and give no seeds."""
    if len(this) == 0 or len(source) == 0:
        return np.empty((0, 2), dtype=np.int64)
    order = np.argsort(source, kind="stable")
    values, first, counts = np.unique(source[order], return_index=True, return_counts=True)
    usable = counts <= max_occurrences
    values, first, counts = values[usable], first[usable], counts[usable]
    hit = np.nonzero(np.isin(this, values))[0]
    if len(hit) == 0:
        return np.empty((0, 2), dtype=np.int64)
    slot = np.searchsorted(values, this[hit])
    reps = counts[slot]
    i = np.repeat(hit, reps)
    offsets = np.arange(reps.sum()) - np.repeat(np.cumsum(reps) - reps, reps)
    j = order[np.repeat(first[slot], reps) + offsets]
    return np.stack([i, j], axis=1)


def cluster_seeds(seeds: np.ndarray, gap: int) -> list[list[int]]:
    """Group seeds (sorted by i) into runs where consecutive seeds are within ``gap`` words in
    both texts; returns ``[this_min, this_max, source_min, source_max, distinct_i, first_diagonal,
    last_diagonal]`` per cluster (a diagonal is ``j - i`` of the cluster's first or last seed)."""
    closed: list[list[int]] = []
    open_: list[list[int]] = []  # this_min, this_max, source_min, source_max, count, first_diag, last_i, last_j
    for i, j in seeds.tolist():
        best, best_cost = None, None
        still_open = []
        for c in open_:
            if i - c[6] > gap:
                closed.append(c)
                continue
            still_open.append(c)
            dj = j - c[7]
            cost = abs((i - c[6]) - dj)  # how far the seed leaves the cluster's diagonal
            if -gap <= dj <= gap and cost <= gap // 2:
                if best is None or cost < best_cost:
                    best, best_cost = c, cost
        open_ = still_open
        if best is None:
            open_.append([i, i, j, j, 1, j - i, i, j])
        else:
            best[1] = i
            best[2] = min(best[2], j)
            best[3] = max(best[3], j)
            if i != best[6]:
                best[4] += 1
            best[6], best[7] = i, j
    closed.extend(open_)
    return [c[:6] + [c[7] - c[6]] for c in closed]


def merge_clusters(clusters: list[list[int]], gap: int) -> list[list[int]]:
    """Merge clusters whose ranges touch or lie within ``gap`` words in both texts and that lie on
    nearly the same diagonal where they meet (a stray seed of a phrase repeated elsewhere in the
    source does not stretch a match). A sweep over the checked text keeps only nearby clusters
    in view."""
    done: list[list[int]] = []
    active: list[list[int]] = []
    for c in sorted(clusters):
        still = []
        for m in active:
            (done if m[1] + gap < c[0] else still).append(m)
        active = still
        for m in active:
            if (c[2] <= m[3] + gap and m[2] <= c[3] + gap
                    and abs(c[5] - m[6]) <= gap):
                m[0], m[1] = min(m[0], c[0]), max(m[1], c[1])
                m[2], m[3] = min(m[2], c[2]), max(m[3], c[3])
                m[4] += c[4]
                if c[1] >= m[1]:
                    m[6] = c[6]
                break
        else:
            active.append(list(c))
    return done + active


def align(this: np.ndarray, source: np.ndarray, *, shingle_size: int, gap: int, min_words: int,
          min_seeds: int, max_occurrences: int) -> list[Fragment]:
    """Maximal matching passages between two sequences of shingle hashes, in word indexes."""
    # A lone shared shingle is coincidence; runs of two or more are worth merging.
    clusters = [c for c in cluster_seeds(find_seeds(this, source, max_occurrences), gap) if c[4] >= 2]
    while True:  # merging can bring new neighbours together
        merged = merge_clusters(clusters, gap)
        if len(merged) == len(clusters):
            break
        clusters = merged
    fragments = []
    for this_min, this_max, source_min, source_max, count, _, _ in clusters:
        words = this_max + shingle_size - this_min
        if count >= min_seeds and words >= min_words:
            fragments.append(Fragment(this_min, this_max + shingle_size, source_min, source_max + shingle_size, count))
    return sorted(fragments, key=lambda f: f.this_first)
