"""Speed and size of the semantic layer (plagcheck.semantic), measured in pieces and scaled.

    python -m benchmarks.semantic_speed                 # embedding rates, search at 100 theses
    python -m benchmarks.semantic_speed --no-embedding --theses 1000 10000 --folder /tmp/units

- **Embedding**: sentences per second of the configured embedder on real sentences of each
  language (the sample corpus's texts), and tokens per word. Both sides pay it: the corpus once per
  document (the nightly ``reindex --semantic-minutes``), a check once per checked sentence.
- **Search** (the candidate step): a corpus of ``theses`` synthetic theses of ``--sentences``
  static units each, made of real sentences of the benchmark texts (shuffled, per language), plus
  the parallel set's articles as sources, stored as the store stores units; its ANN index is built
  as ``reindex`` builds it. A checked thesis of ``--thesis-sentences`` units is searched with the
  index, and ``--queries`` of its units by the flat scan (scaled to the thesis), each in a fresh
  process (time, CPU, peak RSS, the index's load). Candidate recall, flat against ANN: the units
  of the parallel set's translations, each looked up among its source language's units.
- **Size**: bytes stored per thesis, and the index's.
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
    thesis = _thesis_paragraphs(drawn, rng, thesis_words)
    words = sum(len(p.split()) for p in thesis)
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


THESIS_LANGUAGES = {"kk": 0.45, "ru": 0.45, "en": 0.10}  # the university's theses, roughly


def _thesis_paragraphs(texts, rng, thesis_words: int) -> list[str]:
    """Paragraphs of at least 8 words of ``texts``, shuffled, until ``thesis_words`` words."""
    paragraphs = [p for t in texts for p in t.text.split("\n") if len(p.split()) >= 8]
    rng.shuffle(paragraphs)
    out, words = [], 0
    for paragraph in paragraphs:
        out.append(paragraph)
        words += len(paragraph.split())
        if words >= thesis_words:
            break
    return out


def _sentences_and_sums(lexicon, text: str) -> tuple[list[str], np.ndarray]:
    """Each sentence of ``text`` (as the semantic layer cuts it) and its sum of word vectors
    (:meth:`Lexicon.raw_vector` before its normalisation): a unit's raw vector is the normalised
    sum of its sentences' sums."""
    from plagcheck.lexicon import _WORD
    from plagcheck.semantic import text_sentences

    pieces, sums = [], []
    for s in text_sentences(text):
        piece = text[s.start:s.end]
        rows = [r for r in (lexicon.row(w) for w in _WORD.findall(piece.lower())) if r >= 0]
        pieces.append(piece)
        sums.append(lexicon.matrix[rows].sum(axis=0) if rows else np.zeros(lexicon.dimension, dtype=np.float32))
    return pieces, (np.array(sums, dtype=np.float32) if sums else np.zeros((0, lexicon.dimension), dtype=np.float32))


def _sentence_sums(lexicon, text: str) -> np.ndarray:
    return _sentences_and_sums(lexicon, text)[1]


def _unit_vectors(lexicon, sums: np.ndarray, language: str, starts: np.ndarray, ends: np.ndarray):
    """The stored units (a :class:`SentenceSet`) of consecutive sentences whose word-vector sums
    are ``sums`` (three a unit), computed as :meth:`Lexicon.vectors` computes them."""
    from plagcheck.semantic import LANGUAGES, SentenceSet, encode

    units = len(sums) // 3
    totals = sums[:3 * units].reshape(units, 3, -1).sum(axis=1)
    raw = totals / np.maximum(np.linalg.norm(totals, axis=1, keepdims=True), 1e-9)
    code = LANGUAGES.index(language)
    centred = raw - lexicon.means[code]
    vectors = centred / np.maximum(np.linalg.norm(centred, axis=1, keepdims=True), 1e-9)
    languages = np.full(units, code, dtype=np.uint8)
    codes, int8 = encode(vectors, languages, np.zeros((4, lexicon.dimension), dtype=np.float32))
    return SentenceSet(starts, ends, languages, np.zeros(units, dtype=np.uint64), codes, int8)


