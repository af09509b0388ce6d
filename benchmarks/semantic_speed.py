"""Speed and size of the semantic layer (plagcheck.semantic), measured in pieces and scaled.

    python -m benchmarks.semantic_speed                 # embedding rates, search at 100 theses
    python -m benchmarks.semantic_speed --theses 100 300 --sentences 2000 --queries 500

- **Embedding**: sentences per second of the configured embedder on real sentences of each
  language (the sample corpus's texts), and tokens per word. Both sides pay it: the corpus once per
  document (the nightly ``reindex --semantic-minutes``), a check once per checked sentence.
- **Search**: a corpus of ``theses`` documents of ``sentences`` sentences each, with random unit
  vectors in place of embeddings (the search cost does not depend on what the vectors mean), is
  stored as the store stores it; ``queries`` checked sentences are searched and the time is scaled
  to a 200-page thesis (``--thesis-sentences``, 3,000 by default). The search reads the stored
  rows 200 documents at a time, so its time is linear in the corpus and its memory is not.
- **Size**: bytes stored per sentence and per thesis.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def embedding_rates(embedder, per_language: int = 60) -> dict:
    from plagcheck.semantic import text_sentences

    out = {}
    embedder.embed(["warm up"])
    for lang in ("kk", "ru", "en"):
        pieces = []
        for path in sorted((ROOT / "corpus" / "texts" / lang).glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            pieces += [text[s.start:s.end] for s in text_sentences(text)]
        pieces = pieces[:per_language]
        started = time.perf_counter()
        embedder.embed(pieces)
        seconds = time.perf_counter() - started
        words = sum(len(p.split()) for p in pieces)
        out[lang] = {"sentences": len(pieces), "words": words, "seconds": round(seconds, 2),
                     "sentences_per_second": round(len(pieces) / seconds, 2),
                     "words_per_second": round(words / seconds, 1)}
    return out


def unit_rates(thesis_words: int = 60000) -> dict:
    """Static units (the candidate step's corpus side) per second on the sample corpus's texts,
    scaled to a thesis of ``thesis_words`` words and to corpora of 1,000 and 10,000 theses."""
    from plagcheck import defaults
    from plagcheck.lexicon import load_lexicon
    from plagcheck.semantic import unit_set

    lexicon = load_lexicon(defaults.LEXICON)
    out = {}
    for lang in ("kk", "ru", "en"):
        text = "\n\n".join(path.read_text(encoding="utf-8")
                            for path in sorted((ROOT / "corpus" / "texts" / lang).glob("*.txt")))
        words = len(text.split())
        text = "\n\n".join([text] * max(1, thesis_words // words))  # a thesis-sized text
        lexicon._cache.clear()  # no word looked up in advance
        started = time.perf_counter()
        units = unit_set(text, lexicon, lang)
        seconds = time.perf_counter() - started
        out[lang] = {"words": len(text.split()), "units": len(units), "seconds": round(seconds, 3),
                     "units_bytes": len(units.head_bytes()) + len(units.vector_bytes()),
                     "hours_at_10000_theses": round(seconds * 10000 / 3600, 2)}
    return out


def honest_thesis(thesis_words: int = 60000, seed: int = 3) -> dict:
    """A check of a thesis-sized text with no reuse against a corpus of real texts: how many
    candidates the semantic layer's candidate step passes to the model, and the time of each step.

    The corpus is every benchmark text (``../shared/eval/texts`` and the repository's) but those
    drawn for the thesis, a third of them; the thesis is their paragraphs in kk and ru (the
    languages of the university's theses), shuffled, up to ``thesis_words`` words.
    """
    import random

    from benchmarks.detection import load_texts, parallel_key
    from plagcheck.check import check_document
    from plagcheck.ingest import add_document
    from plagcheck.models import Document
    from plagcheck.store import Store

    texts = load_texts()
    rng = random.Random(seed)
    rng.shuffle(texts)
    drawn = [t for t in texts if t.language in ("kk", "ru")][: len(texts) // 3]
    paragraphs = [p for t in drawn for p in t.text.split("\n") if len(p.split()) >= 8]
    rng.shuffle(paragraphs)
    thesis, words = [], 0
    for p in paragraphs:
        thesis.append(p)
        words += len(p.split())
        if words >= thesis_words:
            break
    # XQuAD's ru and en contexts are translations of each other: a drawn text's other version
    # would be real reuse, not an honest thesis's neighbour
    keys = {parallel_key(t.name) for t in drawn}
    corpus = [t for t in texts if parallel_key(t.name) not in keys]
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "h.db") as store:
        started = time.perf_counter()
        for t in corpus:
            add_document(store, Document(path=t.name, format="txt", text=t.text), {"language": t.language})
        index_seconds = time.perf_counter() - started
        started = time.perf_counter()
        result = check_document(store, Document(path="thesis.txt", format="txt", text="\n\n".join(thesis)))
        seconds = time.perf_counter() - started
        state = result.corpus["semantic"]
        store_names = {d.id: d.path for d in store.documents()}
    return {"corpus_texts": len(corpus), "corpus_words": sum(len(t.text.split()) for t in corpus),
            "corpus_units": state["sentences"], "index_seconds": round(index_seconds, 1),
            "thesis_words": words, "check_seconds": round(seconds, 1),
            "timings": {k: v for k, v in result.timings.items() if k.startswith("semantic")},
            "candidate_documents": state.get("candidate_documents", 0),
            "sentences_compared": state.get("sentences_compared", 0),
            "matches": [(m.kind, m.words, store_names.get(m.source_id)) for m in result.matches]}


def search_speed(theses: int, sentences: int, queries: int, dimension: int = 384, seed: int = 1) -> dict:
    from plagcheck.semantic import SentenceSet, encode, search
    from plagcheck.settings import Settings
    from plagcheck.store import Store

    rng = np.random.default_rng(seed)
    means = np.zeros((4, dimension), dtype=np.float32)

    def random_set(n: int) -> SentenceSet:
        v = rng.standard_normal((n, dimension)).astype(np.float32)
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        languages = rng.integers(0, 3, n).astype(np.uint8)
        codes, int8 = encode(v, languages, means)
        starts = np.arange(n, dtype=np.int32) * 100
        return SentenceSet(starts, starts + 90, languages, rng.integers(0, 2**63, n).astype(np.uint64), codes, int8)

    with tempfile.TemporaryDirectory() as folder:
        with Store(Path(folder) / "s.db") as store:
            started = time.perf_counter()
            with store.transaction():
                for k in range(theses):
                    # a document row to hang the vectors on (no text, no index entries)
                    doc_id = store.insert_document(content_hash=f"h{k}", path=f"d{k}", metadata={}, format="txt",
                                                   text="", words=0, pages=None)
                    made = random_set(sentences)
                    store.put_sentence_vectors(doc_id, "random", sentences, made.head_bytes(), made.vector_bytes())
            fill = time.perf_counter() - started
            query = random_set(queries)
            started, cpu = time.perf_counter(), time.process_time()
            search(store, "random", query, Settings().search_top_k)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            size = store.database_bytes()  # the WAL folded in: a small store's rows are all still in it
    return {"theses": theses, "sentences_per_thesis": sentences, "queries": queries,
            "search_seconds": round(seconds, 2), "search_cpu_seconds": round(cpu, 2),
            "seconds_per_query_per_million_sentences": round(seconds / queries / (theses * sentences / 1e6), 5),
            "bytes_per_sentence": (len(made.head_bytes()) + len(made.vector_bytes())) // sentences,
            "scanned_bytes_per_sentence": len(made.head_bytes()) // sentences, "db_bytes_per_thesis": size // theses,
            "fill_seconds": round(fill, 2),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--theses", type=int, nargs="+", default=[100])
    parser.add_argument("--sentences", type=int, default=2000, help="sentences per corpus thesis")
    parser.add_argument("--queries", type=int, default=300, help="checked sentences searched")
    parser.add_argument("--thesis-sentences", type=int, default=3000, help="sentences of the 200-page checked thesis")
    parser.add_argument("--no-embedding", action="store_true", help="skip the embedding rates")
    parser.add_argument("--honest-thesis", type=int, default=0, metavar="WORDS",
                        help="also check a thesis of WORDS words with no reuse against the benchmark texts")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    figures: dict = {}
    if not args.no_embedding:
        from plagcheck.embed import get_embedder

        figures["embedding"] = embedding_rates(get_embedder())
        for lang, f in figures["embedding"].items():
            print(f"embedding {lang}: {f['sentences_per_second']} sentences/s, {f['words_per_second']} words/s")
    if args.honest_thesis:
        figures["honest_thesis"] = honest_thesis(args.honest_thesis)
        print(json.dumps(figures["honest_thesis"]))
    figures["units"] = unit_rates()
    for lang, f in figures["units"].items():
        print(f"static units {lang}: a {f['words']}-word thesis in {f['seconds']} s ({f['units']} units, "
              f"{f['units_bytes'] // 1024} KB); 10,000 theses: {f['hours_at_10000_theses']} h")
    figures["search"] = []
    for theses in args.theses:
        point = search_speed(theses, args.sentences, args.queries)
        for scale in (1000, 10000):
            for what in ("seconds", "cpu_seconds"):
                per_query = point[f"search_{what}"] / args.queries
                point[f"thesis_search_{what}_at_{scale}"] = round(per_query * args.thesis_sentences * scale / theses, 1)
        figures["search"].append(point)
        print(json.dumps(point))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
