"""Synthetic theses of realistic length from real text, for speed and scale measurements.

Words are drawn independently with their frequencies in the benchmark's real texts: the
vocabulary and its Zipf curve are real, and no passage is shared by accident between two
generated theses. (A word-bigram chain was tried first: trained on ~100k words it copies long
runs of its training text verbatim, so every synthetic thesis "plagiarised" every other, and
the scale figures measured that artefact instead of the index.)
"""

from __future__ import annotations

from collections import Counter

import numpy as np


class WordSampler:
    """Writes text by drawing words with their frequencies in a training text."""

    def __init__(self, texts: list[str], seed: int = 0):
        counts = Counter(word for text in texts for word in text.split())
        self.words = sorted(counts)
        frequencies = np.array([counts[w] for w in self.words], dtype=np.float64)
        self.probabilities = frequencies / frequencies.sum()
        self.rng = np.random.default_rng(seed)

    def thesis(self, words: int, paragraph_words: int = 120) -> str:
        """About ``words`` words in paragraphs."""
        drawn = self.rng.choice(len(self.words), size=words, p=self.probabilities)
        tokens = [self.words[i] for i in drawn]
        return "\n".join(" ".join(tokens[i:i + paragraph_words]) for i in range(0, len(tokens), paragraph_words))
