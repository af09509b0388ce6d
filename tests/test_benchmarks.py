"""The benchmarks stay runnable: PAN measures on known cases, and a tiny detection run."""

from __future__ import annotations

import math

from benchmarks.pan_measures import Span, score


def _span(doc, src, a, b, c, d):
    return Span(doc, src, a, b, c, d)


def test_perfect_detection():
    cases = [_span("d", "s", 0, 100, 0, 100)]
    scores = score(cases, list(cases))
    assert (scores.precision, scores.recall, scores.granularity, scores.plagdet) == (1.0, 1.0, 1.0, 1.0)


def test_half_detection_and_granularity():
    case = _span("d", "s", 0, 100, 0, 100)
    halves = [_span("d", "s", 0, 50, 0, 50), _span("d", "s", 50, 100, 50, 100)]
    scores = score([case], halves)
    assert scores.recall == 1.0 and scores.precision == 1.0
    assert scores.granularity == 2.0
    assert math.isclose(scores.plagdet, 1 / math.log2(3))
    partial = score([case], [_span("d", "s", 0, 50, 0, 50)])
    assert partial.recall == 0.5 and partial.precision == 1.0


def test_wrong_source_or_no_overlap_detects_nothing():
    case = _span("d", "s", 0, 100, 0, 100)
    scores = score([case], [_span("d", "other", 0, 100, 0, 100), _span("d", "s", 200, 300, 0, 100)])
    assert scores.recall == 0.0 and scores.precision == 0.0


def test_false_positive_on_negative_document_lowers_precision():
    scores = score([_span("d", "s", 0, 100, 0, 100)],
                   [_span("d", "s", 0, 100, 0, 100), _span("neg", "s", 0, 100, 0, 100)])
    assert scores.precision == 0.5


def test_tiny_detection_benchmark_runs():
    from benchmarks.detection import CORPUS_TEXTS, run

    # On the repository's own texts, so that it runs (and runs alike) on every machine.
    figures = run(sources=6, suspicious_per_type=1, negatives=2, base_words=400, seed=3, folders=[CORPUS_TEXTS])
    overall = figures["scores"]["overall"]
    assert overall["cases"] > 0
    assert overall["plagdet"] > 0.8
    assert figures["negatives_with_matches"] == 0
    short = figures["scores"]["short"]  # single copied sentences of 8-25 words
    assert short["cases"] > 0 and short["recall"] > 0.5


def test_tiny_ocr_benchmark_runs(tmp_path):
    """One clean Kazakh page at 300 dpi, and one Russian source copied as a picture in a DOCX."""
    from benchmarks.ocr import CORPUS_TEXTS, run_accuracy, run_detection

    [row] = run_accuracy(1, 40, [CORPUS_TEXTS], tmp_path, languages=("kk",), dpis=(300,), conditions=("clean",))
    assert row["pages"] == 1 and row["accuracy"] > 0.9 and row["pages_per_second"] > 0
    detection = run_detection(1, [CORPUS_TEXTS], tmp_path, languages=("ru",), forms=("docx_picture",))
    figures = detection["by_form"]["docx_picture"]
    assert figures["documents"] == 1 and figures["recall"] > 0.8 and figures["false_sources"] == 0


def test_benchmarks_say_in_one_line_when_the_seed_texts_are_absent(tmp_path, monkeypatch):
    from benchmarks import detection

    monkeypatch.setattr(detection, "SEED_TEXTS", tmp_path)
    assert detection.seed_texts_note() is None
    monkeypatch.setattr(detection, "SEED_TEXTS", tmp_path / "missing")
    monkeypatch.setattr(detection, "TEXTS", detection.ROOT / "no-such-folder")  # (converted UD texts, if any)
    note = detection.seed_texts_note()
    assert "\n" not in note and str(tmp_path / "missing") in note and "using corpus/texts/ only" in note


