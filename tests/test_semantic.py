"""The semantic layer: static candidate units, embeddings, sentence alignment by margin,
translations found with exact spans.

Real vectors of the bundled lexicon and model, kept small: one corpus of two short documents
(their static units come with them; no corpus sentence is embedded in advance), and checked
documents of a few paragraphs. The translations below were written for this test from a
paragraph of the sample corpus.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from plagcheck.check import check_document
from plagcheck.cli import cli
from plagcheck.embed import Embedder, get_embedder
from plagcheck.index import content_hash
from plagcheck.ingest import add_document, remove_document
from plagcheck.models import Document
from plagcheck.lexicon import load_lexicon
from plagcheck.semantic import (LANGUAGES, Pair, SentenceSet, _Best, candidate_hits, default_lexicon, embed_corpus,
                                 embed_text, extend_runs, growth, load_background, passage_margin, rescued_runs, runs,
                                 too_little_alone, too_little_for_a_paraphrase, unit_set)
from plagcheck import defaults
from plagcheck.settings import Settings
from plagcheck.store import Store

TEXTS = Path(__file__).resolve().parent.parent / "corpus" / "texts"
RU_SOURCE = (TEXTS / "ru" / "03-school-psychology.txt").read_text(encoding="utf-8")
RU_PARAGRAPH = RU_SOURCE.split("\n\n")[2]  # "Особенно востребована помощь психолога ..."
KK_TRANSLATION = (
    "Психологтың көмегі әсіресе мектеп өміріндегі өтпелі кезеңдерде қажет. Бірінші сыныпқа түсу, бастауыш "
    "мектептен негізгі мектепке өту, бітіру емтихандарына дайындық жоғары мазасыздықпен және көбінесе "
    "үлгерімнің төмендеуімен қатар жүреді. Бейімделуді уақтылы диагностикалау қолдауды қажет ететін "
    "балаларды анықтауға және сынып жетекшісімен бірге көмек жоспарын әзірлеуге мүмкіндік береді. Кейбір "
    "жағдайларда шағын өзгерістер жеткілікті: жүктемені басқаша бөлу, сенімді әңгіме, баланы өзінің күшті "
    "жақтарын көрсете алатын топтық жұмысқа тарту.")
EN_TRANSLATION = (
    "A psychologist's help is especially needed in the transitional periods of school life. Entering the "
    "first grade, moving from primary to lower secondary school and preparing for final examinations come "
    "with heightened anxiety and often with falling grades. A timely diagnosis of adaptation makes it "
    "possible to find the children who need support and, together with the class teacher, to draw up a plan "
    "of help. Sometimes small changes are enough: a different distribution of the workload, a confidential "
    "talk, drawing the child into group work where he can show his strengths.")
# The paragraphs before and after RU_PARAGRAPH in the source, translated like it
KK_BEFORE = (
    "Мектептің психологиялық қызметі әр оқушының толыққанды тұлғалық және зияткерлік дамуына жағдай жасауға "
    "арналған. Мектептегі психолог тек қиындықтарға тап болған балалармен ғана емес, бүкіл білім беру "
    "қауымдастығымен: оқушылармен, мұғалімдермен, ата-аналармен және әкімшілікпен жұмыс істейді. Оның қызметі "
    "диагностиканы, кеңес беруді, түзету-дамыту жұмысын және психологиялық ағартуды қамтиды.")
KK_AFTER = (
    "Жұмыстың едәуір бөлігін мұғалімдерге кеңес беру құрайды. Педагог оқушының мінез-құлқындағы өзгерістерді "
    "көбінесе басқалардан бұрын байқайды, бірақ оларға қалай дұрыс жауап беру керектігін әрдайым біле бермейді. "
    "Нақты жағдайларды бірлесіп талқылау мұғалімге мәселеге баланың көзімен қарауға және жазалауға жүгінбей, "
    "педагогикалық тұрғыдан негізделген стратегияны таңдауға көмектеседі.")
# Kazakh text on education (trilingual schooling), in no corpus document
KK_HOST = (TEXTS / "kk" / "05-trilingual-education.txt").read_text(encoding="utf-8").split("\n\n")


def _corpus_text() -> str:
    return "\n\n".join(RU_SOURCE.split("\n\n")[:4])


@pytest.fixture(scope="module")
def semantic_db(tmp_path_factory) -> Path:
    """A corpus of the Russian source and an unrelated English text, with their static units."""
    db = tmp_path_factory.mktemp("semantic") / "corpus.db"
    english = "\n\n".join((TEXTS / "en" / "01-reflective-practice.txt").read_text(encoding="utf-8").split("\n\n")[:3])
    with Store(db) as store:
        add_document(store, Document("ru-source.txt", "txt", _corpus_text()), {"language": "ru"})
        add_document(store, Document("en-other.txt", "txt", english), {"language": "en"})
        assert store.semantic_state(default_lexicon().name)["documents_embedded"] == 2
        assert store.semantic_state(get_embedder().name)["documents_embedded"] == 0
    return db


def _drop_units(store: Store, doc_id: int | None = None) -> None:
    """Make the store look like one from before the candidate step (no static units)."""
    with store.transaction():
        store.db.execute("DELETE FROM unit_vectors" + (" WHERE doc_id = ?" if doc_id else ""),
                         [doc_id] if doc_id else [])


def _with_insert(insert: str) -> tuple[str, int]:
    text = "\n\n".join([KK_HOST[1], insert, KK_HOST[2]])
    return text, text.index(insert)


def test_embedder_gives_unit_vectors_and_a_translation_is_nearer_than_another_sentence():
    embedder = get_embedder()
    assert isinstance(embedder, Embedder) and embedder.dimension == 384
    vectors = embedder.embed(["Бейімделуді уақтылы диагностикалау балаларды анықтауға мүмкіндік береді.",
                              "Своевременная диагностика адаптации позволяет выявить детей.",
                              "Футбольный клуб выиграл кубок страны в прошлое воскресенье."])
    assert vectors.dtype == np.float32 and vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.05


def test_sentence_sets_round_trip_through_bytes():
    embedder = get_embedder()
    text = "Бірінші сөйлем осында жазылған. Второе предложение написано здесь. The third sentence is here."
    sentences = embed_text(text, embedder, load_background(embedder.name, embedder.dimension))
    assert [LANGUAGES[c] for c in sentences.languages] == ["kk", "ru", "en"]
    again = SentenceSet.from_bytes(sentences.head_bytes(), sentences.vector_bytes())
    for name in ("starts", "ends", "languages", "hashes", "codes", "vectors"):
        assert np.array_equal(getattr(again, name), getattr(sentences, name))
    assert [text[s:e] for s, e in zip(again.starts, again.ends)][1] == "Второе предложение написано здесь."


def test_kazakh_translation_of_a_russian_paragraph_is_found_with_exact_spans(semantic_db):
    text, start = _with_insert(KK_TRANSLATION)
    with Store(semantic_db) as store:
        calls = []
        result = check_document(store, Document("thesis.txt", "txt", text), progress=lambda d, t: calls.append((d, t)))
        source_id = store.find_by_hash(content_hash(_corpus_text())).id
    (match,) = result.matches
    assert (match.kind, match.source_language, match.source_id) == ("translation", "ru", source_id)
    assert (match.this_start, match.this_end) == (start, start + len(KK_TRANSLATION))
    source_start = _corpus_text().index(RU_PARAGRAPH)
    assert (match.source_start, match.source_end) == (source_start, source_start + len(RU_PARAGRAPH))
    assert calls and calls[-1][0] == calls[-1][1]
    assert result.corpus["semantic"]["coverage"] == 1.0 and "semantic" in result.corpus["layers"]
    assert result.to_dict()["matches"][0]["kind"] == "translation"
    assert result.to_dict()["matches"][0]["source_language"] == "ru"


@pytest.mark.slow  # one more check with embeddings (a few seconds on a busy machine)
def test_a_translated_page_is_found_whole_from_one_candidate_unit(semantic_db, monkeypatch):
    """Three translated paragraphs (ten sentences), and the candidate step allowed one unit on each
    side: the run found there is carried over the whole translation, round after round, and no
    further."""
    insert = "\n\n".join([KK_BEFORE, KK_TRANSLATION, KK_AFTER])
    text, start = _with_insert(insert)
    source = _corpus_text()
    first = source.index(source.split("\n\n")[1])
    with Store(semantic_db) as store:
        source_id = store.documents()[0].id
        settings = replace(Settings(index=store.params), max_candidate_units=1)
        (match,) = check_document(store, Document("page.txt", "txt", text), settings).matches
        assert (match.kind, match.source_id) == ("translation", source_id)
        assert (match.this_start, match.this_end) == (start, start + len(insert))
        assert (match.source_start, match.source_end) == (first, len(source))
        # without the rounds, the one unit's neighbourhood is found and not the rest
        monkeypatch.setattr("plagcheck.semantic.MAX_GROWTH_ROUNDS", 0)
        (part,) = check_document(store, Document("page.txt", "txt", text), settings).matches
        assert part.this_start > start and part.source_start > first


def test_growth_embeds_past_a_chains_ends_up_to_a_lexical_match_and_stops_when_all_is_embedded():
    chain = [Pair(0, 7, 10, 1, 0.9, 1.1), Pair(1, 7, 11, 1, 0.9, 1.1)]  # checked sentences 20 and 21
    wanted, blocked = [20, 21], np.zeros(40, dtype=bool)
    blocked[25] = True  # a lexical match's sentence
    more, more_source = growth([chain], wanted, {7: [10, 11]}, {7: 13}, blocked, step=6)
    assert more == {22, 23, 24} | set(range(14, 20))
    assert more_source == {7: {12} | set(range(3, 10))}  # the source ends at sentence 12
    everything = sorted(set(wanted) | more)
    assert growth([[Pair(everything.index(20), 7, 10, 1, 0.9, 1.1)]], everything,
                  {7: list(range(3, 13))}, {7: 13}, blocked, step=6) == (set(), {})


def test_english_translation_is_found(semantic_db):
    text, start = _with_insert(EN_TRANSLATION)
    with Store(semantic_db) as store:
        result = check_document(store, Document("thesis.txt", "txt", text))
    (match,) = result.matches
    assert (match.kind, match.source_language) == ("translation", "ru")
    assert (match.this_start, match.this_end) == (start, start + len(EN_TRANSLATION))


def test_same_topic_text_without_reuse_is_not_flagged(semantic_db):
    # school psychology and inclusive education, in Kazakh and Russian, none of it from the corpus
    text = "\n\n".join((TEXTS / "kk" / "04-inclusive-education.txt").read_text(encoding="utf-8").split("\n\n")[:3]
                       + (TEXTS / "ru" / "02-formative-assessment.txt").read_text(encoding="utf-8").split("\n\n")[1:3])
    with Store(semantic_db) as store:
        result = check_document(store, Document("thesis.txt", "txt", text))
    assert result.matches == ()


def test_no_semantic_turns_the_layer_off(semantic_db):
    text, _ = _with_insert(KK_TRANSLATION)
    with Store(semantic_db) as store:
        result = check_document(store, Document("thesis.txt", "txt", text),
                                Settings(index=store.params, semantic=False))
    assert result.matches == () and "semantic" not in result.timings and result.corpus["semantic"] is None


def test_a_corpus_without_units_skips_the_layer_and_reindex_gives_them(tmp_path):
    db = tmp_path / "c.db"
    text, start = _with_insert(KK_TRANSLATION)
    with Store(db) as store:
        add_document(store, Document("ru-source.txt", "txt", _corpus_text()), {"language": "ru"})
        _drop_units(store)
        result = check_document(store, Document("thesis.txt", "txt", text))
        assert result.matches == () and "semantic_embed" not in result.timings  # the thesis was not embedded
        assert result.corpus["semantic"]["documents_embedded"] == 0
        assert result.corpus["semantic"]["coverage"] == 0.0 and "semantic" not in result.corpus["layers"]
    reindexed = CliRunner().invoke(cli, ["reindex", "--db", str(db)], catch_exceptions=False)
    assert "semantic layer: 1 documents indexed for the candidate step" in reindexed.stdout
    with Store(db) as store:
        (match,) = check_document(store, Document("thesis.txt", "txt", text)).matches
    assert (match.kind, match.this_start) == ("translation", start)


def test_removing_a_document_removes_its_sentence_vectors(tmp_path):
    with Store(tmp_path / "c.db") as store:
        doc_id = add_document(store, Document("a.txt", "txt", "Бір екі үш төрт бес алты. Жеті сегіз тоғыз он.")).doc_id
        with store.transaction():
            store.put_sentence_vectors(doc_id, "model", 0, b"x", b"")
        assert store.semantic_state("model")["documents_embedded"] == 1
        assert store.unembedded_documents("model") == [] and store.unembedded_documents("other") == [doc_id]
        assert store.semantic_state(default_lexicon().name)["documents_embedded"] == 1  # its units
        with store.transaction():
            remove_document(store, doc_id)
        assert store.semantic_state("model")["documents_embedded"] == 0
        assert store.semantic_state(default_lexicon().name)["documents_embedded"] == 0


def test_runs_keep_consecutive_sentences_in_source_order_only():
    settings = Settings()
    blocked = np.zeros(10, dtype=bool)
    pair = lambda i, j, margin=1.05, doc=1: Pair(i, doc, j, 1, 0.9, margin)  # noqa: E731
    assert [[p.this for p in r] for r in runs([pair(2, 5), pair(3, 6), pair(4, 8)], blocked, settings)] == [[2, 3, 4]]
    assert runs([pair(2, 5), pair(3, 1)], blocked, settings) == []            # out of order: two lone sentences
    assert [len(r) for r in runs([pair(2, 5), pair(3, 5), pair(4, 6)], blocked, settings)] == [3]  # a split sentence
    assert runs([pair(2, 5), pair(3, 5)], blocked, settings) == []  # but one source sentence is a lone one
    assert [len(r) for r in runs([pair(2, 5), pair(3, 5), pair(4, 5)], blocked, settings)] == []  # not three on one
    assert [len(r) for r in runs([pair(2, 5), pair(6, 1, 1.2)], blocked, settings)] == [1]  # a lone one needs 1.10
    blocked[3] = True                                                         # a lexical match in between
    assert runs([pair(2, 5), pair(3, 6)], blocked, settings) == []


def test_a_sentence_matched_alone_needs_as_many_words_as_a_short_copy():
    settings = Settings()
    lone = [Pair(3, 1, 7, 0, 0.98, 1.2)]
    assert too_little_alone(lone, settings.min_short_words - 1, settings)
    assert not too_little_alone(lone, settings.min_short_words, settings)
    assert not too_little_alone(lone + [Pair(4, 1, 8, 0, 0.9, 1.05)], 5, settings)  # a run: not alone


def test_short_reviews_on_one_topic_are_not_a_paraphrase(tmp_path, monkeypatch):
    """Customer reviews in one language share their meaning sentence by sentence ("The food is
    terrible." ~ "The food is excellent, but very overpriced."): a run of such short sentences
    says nothing of reuse. Without the floor it is matched as a paraphrase."""
    english = {name: (TEXTS / "en" / name).read_text(encoding="utf-8").split("\n\n")
               for name in ("01-reflective-practice.txt", "04-career-guidance.txt")}
    reviews = ("The best climbing club around. Hooray for Craggy. The food is excellent, but very overpriced. "
               "Staff were friendly and helpful at the desk. We will not go back there again.")
    checked = "\n\n".join([english["04-career-guidance.txt"][1],
                            "This is the very best in the Gables. What a dump! The food is terrible. "
                            "The place smells and the owner is very very rude!", english["04-career-guidance.txt"][2]])
    with Store(tmp_path / "reviews.db") as store:
        add_document(store, Document("reviews.txt", "txt", "\n\n".join(["Reviews of local places.", reviews,
                                                                          english["01-reflective-practice.txt"][1]])),
                     {"language": "en"})
        assert check_document(store, Document("thesis.txt", "txt", checked)).matches == ()
        monkeypatch.setattr("plagcheck.semantic.too_little_for_a_paraphrase", lambda *args: False)
        (match,) = check_document(store, Document("thesis.txt", "txt", checked)).matches
        assert match.kind == "paraphrase"


def test_a_paraphrase_needs_the_words_of_two_short_copies_on_each_side():
    settings = Settings()
    floor = settings.min_run_sentences * settings.min_short_words
    assert floor == 16
    assert too_little_for_a_paraphrase(22, 15, settings)  # the reviews: 22 checked words on 15 of a source
    assert too_little_for_a_paraphrase(15, 40, settings)
    assert not too_little_for_a_paraphrase(16, 16, settings)


def test_a_run_grows_over_its_neighbours_paired_weakly_with_its_source_span():
    settings = Settings()
    blocked = np.zeros(12, dtype=bool)
    pair = lambda i, j, margin=1.01, doc=1: Pair(i, doc, j, 1, 0.9, margin)  # noqa: E731
    run = [[pair(4, 10, 1.05), pair(5, 11, 1.05)]]
    weak = [pair(3, 9), pair(6, 13), pair(7, 12),  # before and after; a swapped pair (13, then 12) too
            pair(8, 30),                           # far from the run's source span: the run stops there
            pair(9, 15, doc=2), pair(2, 8, 1.0, doc=2)]  # another source's
    assert [[(p.this, p.index) for p in r] for r in extend_runs(run, weak, blocked, settings)] == [
        [(3, 9), (4, 10), (5, 11), (6, 13), (7, 12)]]
    assert [len(r) for r in extend_runs(run, [], blocked, settings)] == [2]  # no weak pair: as it was
    blocked[6] = True  # a lexical match right after the run: it does not grow across it
    assert [[p.this for p in r] for r in extend_runs(run, weak, blocked, settings)] == [[3, 4, 5]]
    blocked[6] = False
    other = [pair(6, 40, 1.2), pair(7, 41, 1.2)]  # a sentence of another run is not taken
    assert [[p.this for p in r] for r in extend_runs(run + [other], weak, blocked, settings)] == [
        [6, 7], [3, 4, 5]]


def test_candidates_that_stand_out_of_their_neighbours_come_before_nearer_ones_among_many():
    settings = Settings()
    cos = np.array([[0.62, 0.61, 0.61, 0.60, 0.60, 0.60],   # a topical unit: many corpus units as near
                    [0.48, 0.29, 0.29, 0.28, 0.28, 0.27],   # a translated unit: its source stands out
                    [0.40, 0.10, -np.inf, -np.inf, -np.inf, -np.inf],  # few neighbours: against the floor
                    [0.29, 0.10, 0.05, 0.0, 0.0, 0.0]], dtype=np.float32)  # under the floor: no candidate
    doc = np.arange(24).reshape(4, 6)
    best = {1: _Best(cos, doc, doc * 10, np.zeros((4, 6, 2), np.float32), np.zeros((4, 6), np.uint64))}
    hits = candidate_hits(best, np.zeros(4, dtype=np.uint8), settings)  # Kazakh units, a Russian corpus
    assert [(r, d) for _, r, d, _ in hits] == [(1, 6), (2, 12), (0, 0), (0, 1)]
    assert hits[0][0] == pytest.approx(0.48 - 0.30, abs=1e-6)  # above its four peers' mean 0.285: the floor
    assert hits[2][0] == pytest.approx(0.62 - 0.605, abs=1e-6)
    same = candidate_hits(best, np.ones(4, dtype=np.uint8), settings)  # Russian units: the 0.50 floor
    assert [(r, d) for _, r, d, _ in same] == [(0, 0), (0, 1)]


def test_a_translating_chain_of_weak_pairs_is_kept_when_its_passages_are_near():
    settings = Settings()
    blocked = np.zeros(12, dtype=bool)
    kazakh = np.zeros(12, dtype=np.uint8)  # the checked sentences' languages: Kazakh (0) ...
    kazakh[8:] = 1                          # ... and Russian from sentence 8 on
    pair = lambda i, j, margin, doc=1, language=1: Pair(i, doc, j, language, 0.9, margin)  # noqa: E731
    asked = []
    long_passages = lambda chain: ("сөз " * 40, "слово " * 40)  # noqa: E731

    def margin_of(value):
        def margin(this, source, chain):
            asked.append([p.this for p in chain])
            return value
        return margin

    weak = [pair(2, 5, 1.04), pair(3, 6, 1.01),  # a Russian source, one pair over min_margin: asked
            pair(5, 1, 1.02, doc=3), pair(6, 2, 1.02, doc=3),  # none over min_margin: not asked
            pair(8, 3, 1.05, doc=4), pair(9, 4, 1.01, doc=4),  # Russian on a Russian source: not asked
            pair(10, 7, 1.05, doc=2)]            # one sentence: not asked
    kept = rescued_runs([], weak, blocked, kazakh, settings, long_passages, margin_of(settings.passage_margin))
    assert [[p.this for p in r] for r in kept] == [[2, 3]] and asked == [[2, 3]]
    assert rescued_runs([], weak, blocked, kazakh, settings, long_passages,
                        margin_of(settings.passage_margin - 0.01)) == []
    found = [[pair(3, 6, 1.05), pair(4, 7, 1.05)]]  # a sentence already in a run: not asked again
    asked.clear()
    assert rescued_runs(found, weak, blocked, kazakh, settings, long_passages, margin_of(2.0)) == [] and asked == []
    short = lambda chain: ("сөз " * 39, "слово " * 40)  # noqa: E731  a passage under passage_min_words
    assert rescued_runs([], weak, blocked, kazakh, settings, short, margin_of(2.0)) == [] and asked == []


def test_passage_margin_of_a_translation_clears_the_bar_and_a_same_topic_text_does_not():
    embedder = get_embedder()
    background = load_background(embedder.name, embedder.dimension)
    kk, ru, en = (LANGUAGES.index(code) for code in ("kk", "ru", "en"))
    bar = Settings().passage_margin
    assert passage_margin(KK_TRANSLATION, RU_PARAGRAPH, kk, ru, embedder, background, 4) >= bar
    assert passage_margin(EN_TRANSLATION, RU_PARAGRAPH, en, ru, embedder, background, 4) >= bar
    inclusive = (TEXTS / "kk" / "04-inclusive-education.txt").read_text(encoding="utf-8").split("\n\n")
    for paragraph in [KK_HOST[1], KK_HOST[2]] + inclusive[1:4]:  # school topics, not translated from it
        assert passage_margin(paragraph, RU_PARAGRAPH, kk, ru, embedder, background, 4) < bar - 0.05


def test_check_json_stays_valid_on_stdout_and_no_semantic_switch(semantic_db, tmp_path):
    text, start = _with_insert(KK_TRANSLATION)
    path = tmp_path / "thesis.txt"
    path.write_text(text, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["check", str(path), "--db", str(semantic_db), "--format", "json"],
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [(m["kind"], m["source_language"], m["this_offset"]) for m in data["matches"]] == [("translation", "ru", start)]
    assert data["corpus"]["semantic"]["documents_embedded"] == 2
    result = runner.invoke(cli, ["check", str(path), "--db", str(semantic_db), "--format", "json", "--no-semantic"],
                           catch_exceptions=False)
    assert result.exit_code == 0 and json.loads(result.stdout)["matches"] == []


@pytest.mark.slow  # a worker job with the semantic layer (embeds a short thesis)
def test_worker_finds_the_translation_and_indexes_the_theses_units(semantic_db, tmp_path):
    import shutil

    from plagcheck import jobs
    from workers.worker import run_worker

    db = tmp_path / "copy.db"
    with Store(semantic_db) as store:
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(semantic_db, db)
    text, start = _with_insert(KK_TRANSLATION)
    thesis = tmp_path / "thesis.txt"
    thesis.write_text(text, encoding="utf-8")
    with Store(db) as store:
        jobs.submit(store, [thesis])
    assert run_worker(db, once=True, install_signals=False) == {jobs.DONE: 1, jobs.FAILED: 0}
    with Store(db) as store:
        (status,) = jobs.statuses(store)
        report = json.loads(Path(status.report_json).read_text(encoding="utf-8"))
        assert [(m["kind"], m["source_language"], m["this_offset"]) for m in report["matches"]] == [
            ("translation", "ru", start)]
        lexicon = default_lexicon()
        state = store.semantic_state(lexicon.name)
        assert (state["documents_embedded"], state["documents"]) == (3, 3)  # the thesis came with its units
        stored = SentenceSet.from_bytes(store.sentence_head(lexicon.name, status.doc_id))
        assert stored.starts[0] == 0 and len(stored) == len(unit_set(text, lexicon, "kk"))


def test_nightly_reindex_embeds_the_corpus_and_resumes(tmp_path):
    folder = tmp_path / "theses"
    folder.mkdir()
    (folder / "a.txt").write_text("Бірінші құжаттың сөйлемі осында жазылған. Екінші сөйлем де бар.", encoding="utf-8")
    (folder / "b.txt").write_text("Второй документ содержит одно предложение здесь.", encoding="utf-8")
    db = str(tmp_path / "c.db")
    runner = CliRunner()
    assert runner.invoke(cli, ["corpus", "add", str(folder), "--db", db]).exit_code == 0
    result = runner.invoke(cli, ["reindex", "--db", db], catch_exceptions=False)
    assert "semantic layer" not in result.output  # the default budget is 0: nothing embedded
    result = runner.invoke(cli, ["reindex", "--db", db, "--semantic-minutes", "10"], catch_exceptions=False)
    assert "semantic layer: 2 documents embedded (3 sentences)" in result.stdout and "0 not embedded yet" in result.stdout
    result = runner.invoke(cli, ["reindex", "--db", db, "--semantic-minutes", "10"], catch_exceptions=False)
    assert "every corpus document is embedded" in result.stdout


def test_check_says_when_the_semantic_layer_saw_part_of_the_corpus(tmp_path):
    db = tmp_path / "c.db"
    with Store(db) as store:
        add_document(store, Document("a.txt", "txt", "Бірінші құжаттың сөйлемі осында жазылған. Екінші сөйлем де бар."))
        second = add_document(store, Document("b.txt", "txt", "Второй документ содержит одно предложение здесь."))
        _drop_units(store, second.doc_id)
    thesis = tmp_path / "t.txt"
    thesis.write_text("Үшінші мәтін мүлдем басқа тақырыпта жазылған сөйлемдерден тұрады.", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(thesis), "--db", str(db)], catch_exceptions=False)
    assert "looked for in 1 of 2 corpus documents" in result.stdout


def test_check_text_names_translations_and_says_when_they_were_not_looked_for(semantic_db, tmp_path):
    text, _ = _with_insert(KK_TRANSLATION)
    thesis = tmp_path / "thesis.txt"
    thesis.write_text(text, encoding="utf-8")
    runner = CliRunner()
    found = runner.invoke(cli, ["check", str(thesis), "--db", str(semantic_db)], catch_exceptions=False)
    assert "(1 translation from Russian)" in found.stdout and "not looked for" not in found.stdout
    quick = runner.invoke(cli, ["check", str(thesis), "--db", str(semantic_db), "--no-semantic"],
                          catch_exceptions=False)
    assert "0.0% borrowed" in quick.stdout
    assert "note: translations and paraphrases were not looked for (--no-semantic)" in quick.stdout


def test_corpus_sentences_embedded_once_per_process_and_in_advance_are_not_embedded_again(semantic_db, tmp_path,
                                                                                         monkeypatch):
    import shutil

    from plagcheck import semantic

    embedder = get_embedder()
    embedded: list[str] = []
    real = embedder.embed
    monkeypatch.setattr(embedder, "embed", lambda texts: (embedded.extend(texts), real(texts))[1])
    text, start = _with_insert(KK_TRANSLATION)
    semantic._CACHE.rows.clear()
    with Store(semantic_db) as store:
        first = check_document(store, Document("thesis.txt", "txt", text))
        russian_first = [t for t in embedded if t in _corpus_text()]
        embedded.clear()
        again = check_document(store, Document("thesis.txt", "txt", text))
    assert russian_first and first.matches == again.matches
    assert not [t for t in embedded if t in _corpus_text()]  # the source's sentences came from the cache
    # embedded in advance (reindex --semantic-minutes): read from the store, not embedded
    db = tmp_path / "copy.db"
    with Store(semantic_db) as store:
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(semantic_db, db)
    with Store(db) as store:
        embed_corpus(store, embedder)
        semantic._CACHE.rows.clear()
        embedded.clear()
        third = check_document(store, Document("thesis.txt", "txt", text))
    assert third.matches == first.matches and not [t for t in embedded if t in _corpus_text()]
