"""Rescoring: TF-IDF cosine of candidate passage pairs, with IDF from the whole corpus.

LSH only proposes; this stage verifies. Words common across the corpus (prepositions, the
university's name) weigh little, so pairs that share only boilerplate fall under the threshold.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer


def _identity(words):
    return words


def tfidf_matrix(documents: list[list[str]], document_frequency, corpus_size: int) -> sparse.csr_matrix:
    """L2-normalized TF-IDF rows for pre-tokenized ``documents``, IDF from the corpus (:func:`corpus_idf`)."""
    counts = CountVectorizer(analyzer=_identity, lowercase=False)
    try:
        matrix = counts.fit_transform(documents)
    except ValueError:  # every document empty
        return sparse.csr_matrix((len(documents), 1))
    return weigh(matrix, corpus_idf(counts.get_feature_names_out().tolist(), document_frequency, corpus_size))


def corpus_idf(terms: list[str], document_frequency, corpus_size: int) -> np.ndarray:
    """scikit-learn's smoothed IDF, ``ln((1 + N) / (1 + df)) + 1``, but with N and df from the corpus
    (``document_frequency(terms) -> {term: df}``) rather than from the few passages at hand."""
    df = document_frequency(terms)
    return np.array([math.log((1 + corpus_size) / (1 + df.get(t, 0))) + 1 for t in terms])


def weigh(counts: sparse.spmatrix, idf: np.ndarray) -> sparse.csr_matrix:
    """Term counts to L2-normalized sublinear TF-IDF rows with the given ``idf``."""
    transformer = TfidfTransformer(norm="l2", sublinear_tf=True)
    transformer.fit(counts[:1])
    transformer.idf_ = idf
    return transformer.transform(counts).tocsr()


def pair_cosines(matrix: sparse.csr_matrix, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Cosine of rows ``left[k]`` and ``right[k]`` for every k (rows are unit vectors)."""
    if len(left) == 0:
        return np.empty(0)
    return np.asarray(matrix[left].multiply(matrix[right]).sum(axis=1)).ravel()