def test_tiny_speed_benchmark_runs(tmp_path):
    from benchmarks.speed import format_report, run

    report = run([4], pdf_theses=1, pdf_pages=3, low=1200, high=2000, seed=5, processes=1, brute_force=True,
                 workdir=tmp_path, check_runs=1)
    (point,) = report["points"]
    assert report["throughput"]["pages_per_second"] > 0
    assert point["copied_sources_found"] == "4/4"
    assert point["false_sources"] == 0
    # The copied pages give brute force pairs to find; LSH finds (nearly) all of them.
    assert point["brute_force_pairs"] > 20
    assert point["lsh_recall"] >= 0.9 and point["lsh_passage_recall"] >= 0.9
    assert point["index_kb_per_thesis"] > 0 and point["check_peak_rss_mb"] > 0
    assert point["served_check_seconds"] > 0 and point["service_peak_rss_mb"] > 50  # it holds the stages
    assert "theses" in format_report(report)


def test_synthetic_theses_are_indexed_as_the_pipeline_would_index_their_text():
    """The scale fill skips the tokenizer; what it writes must equal what the pipeline computes."""
    import numpy as np

    from benchmarks.speed import _prepare_generated
    from plagcheck.ingest import prepare_document
    from plagcheck.settings import IndexParams

    params = IndexParams()
    fast = _prepare_generated((3, 2500, 5, params))
    real = prepare_document(fast.document, params)
    assert fast.words == real.words == 2500
    assert fast.passages == real.passages
    assert np.array_equal(fast.keys, real.keys)
    assert fast.stems == real.stems


def test_bulk_fill_writes_the_index_the_pipeline_writes(tmp_path):
    """The 100,000-thesis fill looks stems and hashes up and files bucket entries at the end; the
    database it leaves must answer as one filled document by document through the pipeline."""
    import random
    import zlib

    import numpy as np

    from benchmarks.speed import _bulk_generated, _prepare_generated, bulk_fill
    from plagcheck.ingest import store_many
    from plagcheck.settings import IndexParams
    from plagcheck.store import ANCHORS, PRINTS, Store

    params = IndexParams()
    k, text, digest, compressed, words, passages, keys, _, prints, anchors = _bulk_generated((3, 2500, 5, params))
    real = _prepare_generated((3, 2500, 5, params))
    assert text == real.document.text and zlib.decompress(compressed).decode() == text
    assert digest == real.content_hash and words == real.words
    assert passages == real.passages and np.array_equal(keys, real.keys)
    assert all(np.array_equal(a, b) for a, b in zip(prints, real.prints))
    assert all(np.array_equal(a, b) for a, b in zip(anchors, real.anchors))

    with Store(tmp_path / "bulk.db", params) as bulk, Store(tmp_path / "piece.db", params) as piece:
        bulk_fill(bulk, 0, 5, 800, 1600, 5, processes=1, spill=tmp_path / "spill", per_transaction=2)
        rng = random.Random(5)  # the lengths bulk_fill draws
        lengths = [rng.randint(800, 1600) for _ in range(5)]
        list(store_many(piece, [_prepare_generated((k, n, 5, params)) for k, n in enumerate(lengths)]))
        assert bulk.document_count() == piece.document_count() == 5
        for doc_b, doc_p in zip(bulk.documents(), piece.documents()):
            assert bulk.document_text(doc_b.id) == piece.document_text(doc_p.id)
            assert bulk.document_passages(doc_b.id) == piece.document_passages(doc_p.id)
            assert (doc_b.chars, doc_b.words) == (doc_p.chars, doc_p.words)
        all_keys = np.concatenate([_prepare_generated((k, n, 5, params)).keys.reshape(-1)
                                   for k, n in enumerate(lengths)])
        assert sorted(bulk.lookup_buckets(all_keys)) == sorted(piece.lookup_buckets(all_keys))
        all_prints = np.concatenate([_prepare_generated((k, n, 5, params)).prints[0] for k, n in enumerate(lengths)])
        found = sorted(bulk.lookup_buckets(all_prints, table=PRINTS))
        assert found and found == sorted(piece.lookup_buckets(all_prints, table=PRINTS))
        all_anchors = np.concatenate([_prepare_generated((k, n, 5, params)).anchors[0] for k, n in enumerate(lengths)])
        found = sorted(bulk.lookup_buckets(all_anchors, table=ANCHORS))
        assert found and found == sorted(piece.lookup_buckets(all_anchors, table=ANCHORS))
        terms = list(dict.fromkeys(real.stems))
        assert bulk.document_frequencies(terms) == piece.document_frequencies(terms)
        assert not list((tmp_path / "spill").iterdir())


