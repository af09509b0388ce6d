"""Translation anchors: numbers and names a translation keeps, filed as fingerprint pairs, and
the candidate step's second channel that looks them up.

The Russian paragraph and its Kazakh translation below were written for these tests (facts from
Ybyrai Altynsarin's biography); the same-topic text is the sample corpus's Kazakh essay on him.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from plagcheck.anchors import anchor_hits, anchor_pairs, skeleton, text_anchors
from plagcheck.check import check_document
from plagcheck.cli import cli
from plagcheck.ingest import add_document, remove_document
from plagcheck.models import Document
from plagcheck.settings import Settings
from plagcheck.store import Store

TEXTS = Path(__file__).resolve().parent.parent / "corpus" / "texts"
RU_SOURCE = (
    "В 1864 году Ибрай Алтынсарин открыл в Тургае первую светскую школу для казахских детей. "
    "Через двадцать пять лет, в 1889 году, он основал в Иргизе женское училище, одно из первых в степи. "
    "Алтынсарин переписывался с Николаем Ильминским и перевёл на казахский язык учебники Константина Ушинского. "
    "Его «Киргизская хрестоматия», изданная в Оренбурге в 1879 году, стала первой книгой для чтения на "
    "казахском языке.")
KK_TRANSLATION = (
    "1864 жылы Ыбырай Алтынсарин Торғайда қазақ балаларына арналған алғашқы зайырлы мектепті ашты. "
    "Жиырма бес жылдан кейін, 1889 жылы, ол Ырғызда даладағы алғашқылардың бірі болған қыздар училищесін құрды. "
    "Алтынсарин Николай Ильминскиймен хат алмасып, Константин Ушинскийдің оқулықтарын қазақ тіліне аударды. "
    "Оның 1879 жылы Орынборда басылған «Қырғыз хрестоматиясы» қазақ тіліндегі алғашқы оқу кітабы болды.")
SAME_TOPIC = (TEXTS / "kk" / "02-altynsarin-school.txt").read_text(encoding="utf-8")
KK_HOST = (TEXTS / "kk" / "05-trilingual-education.txt").read_text(encoding="utf-8").split("\n\n")
RU_OTHER = (TEXTS / "ru" / "06-small-rural-schools.txt").read_text(encoding="utf-8")


def _pairs(text: str) -> set[int]:
    return set(anchor_pairs(text_anchors(text))[0].tolist())


def test_a_name_reduces_alike_in_three_scripts_and_under_case_endings():
    assert {skeleton(w) for w in ("Ушинский", "Ушинского", "Ушинскийдің", "Ushinsky")} == {"šnsk"}
    assert {skeleton(w) for w in ("Оренбурге", "Орынборда", "Orenburg")} == {"rnbr"}
    assert {skeleton(w) for w in ("Deepak", "Дипака")} == {"dpk"}
    assert skeleton("Ушинский") != skeleton("Ильминский")


def test_anchors_are_numbers_and_names_not_sentence_starts_or_single_digits():
    spellings = [a.spelling for a in text_anchors("Школа открыта в 1864 году, в 3 классах учились 45 детей. "
                                                   "Алтынсарин писал Ушинскому.")]
    assert spellings == ["1864", "45", "šnsk"]  # "Школа" and "Алтынсарин" start a sentence; "3" is one digit
    kk = text_anchors("Мектепте Python және Scratch тілдері оқытылады.")  # Latin words in Cyrillic text
    assert [a.spelling for a in kk] == ["ptn", "skrč"]
    # a name after initials does not start a sentence
    assert [a.spelling for a in text_anchors("Как писал Л.С. Выготский, обучение ведёт развитие.")] == ["vgsk"]
    assert [a.spelling for a in text_anchors("К. Д. Ушинскийдің идеялары.")] == ["šnsk"]


def test_a_translation_shares_anchor_pairs_with_its_source_and_a_same_topic_text_none():
    assert len(_pairs(KK_TRANSLATION) & _pairs(RU_SOURCE)) >= 10
    assert not _pairs(KK_TRANSLATION) & _pairs(SAME_TOPIC)
    assert not _pairs(RU_SOURCE) & _pairs(SAME_TOPIC)


@pytest.fixture()
def anchored_db(tmp_path) -> Path:
    db = tmp_path / "corpus.db"
    with Store(db) as store:
        add_document(store, Document("ru-source.txt", "txt", "\n\n".join([RU_OTHER, RU_SOURCE])), {"language": "ru"})
        add_document(store, Document("kk-same-topic.txt", "txt", SAME_TOPIC), {"language": "kk"})
    return db


def test_the_index_files_anchor_pairs_and_finds_the_translated_stretch_until_its_source_is_removed(anchored_db):
    text = "\n\n".join([KK_HOST[1], KK_TRANSLATION, KK_HOST[2]])
    start = text.index(KK_TRANSLATION)
    source_start = len(RU_OTHER) + 2
    with Store(anchored_db) as store:
        source = store.documents()[0].id
        hits = anchor_hits(store, text)
        assert [h.doc for h in hits] == [source]
        (hit,) = hits
        assert start <= hit.this_start < hit.this_end <= start + len(KK_TRANSLATION) and hit.pairs >= 10
        assert all(a < source_start + len(RU_SOURCE) and source_start < b for a, b in hit.source_spans)
        assert anchor_hits(store, text, excluded={source}) == []
    # a full reindex with other parameters files them again
    result = CliRunner().invoke(cli, ["reindex", "--full", "--passage-words", "30", "--db", str(anchored_db)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    with Store(anchored_db) as store:
        assert [h.doc for h in anchor_hits(store, text)] == [source]
        with store.transaction():
            remove_document(store, source)
    with Store(anchored_db) as store:
        assert anchor_hits(store, text) == []


def test_the_anchor_channel_brings_a_translation_the_static_vectors_do_not(anchored_db):
    """With the static vectors' candidates turned off (no cosine reaches 1), the Kazakh
    translation is still found, from its anchors alone, with the span of its source; with the
    anchor channel off too, nothing is."""
    text = "\n\n".join([KK_HOST[1], KK_TRANSLATION, KK_HOST[2]])
    start = text.index(KK_TRANSLATION)
    with Store(anchored_db) as store:
        source = store.documents()[0].id
        vectors_off = replace(Settings(index=store.params), candidate_min_cos=1.0, candidate_min_cos_same_language=1.0)
        (match,) = check_document(store, Document("thesis.txt", "txt", text), vectors_off).matches
        assert (match.kind, match.source_id, match.source_language) == ("translation", source, "ru")
        assert (match.this_start, match.this_end) == (start, start + len(KK_TRANSLATION))
        source_start = len(RU_OTHER) + 2
        assert (match.source_start, match.source_end) == (source_start, source_start + len(RU_SOURCE))
        both_off = replace(vectors_off, max_anchor_hits=0)
        assert check_document(store, Document("thesis.txt", "txt", text), both_off).matches == ()


def test_a_generation_built_before_anchors_says_so_and_reindex_full_files_them(anchored_db, caplog):
    text = "\n\n".join([KK_HOST[1], KK_TRANSLATION, KK_HOST[2]])
    with Store(anchored_db) as store:
        with store.transaction():  # as a database indexed by plagcheck before the anchors
            store.db.execute(f"DROP TABLE anchors_g{store.generation}")
    with Store(anchored_db) as store:
        assert not store.has_anchors and anchor_hits(store, text) == []
    assert "has no translation anchors" in caplog.text and "reindex --full" in caplog.text
    nightly = CliRunner().invoke(cli, ["reindex", "--db", str(anchored_db)], catch_exceptions=False)
    assert "before translation anchors" in nightly.stderr and "reindex --full" in nightly.stderr
    result = CliRunner().invoke(cli, ["reindex", "--full", "--db", str(anchored_db)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    with Store(anchored_db) as store:
        assert store.has_anchors and len(anchor_hits(store, text)) == 1
    nightly = CliRunner().invoke(cli, ["reindex", "--db", str(anchored_db)], catch_exceptions=False)
    assert "anchors" not in nightly.stderr


RU_REWRITE = (  # the source's facts in other Russian words: a paraphrase, no 8-word run in common
    "Первую светскую школу для казахских детей Алтынсарин открыл в Тургае в 1864 году. "
    "В 1889 году, спустя четверть века, в Иргизе появилось основанное им женское училище — одно из первых в степи. "
    "Переписка с Николаем Ильминским и переводы учебников Константина Ушинского на казахский язык тоже связаны "
    "с именем Алтынсарина. Изданная в Оренбурге в 1879 году «Киргизская хрестоматия» стала для казахских детей "
    "первой книгой для чтения на родном языке.")


def test_the_anchor_channel_leaves_a_same_language_stretch_to_the_static_vectors(anchored_db):
    """A Russian rewrite of the Russian source shares its anchor pairs, but within one language
    the static vectors find a rewrite, and theses on one subject share their authors and years by
    the hundred: with the static vectors' candidates off, the anchors put the Kazakh translation
    before the model and not the Russian rewrite."""
    import numpy as np

    from plagcheck.semantic import candidates, default_lexicon, text_sentences

    host = (TEXTS / "ru" / "01-teaching-practice.txt").read_text(encoding="utf-8").split("\n\n")
    vectors_off = Settings(candidate_min_cos=1.0, candidate_min_cos_same_language=1.0)
    with Store(anchored_db) as store:
        source = store.documents()[0].id
        for insert, language, expected in ((RU_REWRITE, "ru", set()), (KK_TRANSLATION, "kk", {source})):
            text = "\n\n".join([host[1], insert, host[2]])
            assert [h.doc for h in anchor_hits(store, text)] == [source]
            sentences = text_sentences(text)
            _, found = candidates(store, default_lexicon(), text, sentences, np.zeros(len(sentences), dtype=bool),
                                  language, vectors_off)
            assert set(found) == expected
