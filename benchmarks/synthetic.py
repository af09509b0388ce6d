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


class IndexReadySampler:
    """A :class:`WordSampler` restricted to words that tokenize to exactly one word, whatever the
    words around them: the tokens of a generated thesis are then known without running the
    tokenizer, which lets the scale benchmark fill an index with 10,000+ theses in minutes. The
    words, stems, shingles and passages are those the real pipeline gives for the same text
    (``tests/test_benchmarks.py`` checks it).
    """

    def __init__(self, sampler: WordSampler):
        from plagcheck.normalize import tokenize

        keep, folded = [], []
        for i, word in enumerate(sampler.words):
            alone = tokenize(word)
            if (len(alone) == 1 and alone.starts[0] == 0 and alone.ends[0] == len(word)
                    and tokenize(word, "latin").words == tokenize(word, "cyrillic").words == alone.words):
                keep.append(i)
                folded.append(alone.words[0])
        self.words = np.array([sampler.words[i] for i in keep], dtype=object)
        self.folded = np.array(folded, dtype=object)
        self.lengths = np.array([len(w) for w in self.words], dtype=np.int64)
        probabilities = sampler.probabilities[keep]
        self.probabilities = probabilities / probabilities.sum()
        self.rng = sampler.rng

    def draw(self, words: int) -> np.ndarray:
        """Indexes into ``self.words`` of a thesis's words (what :meth:`thesis_tokens` writes)."""
        return self.rng.choice(len(self.words), size=words, p=self.probabilities)

    def thesis_tokens(self, words: int, paragraph_words: int = 120):
        """``(text, tokens)`` of a thesis of ``words`` words in paragraphs."""
        return self.thesis_drawn(self.draw(words), paragraph_words)

    def thesis_drawn(self, drawn: np.ndarray, paragraph_words: int = 120):
        """``(text, tokens)`` of the thesis of words ``drawn``."""
        from plagcheck.models import Tokens

        words = len(drawn)
        surface = self.words[drawn].tolist()
        text = "\n".join(" ".join(surface[i:i + paragraph_words]) for i in range(0, words, paragraph_words))
        lengths = self.lengths[drawn]
        starts = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]])  # one separator after each word
        return text, Tokens(tuple(self.folded[drawn].tolist()), starts, starts + lengths)


    def stem_table(self, prefix: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """For each word: the id of its stem, and that stem's word hash (``plagcheck.passages``);
        and the stems by id. Computed once per vocabulary, so that the bulk fill looks up what the
        pipeline computes word by word (``tests/test_benchmarks.py`` checks they agree)."""
        from plagcheck.normalize import stems
        from plagcheck.passages import word_hashes

        if getattr(self, "_stems", (None,))[0] != prefix:
            word_stems = stems(_as_tokens(self.folded), prefix)
            names = sorted(set(word_stems))
            ids = {name: i for i, name in enumerate(names)}
            stem_of = np.array([ids[stem] for stem in word_stems], dtype=np.int64)
            self._stems = (prefix, (stem_of, word_hashes(names), names))
        return self._stems[1]


def _as_tokens(words: np.ndarray):
    from plagcheck.models import Tokens

    zeros = np.zeros(len(words), dtype=np.int64)
    return Tokens(tuple(words.tolist()), zeros, zeros)