def test_short_cases_are_single_sentences_of_8_to_25_words():
    import random

    from benchmarks.detection import Text, _WORD_RE, generate

    texts = [Text(f"t{n}", "en", " ".join(f"Text {n} sentence {k} has {'many ' * k}words in it." for k in range(1, 30)))
             for n in range(4)]
    _, docs = generate(texts, random.Random(1), sources=1, suspicious_per_type=3, negatives=0, base_words=100)
    cases = [(d, c) for d in docs if d.obfuscation == "short" for c in d.cases]
    assert cases
    by_name = {t.name: t.text for t in texts}
    for doc, case in cases:
        copied = doc.text[case["this_start"]:case["this_end"]]
        assert copied == by_name[case["source"]][case["source_start"]:case["source_end"]]
        assert copied.startswith("Text") and copied.endswith(".") and 8 <= len(_WORD_RE.findall(copied)) <= 25


def test_another_language_version_of_a_source_is_never_original_material():
    """XQuAD's ru and en contexts translate each other: with the semantic layer on, a negative
    document made of the other version of a source would rightly be flagged."""
    import random

    from benchmarks.detection import Text, generate

    def text(name, language, n):
        return Text(name, language, "\n".join(f"Paragraph {n} line {k} says {'much ' * k}about it here." for k in range(1, 20)))

    texts = [text(f"xquad/{lang}-xquad-0{n}-Topic_{n}.txt", lang, 10 * n + i)
             for n in range(1, 7) for i, lang in enumerate(("ru", "en"))]
    for seed in range(5):
        sources, docs = generate(texts, random.Random(seed), sources=3, suspicious_per_type=1, negatives=3,
                                 base_words=60)
        used = {t.name[-11:] for t in sources}  # "Topic_N.txt" with the context number
        for doc in docs:
            for t in texts:
                if t.name[-11:] in used and t not in sources:  # the other version of a source
                    assert not any(line in doc.text for line in t.text.split("\n"))


def test_paragraphs_repeated_across_benchmark_texts_are_dropped():
    """A paragraph two public texts share would be real reuse the ground truth does not know of."""
    from benchmarks.detection import Text, without_repeated_paragraphs

    first = Text("a", "kk", "Зере Абайдың әжесі болған деп жазылады\nalpha beta gamma delta epsilon zeta")
    second = Text("b", "kk", "зере абайдың әжесі болған деп жазылады екен\nunrelated words stay here as they were")
    out = without_repeated_paragraphs([first, second])
    assert out[0] == first
    assert out[1].text == "unrelated words stay here as they were"


def test_brute_force_term_ids_follow_the_vocabulary_they_are_given(tmp_path):
    """Two scale points in one run each build their own vocabulary: ids cached for the first must
    not leak into the second (they did, and indexed past the end of the second's IDF)."""
    from benchmarks.speed import _corpus_term_ids, _prepare_generated
    from plagcheck.ingest import store_many
    from plagcheck.settings import IndexParams
    from plagcheck.store import Store

    with Store(tmp_path / "s.db", IndexParams()) as store:
        list(store_many(store, [_prepare_generated((k, 600, 5, store.params)) for k in range(2)]))
        doc = store.documents()[0]
        first: dict[str, int] = {"already": 0, "there": 1}
        ids_first = _corpus_term_ids(store, doc, 5, first)
        second: dict[str, int] = {}
        ids_second = _corpus_term_ids(store, doc, 5, second)
        assert ids_second.max() < len(second)
        terms_first = {v: k for k, v in first.items()}
        terms_second = {v: k for k, v in second.items()}
        assert [terms_first[i] for i in ids_first] == [terms_second[i] for i in ids_second]
        assert [terms_second[i] for i in ids_second] == _prepare_generated((0, 600, 5, store.params)).stems