def synthetic_corpus(theses: int, units: int, seed: int = 1):
    """``theses`` documents of ``units`` static units each, made of real sentences: each thesis is
    one benchmark text of its language (``THESIS_LANGUAGES``), then other texts of that language,
    sentences shuffled, cut into units as a corpus document is. Real vectors, not random ones:
    the index's lists follow the topics and languages of real text, and so does its recall.
    Yields one :class:`SentenceSet` per thesis (no spans: the search does not read them)."""
    from benchmarks.detection import load_texts
    from plagcheck import defaults
    from plagcheck.lexicon import load_lexicon

    lexicon = load_lexicon(defaults.LEXICON)
    pools = {lang: [_sentence_sums(lexicon, t.text) for t in load_texts() if t.language == lang]
             for lang in THESIS_LANGUAGES}
    pools = {lang: [p for p in pool if len(p)] for lang, pool in pools.items()}
    rng = np.random.default_rng(seed)
    names = list(THESIS_LANGUAGES)
    for _ in range(theses):
        lang = names[rng.choice(len(names), p=list(THESIS_LANGUAGES.values()))]
        pool = pools[lang]
        order = rng.permutation(len(pool))
        taken, count = [], 0
        for k in order:
            taken.append(pool[k][rng.permutation(len(pool[k]))])
            count += len(pool[k])
            if count >= 3 * units:
                break
        sentences = np.concatenate(taken)
        while len(sentences) < 3 * units:
            sentences = np.concatenate([sentences, sentences[rng.permutation(len(sentences))]])
        starts = np.arange(units, dtype=np.int32) * 100
        yield _unit_vectors(lexicon, sentences[:3 * units], lang, starts, starts + 90)


def parallel_cases(lexicon):
    """The translation cases of the parallel set: each article's corpus version in one language
    (a third each), and the units (one starting at every sentence) of its passages in the two
    other languages, each with its article. Returns ``(sources, queries, articles)``: sources as
    ``(name, language, SentenceSet)``, queries a :class:`SentenceSet`, and the source name and
    passage key of each query unit."""
    from benchmarks.detection import load_parallel
    from plagcheck.semantic import SentenceSet, text_sentences, unit_set

    articles = load_parallel()
    sources, parts, owners = [], [], []
    for k, name in enumerate(sorted(articles)):
        lang = ("kk", "ru", "en")[k % 3]
        sources.append((name, lang, unit_set("\n\n".join(p[lang] for p in articles[name]), lexicon, lang)))
        for target in ("kk", "ru", "en"):
            if target == lang:
                continue
            for n, passage in enumerate(articles[name]):
                units = unit_set(passage[target], lexicon, target, text_sentences(passage[target]), stride=1)
                parts.append(units)
                owners += [(name, f"{name}/{n}/{target}")] * len(units)
    queries = SentenceSet(*(np.concatenate([getattr(u, f) for u in parts]) for f in
                            ("starts", "ends", "languages", "hashes", "codes", "vectors")))
    return sources, queries, owners


def _timed_search(database: str, queries, model: str, use_index: bool, nprobe: int) -> dict:
    """One search of ``queries`` in a fresh process (its peak RSS is the check's, not the fill's)."""
    from plagcheck.semantic import search
    from plagcheck.settings import Settings
    from plagcheck.store import Store
    from plagcheck.unit_index import load_unit_index

    with Store(database) as store:
        started = time.perf_counter()
        index = load_unit_index(store, model) if use_index else None
        load = time.perf_counter() - started
        started, cpu = time.perf_counter(), time.process_time()
        best = search(store, model, queries, Settings().candidate_top_k, index=index, nprobe=nprobe)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"load_seconds": round(load, 2), "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
            "peak_rss_mb": _peak_rss_mb(), "best": {lang: (b.cos, b.doc, b.index) for lang, b in best.items()}}


