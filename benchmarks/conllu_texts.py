"""Turn CoNLL-U treebanks (e.g. Universal Dependencies, CC BY-SA) into plain-text documents.

    python -m benchmarks.conllu_texts LANG OUT_DIR FILE.conllu [FILE.conllu ...]

Sentences come from the ``# text =`` lines; documents follow ``# newdoc`` marks where the
treebank has them, else runs of consecutive sentences of about ``--words`` words; paragraphs
follow ``# newpar`` marks, else groups of five sentences. The files are not committed: the
treebanks' share-alike text belongs in the shared evaluation data, and this script makes the
benchmark's texts again from them.
"""

from __future__ import annotations

import argparse
import html
from pathlib import Path


def documents(lines: list[str], words_per_document: int) -> list[list[list[str]]]:
    """Documents as lists of paragraphs as lists of sentences."""
    docs: list[list[list[str]]] = [[[]]]
    has_newdoc = any(line.startswith("# newdoc") for line in lines)
    has_newpar = any(line.startswith("# newpar") for line in lines)
    count = 0
    for line in lines:
        if line.startswith("# newdoc") and docs[-1] != [[]]:
            docs.append([[]])
            count = 0
        elif line.startswith("# newpar") and docs[-1][-1]:
            docs[-1].append([])
        elif line.startswith("# text ="):
            sentence = html.unescape(line.split("=", 1)[1].strip())
            docs[-1][-1].append(sentence)
            count += len(sentence.split())
            if not has_newpar and len(docs[-1][-1]) >= 5:
                docs[-1].append([])
            if not has_newdoc and count >= words_per_document:
                docs.append([[]])
                count = 0
    return [[p for p in d if p] for d in docs if any(d)]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("language")
    parser.add_argument("out", type=Path)
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--words", type=int, default=700, help="words per document without newdoc marks")
    parser.add_argument("--min-words", type=int, default=150, help="shorter documents are merged into the next")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    written = 0
    pending: list[list[str]] = []
    for path in args.files:
        for doc in documents(path.read_text(encoding="utf-8").splitlines(), args.words):
            pending.extend(doc)
            if sum(len(s.split()) for p in pending for s in p) < args.min_words:
                continue
            text = "\n".join(" ".join(p) for p in pending)
            written += 1
            (args.out / f"{args.language}-{written:04d}.txt").write_text(text + "\n", encoding="utf-8")
            pending = []
    print(f"{written} documents in {args.out}")


if __name__ == "__main__":
    main()