def test_translation_cases_insert_the_target_version_of_a_corpus_passage():
    import random

    from benchmarks.detection import DIRECTIONS, Text, generate_translations

    articles = {f"a{n}": [{lang: f"{lang} article {n} passage {k} says something." for lang in ("kk", "ru", "en")}
                          for k in range(3)] for n in range(10)}
    texts = [Text(f"{lang}{n}", lang, "\n".join(f"{lang} original text {n} paragraph {k} " + "word " * 20
                                                  for k in range(5))) for lang in ("kk", "ru", "en") for n in range(4)]
    corpus, docs = generate_translations(articles, texts, random.Random(2), per_direction=2, negatives=4,
                                         distractors=1, base_words=60)
    by_name = {t.name: t for t in corpus}
    assert {d.obfuscation for d in docs} == {f"translation_{s}_{t}" for s, t in DIRECTIONS} | {"negative"}
    for doc in docs:
        for case in doc.cases:
            inserted = doc.text[case["this_start"]:case["this_end"]]
            source = by_name[case["source"]]
            original = source.text[case["source_start"]:case["source_end"]]
            _, s, t = doc.obfuscation.split("_")
            assert source.language == s and original.startswith(f"{s} article") and inserted.startswith(f"{t} article")
            assert inserted.replace(f"{t} ", f"{s} ", 1) == original
    held = {name.split("-", 1)[1] for name in by_name if not name.startswith("distractor")}
    negatives = [d for d in docs if d.obfuscation == "negative"]
    assert negatives and all(not d.cases for d in negatives)
    assert any("article" in d.text and not any(f"article {n[1:]} " in d.text for n in held) for d in negatives)


def test_paraphrase_rewrites_words_and_sentences_of_the_passage_only():
    import random
    import re

    from benchmarks.detection import PARAPHRASE_STRENGTHS, paraphrase

    passage = ("Первое предложение о школьной жизни, оно довольно длинное и спокойное. Второе предложение "
               "рассказывает о педагогах и учениках. Третье предложение, тоже длинное, говорит о занятиях "
               "в классе и дома. Четвёртое предложение завершает абзац кратким выводом.")
    fillers = ["вставка", "слово"]
    words = lambda text: re.findall(r"\w+", text.casefold())  # noqa: E731
    allowed = set(words(passage)) | set(fillers)
    low, high = [], []
    for seed in range(20):
        for strength, out in (("low", low), ("high", high)):
            text = paraphrase(passage, random.Random(seed), fillers, PARAPHRASE_STRENGTHS[strength])
            assert set(words(text)) <= allowed and text[-1] == "."
            out.append(text)
    assert len(set(low)) > 10 and len(set(high)) > 10 and passage not in low + high
    kept = lambda texts: sum(len(set(words(t)) & set(words(passage))) for t in texts)  # noqa: E731
    assert kept(high) < kept(low) < 20 * len(set(words(passage)))  # high deletes more
    inserted = lambda texts: sum(sum(w in fillers for w in words(t)) for t in texts)  # noqa: E731
    assert 0 < inserted(low) < inserted(high)


def test_paraphrase_cases_are_rewritten_passages_of_same_language_corpus_texts():
    import random

    from benchmarks.detection import CORPUS_TEXTS, generate_paraphrases, load_texts

    corpus, docs = generate_paraphrases(load_texts([CORPUS_TEXTS]), random.Random(5), sources_per_language=3,
                                        per_cell=2, negatives=4, base_words=100)
    by_name = {t.name: t for t in corpus}
    assert sorted(t.language for t in corpus) == ["en"] * 3 + ["kk"] * 3 + ["ru"] * 3
    assert {d.obfuscation for d in docs} == {f"paraphrase_{lang}_{strength}" for lang in ("kk", "ru", "en")
                                             for strength in ("low", "high")} | {"negative"}
    for doc in docs:
        for case in doc.cases:
            source = by_name[case["source"]]
            assert source.language == doc.obfuscation.split("_")[1]
            original = source.text[case["source_start"]:case["source_end"]]
            inserted = doc.text[case["this_start"]:case["this_end"]]
            assert len(original.split()) >= 60 and original[-1] in ".!?…" and inserted != original
            assert inserted not in "\n".join(t.text for t in corpus)
        if doc.obfuscation == "negative":
            assert not doc.cases
            # original text only: no paragraph of it comes from a corpus text
            assert not any(p in t.text for p in doc.text.split("\n") if p for t in corpus)