def _peak_rss_mb() -> float:
    """This process's peak resident memory since it started (``VmHWM``: ``ru_maxrss`` would count
    the memory of the process that started it too)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _exact_search(database: str, queries, model: str, top_k: int) -> dict:
    """The reference: each query's ``top_k`` corpus units of each language by exact int8 cosine,
    over every stored unit (a batch of documents at a time)."""
    from plagcheck.semantic import SentenceSet
    from plagcheck.store import Store
    from plagcheck.unit_index import _unit_vectors

    x = _unit_vectors(queries.vectors)
    best: dict[int, tuple] = {}
    with Store(database) as store:
        for rows in store.sentence_rows(model, batch=50):
            sets = [(doc_id, SentenceSet.from_bytes(head, vectors)) for doc_id, head, vectors in rows]
            languages = np.concatenate([s.languages for _, s in sets])
            docs = np.concatenate([np.full(len(s), doc_id, dtype=np.int64) for doc_id, s in sets])
            index = np.concatenate([np.arange(len(s), dtype=np.int64) for _, s in sets])
            y = _unit_vectors(np.concatenate([s.vectors for _, s in sets]))
            for language in np.unique(languages).tolist():
                at = np.flatnonzero(languages == language)
                cos = x @ y[at].T
                top = np.argsort(-cos, axis=1)[:, :top_k]
                new = (np.take_along_axis(cos, top, axis=1), docs[at][top], index[at][top])
                if language in best:
                    new = tuple(np.concatenate([a, b], axis=1) for a, b in zip(best[language], new))
                    keep = np.argsort(-new[0], axis=1, kind="stable")[:, :top_k]
                    new = tuple(np.take_along_axis(a, keep, axis=1) for a in new)
                best[language] = new
    return best


def _in_fresh_process(function, *args):
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(function, args)


def search_speed(theses: int, units: int, queries: int, thesis_units: int = 3000, nprobe: int | None = None,
                 flat: bool = True, folder: Path | None = None, seed: int = 1, reuse: bool = False) -> dict:
    """The candidate step's search over ``theses`` synthetic theses of ``units`` units
    (:func:`synthetic_corpus`) plus the parallel set's sources: the flat scan (``queries`` units,
    scaled to ``thesis_units``) and the ANN index (built as the reindex builds it; a whole
    thesis's ``thesis_units`` units), each in a fresh process; and the candidate recall of both
    on the parallel set's translations (each unit's 2 nearest of each language at or above
    ``candidate_min_cos``: how many find a unit of their source, how many passages have one that
    does, and the share of the exact 2 nearest (int8 cosine over every unit) each one finds)."""
    from plagcheck import defaults
    from plagcheck.lexicon import load_lexicon
    from plagcheck.settings import Settings
    from plagcheck.store import Store
    from plagcheck.unit_index import build_unit_index, read_directory

    nprobe = nprobe or defaults.UNIT_INDEX_NPROBE
    lexicon = load_lexicon(defaults.LEXICON)
    model = lexicon.name
    sources, cases, owners = parallel_cases(lexicon)
    tmp = tempfile.TemporaryDirectory() if folder is None else None
    database = str(Path(tmp.name if tmp else folder) / f"units-{theses}.db")
    reused = reuse and Path(database).exists()
    if not reused:
        Path(database).unlink(missing_ok=True)
    names = {}
    with Store(database) as store:
        started = time.perf_counter()
        if reused:  # the units of an earlier run (--reuse): only the index is built again
            names = {d.path: d.id for d in store.documents()}
        else:
            batch = []
            for k, units_of in enumerate(synthetic_corpus(theses, units, seed)):
                batch.append((f"thesis-{k}", None, "", units_of))
                if len(batch) == 50 or k == theses - 1:
                    _fill(store, batch, names, model)
                    batch = []
            _fill(store, [(name, None, "", units_of) for name, _, units_of in sources], names, model)
        fill = time.perf_counter() - started
        corpus_units = store.semantic_state(model)["sentences"]
        built = None
        if not reused or read_directory(store, store.generation, model) is None:
            built = build_unit_index(store, model, min_units=0)
        meta = read_directory(store, store.generation, model)[0]
        size = store.database_bytes()  # the WAL folded in
    rng = np.random.default_rng(seed)
    # a checked thesis's units: real-vector units of another synthetic thesis
    thesis = next(synthetic_corpus(1, thesis_units, seed + 1000))
    point = {"theses": theses, "units_per_thesis": units, "corpus_units": corpus_units,
             "fill_seconds": None if reused else round(fill, 1), "db_bytes_per_thesis": size // (theses + len(sources)),
             "index_build_seconds": built.seconds if built else None,
             "index_bytes_per_thesis": meta["bytes"] // (theses + len(sources)),
             "index_lists": meta["lists"], "index_shards": meta["shards"], "nprobe": nprobe}
    ann = _in_fresh_process(_timed_search, database, thesis, model, True, nprobe)
    point["ann"] = {k: v for k, v in ann.items() if k != "best"}
    if flat:
        sample = thesis.subset(np.sort(rng.choice(len(thesis), min(queries, len(thesis)), replace=False)))
        flat_run = _in_fresh_process(_timed_search, database, sample, model, False, nprobe)
        point["flat"] = {k: v for k, v in flat_run.items() if k != "best"}
        point["flat"]["thesis_cpu_seconds"] = round(flat_run["cpu_seconds"] * len(thesis) / len(sample), 1)
        point["flat"]["thesis_seconds"] = round(flat_run["seconds"] * len(thesis) / len(sample), 1)
    floor = Settings().candidate_min_cos
    recall = {}
    runs = {"ann": _in_fresh_process(_timed_search, database, cases, model, True, nprobe)["best"]}
    runs["flat"] = _in_fresh_process(_timed_search, database, cases, model, False, nprobe)["best"]
    runs["exact"] = _exact_search(database, cases, model, Settings().candidate_top_k)
    source_id = {name: names[name] for name, _, _ in sources}
    tops = {}
    for how, best in runs.items():
        found = np.zeros(len(cases), dtype=bool)
        top = [set() for _ in range(len(cases))]
        for lang, (cos, doc, index) in best.items():
            for r in range(len(cases)):
                keep = cos[r] >= floor
                top[r] |= {(int(d), int(i)) for d, i in zip(doc[r][keep], index[r][keep])}
                found[r] |= bool((doc[r][keep] == source_id[owners[r][0]]).any())
        passages = {owners[r][1] for r in np.flatnonzero(found)}
        recall[how] = {"units_finding_their_source": int(found.sum()), "passages_found": len(passages)}
        tops[how] = top
    recall["query_units"] = len(cases)
    recall["passages"] = len({o[1] for o in owners})
    exact = max(sum(len(a) for a in tops["exact"]), 1)
    for how in ("flat", "ann"):  # the share of the exact top 2 (at or above the floor) each one finds
        recall[how]["top2_of_exact"] = round(sum(len(a & b) for a, b in zip(tops["exact"], tops[how])) / exact, 3)
    point["recall"] = recall
    if tmp:
        tmp.cleanup()
    return point


def _text_theses(theses: int, units: int, pools: dict, lexicon, seed: int):
    """Like :func:`synthetic_corpus`, with texts: each thesis is real sentences of texts of its
    language (``pools``: per language, each text's sentences and their word-vector sums),
    shuffled, in paragraphs of six; its units are every three of its sentences. Yields
    ``(language, text, units)``."""
    rng = np.random.default_rng(seed)
    names = list(THESIS_LANGUAGES)
    for _ in range(theses):
        lang = names[rng.choice(len(names), p=list(THESIS_LANGUAGES.values()))]
        pool = pools[lang]
        pieces, sums = [], []
        while len(pieces) < 3 * units:
            for k in rng.permutation(len(pool)):
                order = rng.permutation(len(pool[k][0]))
                pieces += [pool[k][0][i] for i in order]
                sums.append(pool[k][1][order])
                if len(pieces) >= 3 * units:
                    break
        pieces, sums = pieces[:3 * units], np.concatenate(sums)[:3 * units]
        parts, starts, ends, at = [], [], [], 0
        for i, piece in enumerate(pieces):
            separator = "" if i == 0 else ("\n\n" if i % 6 == 0 else " ")
            at += len(separator)
            starts.append(at)
            at += len(piece)
            ends.append(at)
            parts.append(separator + piece)
        yield lang, "".join(parts), _unit_vectors(lexicon, sums, lang, np.array(starts[0::3], dtype=np.int32),
                                                  np.array(ends[2::3], dtype=np.int32))


def _fill_text_theses(store, point: dict, theses: int, units: int, pools: dict, lexicon, seed: int, articles: dict,
                      source_language: dict) -> None:
    """Store :func:`_text_theses` with their units, add the parallel articles as any document is,
    and build the ANN index; the times go to ``point``."""
    from plagcheck.ingest import add_document
    from plagcheck.models import Document
    from plagcheck.unit_index import build_unit_index

    started = time.perf_counter()
    batch = []
    for k, (lang, text, thesis_units) in enumerate(_text_theses(theses, units, pools, lexicon, seed)):
        batch.append((f"thesis-{k}", lang, text, thesis_units))
        if len(batch) == 50 or k == theses - 1:
            _fill(store, batch, {}, lexicon.name, anchors=True)
            batch = []
    point["fill_seconds"] = round(time.perf_counter() - started, 1)
    for name, parts in articles.items():
        lang = source_language[name]
        add_document(store, Document(path=name, format="txt", text="\n\n".join(p[lang] for p in parts)),
                     {"language": lang})
    built = build_unit_index(store, lexicon.name, min_units=0)
    point["index_build_seconds"] = built.seconds if built else None


def end_to_end(theses: int, units: int = 1000, thesis_words: int = 60000, passages: int = 12, seed: int = 5,
               folder: Path | None = None, reuse: bool = False, pages: bool = False) -> dict:
    """A whole check with the semantic layer of a 200-page thesis against ``theses`` theses.

    The corpus: ``theses`` theses of ``units`` units with their texts (:func:`_text_theses`, from
    every benchmark text but those drawn for the checked thesis), the parallel set's 74 articles
    added as any document is (each in one language, a third each), and the candidate step's ANN
    index built as ``reindex`` builds it. The checked thesis: paragraphs of the drawn Kazakh and
    Russian texts (a third of all texts; no corpus thesis has their sentences) up to
    ``thesis_words`` words, with ``passages`` passages inserted, each the Kazakh version of a
    passage of an article whose corpus copy is Russian or English (``pages``: the whole article, 2-5
    paragraphs, as a translated page). It is checked twice in one process, as the check service
    would check two theses: the first check loads the index, the second finds it in memory (the
    cache of embedded corpus sentences is emptied between them, so the second embeds its
    candidates again). Reported: each check's time by step, the candidates, peak RSS, and the
    passages found (a translation match of the passage's source overlapping it), the share of the
    passages' characters such matches cover, and the matches that are not a passage.

    The corpus theses draw on a few hundred texts, so each real sentence recurs in many theses
    (about 30 times at 100 theses): the same-topic neighbours of a checked unit are repeated
    many times over, which no real corpus does. What this measures is the time and memory of a
    check at the corpus's size; its recall is a pessimistic bound (the translation benchmark
    measures recall).
    """
    import random

    from benchmarks.detection import load_parallel, load_texts, parallel_key
    from plagcheck import defaults, semantic
    from plagcheck.check import check_document
    from plagcheck.lexicon import load_lexicon
    from plagcheck.models import Document
    from plagcheck.store import Store

    lexicon = load_lexicon(defaults.LEXICON)
    rng = random.Random(seed)
    texts = load_texts()
    rng.shuffle(texts)
    drawn = [t for t in texts if t.language in ("kk", "ru")][: len(texts) // 3]  # as honest_thesis
    keys = {parallel_key(t.name) for t in drawn}
    pools = {lang: [pool for pool in (_sentences_and_sums(lexicon, t.text) for t in texts
                                      if t.language == lang and parallel_key(t.name) not in keys) if pool[0]]
             for lang in THESIS_LANGUAGES}
    articles = load_parallel()
    source_language = {name: ("kk", "ru", "en")[k % 3] for k, name in enumerate(sorted(articles))}
    tmp = tempfile.TemporaryDirectory() if folder is None else None
    database = Path(tmp.name if tmp else folder) / f"e2e-{theses}.db"
    reused = reuse and database.exists()  # the corpus and index of an earlier run (the same seed)
    if not reused:
        database.unlink(missing_ok=True)
    point: dict = {"theses": theses, "units_per_thesis": units}
    with Store(database) as store:
        if not reused:
            _fill_text_theses(store, point, theses, units, pools, lexicon, seed, articles, source_language)
        point["corpus_units"] = store.semantic_state(lexicon.name)["sentences"]
        point["database_mb"] = store.database_bytes() // 2**20
        # the checked thesis: drawn paragraphs, with translated passages between them
        body = _thesis_paragraphs(drawn, rng, thesis_words)
        foreign = sorted(name for name in articles if source_language[name] != "kk")
        chosen = rng.sample(foreign, min(passages, len(foreign)))
        inserts = dict(zip(rng.sample(range(len(body)), min(len(chosen), len(body))), chosen))
        text, cases = "", []
        for i, paragraph in enumerate(body):
            if i in inserts:
                name = inserts[i]
                passage = rng.choice(articles[name])["kk"]
                if pages:  # the article's every paragraph: a translated page rather than a paragraph
                    passage = "\n\n".join(p["kk"] for p in articles[name])
                text += ("\n\n" if text else "")
                cases.append((name, len(text), len(text) + len(passage)))
                text += passage
            text += ("\n\n" if text else "") + paragraph
        point["thesis_words"] = len(text.split())
        point["passages"] = len(cases)
        point["passage_words"] = sum(len(text[start:end].split()) for _, start, end in cases)
        names = {d.id: d.path for d in store.documents()}

        def of_case(match, case) -> bool:  # a match of the case's source overlapping it
            name, start, end = case
            return names[match.source_id] == name and match.this_start < end and start < match.this_end

        checks = []
        for _ in range(2):
            semantic._CACHE.rows.clear()
            started = time.perf_counter()
            cpu = time.process_time()
            result = check_document(store, Document(path="thesis.txt", format="txt", text=text),
                                    metadata={"language": "kk"})
            state = result.corpus["semantic"]
            translations = [m for m in result.matches if m.kind == semantic.TRANSLATION]
            found = [case for case in cases if any(of_case(m, case) for m in translations)]
            covered = sum(len({i for m in translations if of_case(m, case)
                               for i in range(max(m.this_start, case[1]), min(m.this_end, case[2]))})
                          for case in cases)
            stray = [m for m in result.matches if not any(of_case(m, case) for case in cases)]
            checks.append({"seconds": round(time.perf_counter() - started, 1),
                           "cpu_seconds": round(time.process_time() - cpu, 1),
                           "timings": {k: round(v, 1) for k, v in result.timings.items()},
                           "candidate_documents": state.get("candidate_documents", 0),
                           "sentences_compared": state.get("sentences_compared", 0),
                           "passages_found": len(found),
                           "passage_characters_found": round(covered / sum(end - start for _, start, end in cases), 3),
                           "other_matches": [(m.kind, m.words, names[m.source_id]) for m in stray],
                           "peak_rss_mb": round(_peak_rss_mb(), 1)})
        point["first_check"], point["served_check"] = checks
    if tmp:
        tmp.cleanup()
    return point


def _fill(store, rows, names: dict, model: str, anchors: bool = False) -> None:
    """Store synthetic documents ``(name, language or None, text, units)`` in one transaction: a
    document row with the text (no lexical index entries) and the units as the store stores a
    document's; with ``anchors``, also its passages and translation anchors' fingerprints, as
    :func:`plagcheck.ingest.add_document` files them (the candidate step's second channel)."""
    from plagcheck.index import anchor_prints
    from plagcheck.normalize import tokenize
    from plagcheck.passages import corpus_passages
    from plagcheck.storage import ANCHORS

    with store.transaction():
        for name, language, text, units in rows:
            doc_id = store.insert_document(content_hash=name, path=name,
                                           metadata={"language": language} if language else {}, format="txt",
                                           text=text, words=len(text.split()), pages=None)
            names[name] = doc_id
            store.put_sentence_vectors(doc_id, model, len(units), units.head_bytes(), units.vector_bytes())
            if anchors:
                tokens = tokenize(text)
                passages = corpus_passages(tokens, store.params.passage_words)
                keys, owner = anchor_prints(text, tokens, passages)
                first = store.register_passages(doc_id, passages)
                store.append_bucket_entries(keys, (first + owner).astype(np.uint32), table=ANCHORS)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--theses", type=int, nargs="+", default=[100])
    parser.add_argument("--sentences", type=int, default=1000, help="units (of three sentences) per corpus thesis")
    parser.add_argument("--queries", type=int, default=300, help="checked units the flat scan searches (scaled)")
    parser.add_argument("--thesis-sentences", type=int, default=3000,
                        help="units of the 200-page checked thesis (one starts at every sentence)")
    parser.add_argument("--nprobe", type=int, default=None, help="inverted lists searched (default: the product's)")
    parser.add_argument("--no-flat", action="store_true", help="measure the ANN index only")
    parser.add_argument("--folder", type=Path, help="keep the corpus databases here")
    parser.add_argument("--reuse", action="store_true",
                        help="with --folder: search the units (and the index) a run left there")
    parser.add_argument("--no-embedding", action="store_true", help="skip the embedding rates")
    parser.add_argument("--honest-thesis", type=int, default=0, metavar="WORDS",
                        help="also check a thesis of WORDS words with no reuse against the benchmark texts")
    parser.add_argument("--end-to-end", type=int, nargs="+", default=[], metavar="THESES",
                        help="check a 200-page thesis with translated passages, whole, against THESES theses")
    parser.add_argument("--pages", action="store_true",
                        help="with --end-to-end: each translated passage is a whole article (2-5 paragraphs)")
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
    if args.end_to_end:
        figures["end_to_end"] = []
        for theses in args.end_to_end:
            point = end_to_end(theses, args.sentences, folder=args.folder, reuse=args.reuse, pages=args.pages)
            figures["end_to_end"].append(point)
            print(json.dumps(point))
        if args.json:
            args.json.write_text(json.dumps(figures, indent=2))
        return 0
    figures["units"] = unit_rates()
    for lang, f in figures["units"].items():
        print(f"static units {lang}: a {f['words']}-word thesis in {f['seconds']} s ({f['units']} units, "
              f"{f['units_bytes'] // 1024} KB); 10,000 theses: {f['hours_at_10000_theses']} h")
    figures["search"] = []
    for theses in args.theses:
        point = search_speed(theses, args.sentences, args.queries, args.thesis_sentences, args.nprobe,
                             flat=not args.no_flat, folder=args.folder, reuse=args.reuse)
        figures["search"].append(point)
        print(json.dumps(point))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
