"""Static cross-lingual passage vectors: the semantic layer's cheap corpus-wide candidate step.

The transformer (:mod:`plagcheck.embed`) reads about 25 sentences a second here, so it cannot see
a whole corpus (weeks for 10,000 theses). A *static* vector costs a tokenisation and a sum: each
word is looked up in a bundled lexicon of the model's own vocabulary, embedded word by word once
(``corpus/build_lexicon.py``), and a unit of text is the weighted mean of its words' vectors,
minus its language's mean. Such vectors of a Kazakh passage and of its Russian or English source
are close (measured on 184 parallel passages among 1,700 same-language distractors: the source is
the nearest for 80-92% and among the 10 nearest for 95-99%, in all six directions), though far
less surely than the transformer's: they only choose which pairs the transformer checks.

A word is looked up by its longest prefix in the lexicon (at least 4 letters, or the whole word):
the model's pieces are stems more often than whole words (``мемлекет`` for ``мемлекеттің``).

A **unit** is ``UNIT_SENTENCES`` consecutive sentences (sentences as :func:`semantic.text_sentences`
gives them): a translation keeps its source's sentences far more often than its word count.
Corpus documents are cut into consecutive units; a checked text into units starting at every
sentence, so that one of them lines up with each corpus unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from plagcheck.errors import PlagcheckError
from plagcheck.sentences import Sentence

DATA = Path(__file__).resolve().parent / "data"
UNIT_SENTENCES = 3
MIN_PREFIX = 4
_WORD = re.compile(r"[^\W\d_]+")


def lexicon_path(model: str) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in model)
    return DATA / f"lexicon-{safe}.npz"


@dataclass(eq=False)
class Lexicon:
    """Words and their vectors (int8 directions × row scale × SIF weight), and each language's mean
    unit vector (rows in the order of ``semantic.LANGUAGES``, then "other")."""

    words: list[str]
    directions: np.ndarray  # int8 (n, d)
    scales: np.ndarray      # float16 (n,)
    weights: np.ndarray     # float16 (n,)
    means: np.ndarray       # float32 (4, d)
    name: str = "lexicon"
    _rows: dict = field(default_factory=dict, repr=False)
    _cache: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        self._rows = {w: i for i, w in enumerate(self.words)}
        self._longest = max(map(len, self.words), default=0)
        factor = self.scales.astype(np.float32) / 127.0 * self.weights.astype(np.float32)
        self.matrix = self.directions.astype(np.float32) * factor[:, None]
        self.dimension = self.matrix.shape[1]

    @classmethod
    def load(cls, model: str) -> Lexicon:
        path = lexicon_path(model)
        if not path.exists():
            raise PlagcheckError(f"no lexicon for {model} ({path}): build it with 'python -m corpus.build_lexicon', "
                                 "or check with --no-semantic")
        data = np.load(path)
        return cls(data["words"].tolist(), data["directions"], data["scales"], data["weights"], data["means"],
                   name=f"lexicon:{model}")

    def row(self, word: str) -> int:
        """The lexicon row of ``word`` (lower-cased): its longest prefix of at least ``MIN_PREFIX``
        letters that is a lexicon word, or the whole word; -1 when there is none."""
        found = self._cache.get(word)
        if found is None:
            found = -1
            for length in range(min(len(word), self._longest), 2, -1):
                at = self._rows.get(word[:length])
                if at is not None and (length >= MIN_PREFIX or length == len(word)):
                    found = at
                    break
            self._cache[word] = found
        return found

    def raw_vector(self, text: str) -> np.ndarray:
        """The unit-length weighted sum of the vectors of ``text``'s words (zeros if none is known)."""
        rows = [r for r in (self.row(w) for w in _WORD.findall(text.lower())) if r >= 0]
        if not rows:
            return np.zeros(self.dimension, dtype=np.float32)
        total = self.matrix[rows].sum(axis=0)
        return total / max(float(np.linalg.norm(total)), 1e-9)

    def vectors(self, texts: list[str], languages: np.ndarray) -> np.ndarray:
        """Static vectors of ``texts``: raw vector minus its language's mean, unit length."""
        if not len(texts):
            return np.zeros((0, self.dimension), dtype=np.float32)
        raw = np.stack([self.raw_vector(t) for t in texts])
        centred = raw - self.means[np.asarray(languages, dtype=np.int64)]
        empty = ~raw.any(axis=1)
        centred[empty] = 0.0
        return centred / np.maximum(np.linalg.norm(centred, axis=1, keepdims=True), 1e-9)


def unit_spans(sentences: list[Sentence], stride: int = UNIT_SENTENCES) -> list[Sentence]:
    """Spans of ``UNIT_SENTENCES`` consecutive sentences, one starting every ``stride`` sentences.

    >>> s = [Sentence(i * 10, i * 10 + 9) for i in range(7)]
    >>> [(u.start, u.end) for u in unit_spans(s)]
    [(0, 29), (30, 69)]
    >>> [(u.start, u.end) for u in unit_spans(s, stride=1)][:2]
    [(0, 29), (10, 39)]
    """
    n = len(sentences)
    if n == 0:
        return []
    if stride >= UNIT_SENTENCES:
        bounds = list(range(0, n, UNIT_SENTENCES)) + [n]
        if len(bounds) > 2 and bounds[-1] - bounds[-2] < UNIT_SENTENCES:
            del bounds[-2]  # a short tail joins the unit before it
        return [Sentence(sentences[a].start, sentences[b - 1].end) for a, b in zip(bounds, bounds[1:])]
    last = max(n - UNIT_SENTENCES, 0)
    return [Sentence(sentences[a].start, sentences[min(a + UNIT_SENTENCES, n) - 1].end)
            for a in range(0, last + 1, stride)]


@lru_cache(maxsize=2)
def load_lexicon(model: str) -> Lexicon:
    return Lexicon.load(model)