def test_tiny_paraphrase_benchmark_runs():
    """The semantic layer on paraphrases (PAN-style random obfuscation) of the sample corpus's texts."""
    from benchmarks.detection import CORPUS_TEXTS, run_paraphrase

    figures = run_paraphrase(sources_per_language=3, per_cell=1, negatives=3, base_words=150, seed=7,
                             folders=[CORPUS_TEXTS])
    assert figures["negatives_with_matches"] == 0
    for strength in ("low", "high"):
        scores = figures["scores"][f"paraphrase_{strength}"]
        assert scores["cases"] >= 3 and scores["precision"] > 0.9 and scores["recall"] > 0.5
    recovered = figures["recovered_characters"]["overall"]
    assert recovered["semantic"] > 0.2 * recovered["total"]  # not the lexical detectors alone


def test_tiny_web_benchmark_runs():
    """The web cabinet's benchmark (benchmarks/web.py) on a few hundred jobs: every page answers,
    as the right user (the report pages are a real report, the jobs page lists jobs)."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, "-m", "benchmarks.web", "--jobs", "150", "--requests", "2", "--json"],
                            cwd=root, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout)
    for user in ("secretary", "admin"):
        pages = figures["pages"][user]
        assert set(pages) >= {"jobs page (first)", "report page", "report frame (HTML report)"}
        assert all(page["median_ms"] > 0 and page["bytes"] > 1000 for page in pages.values())
        assert pages["report frame (HTML report)"]["bytes"] > 30_000  # the whole thesis, highlighted


def test_tiny_semantic_search_benchmark_runs(tmp_path):
    """benchmarks/semantic_speed.py's search on a few synthetic theses: the ANN index is built and
    searched, the flat scan timed, and both find translation sources of the parallel set."""
    import pytest

    from benchmarks.detection import PARALLEL
    from benchmarks.semantic_speed import search_speed

    if not (PARALLEL / "meta.jsonl").exists():
        pytest.skip(f"no parallel set at {PARALLEL}")
    point = search_speed(3, 60, 20, thesis_units=100, folder=tmp_path)
    assert point["corpus_units"] > 180 and point["index_bytes_per_thesis"] > 0
    assert point["ann"]["seconds"] >= 0 and point["flat"]["thesis_seconds"] >= 0
    recall = point["recall"]
    assert recall["ann"]["passages_found"] > recall["passages"] / 2
    assert recall["flat"]["passages_found"] > recall["passages"] / 2


def test_tiny_semantic_end_to_end_benchmark_runs(tmp_path):
    """benchmarks/semantic_speed.py's whole check: a thesis with translated passages, checked
    twice against a few text theses and the parallel set's articles, finds its passages."""
    import pytest

    from benchmarks.detection import PARALLEL
    from benchmarks.semantic_speed import end_to_end

    if not (PARALLEL / "meta.jsonl").exists():
        pytest.skip(f"no parallel set at {PARALLEL}")
    point = end_to_end(3, 30, thesis_words=400, passages=2, folder=tmp_path)
    assert point["corpus_units"] >= 90 and point["passages"] == 2 and point["thesis_words"] >= 400
    for check in (point["first_check"], point["served_check"]):
        assert check["seconds"] > 0 and check["timings"]["semantic_embed"] > 0 and check["peak_rss_mb"] > 0
        assert check["passages_found"] >= 1 and check["other_matches"] == []
