"""Synthetic theses of realistic length from real text, for speed and scale measurements.

A word-bigram chain trained on the benchmark texts writes new prose: real words with their real
frequencies, but no passage shared by accident between two generated theses (recombining whole
paragraphs would make every pair of synthetic theses look plagiarised and measure nothing real).
"""

from __future__ import annotations

import random
from collections import defaultdict

import numpy as np


class BigramWriter:
    """Writes text by walking the word-bigram graph of a training text."""

    def __init__(self, texts: list[str], seed: int = 0):
        follow: dict[str, list[str]] = defaultdict(list)
        for text in texts:
            words = text.split()
            for a, b in zip(words, words[1:]):
                follow[a].append(b)
        self.words = sorted(follow)
        index = {w: i for i, w in enumerate(self.words)}
        # CSR-like arrays: successors of word i are succ[start[i]:start[i + 1]]
        starts, succ = [0], []
        for w in self.words:
            succ.extend(index[b] for b in follow[w] if b in index)
            starts.append(len(succ))
        self.start = np.array(starts, dtype=np.int64)
        self.succ = np.array(succ, dtype=np.int64)
        self.rng = np.random.default_rng(seed)
        self.py_rng = random.Random(seed)

    def words_(self, count: int) -> list[str]:
        out = np.empty(count, dtype=np.int64)
        current = int(self.rng.integers(len(self.words)))
        draws = self.rng.random(count)
        for k in range(count):
            lo, hi = self.start[current], self.start[current + 1]
            current = int(self.succ[lo + int(draws[k] * (hi - lo))]) if hi > lo else int(self.rng.integers(len(self.words)))
            out[k] = current
        return [self.words[i] for i in out]

    def thesis(self, words: int, paragraph_words: int = 120) -> str:
        """About ``words`` words in paragraphs."""
        tokens = self.words_(words)
        paragraphs = [" ".join(tokens[i:i + paragraph_words]) for i in range(0, len(tokens), paragraph_words)]
        return "\n".join(paragraphs)
