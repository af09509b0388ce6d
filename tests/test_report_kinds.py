"""Matches of every kind in the reports: a copied passage (verbatim), a copied sentence (short), a
translation and a paraphrase. The check finds the first two in a real corpus (tests/report_fixtures);
the semantic ones are added as the semantic layer would report them (kind, source_language,
sentence-exact spans on both sides), so these tests do not depend on that layer running."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from plagcheck.check import attribute, check_document
from plagcheck.models import Document, Match, SourceShare
from plagcheck.normalize import tokenize
from plagcheck.report import render_json, report_from_result
from tests.report_fixtures import EN_MEMO, EN_OWN, RU, build_corpus, own_prose, words

# Written for this test: an English translation of three sentences of the Russian corpus source,
# and a paraphrase of two sentences of the English one.
RU_SENTENCES = ("Методисты рекомендуют учить детей последовательным этапам работы над задачей. Сначала ученик "
                "внимательно читает условие и пересказывает его своими словами, затем выделяет известные и искомые "
                "величины, строит краткую запись, схему или чертёж. Лишь после этого составляется план решения, "
                "выполняются вычисления и проверяется ответ.")
TRANSLATION = ("Methodologists recommend teaching children the successive stages of working on a problem. First the "
               "pupil reads the statement carefully and retells it in his own words, then picks out the known and "
               "the unknown quantities and makes a short record, a diagram or a drawing. Only after that is a plan "
               "of the solution drawn up, the calculations done and the answer checked.")
EN_SENTENCES = ("Teachers have several practical ways to respond. Curriculum compacting allows a pupil who has already "
                "mastered a topic to skip repetitive exercises and spend the saved time on a more demanding task.")
PARAPHRASE = ("A teacher can react in a number of practical ways. When a pupil already knows a topic well, "
              "compacting the curriculum lets him leave out the routine drills and use the time gained for a "
              "harder assignment.")
SHORT = words(EN_OWN, 600, 14)  # one sentence of the prior corpus thesis: too short for MinHash


def _find(text: str, passage: str) -> tuple[int, int]:
    """Where ``passage`` is in ``text``, whatever whitespace (a PDF's line ends) is between its words."""
    found = re.search(r"\s+".join(map(re.escape, passage.split())), text)
    assert found, passage[:40]
    return found.span()


def _semantic(store, text: str, passage: str, source_id: int, source_passage: str, kind: str,
              language: str | None) -> Match:
    start, end = _find(text, passage)
    source_start, source_end = _find(store.document_text(source_id), source_passage)
    return Match(source_id, start, end, source_start, source_end, 0.88, len(tokenize(passage)), kind, language)


@pytest.fixture
def result(tmp_path, store):
    """A check of an English thesis with one match of each kind, as the full pipeline reports them."""
    corpus = build_corpus(tmp_path, store)
    text = "\n\n".join([own_prose(120), words(RU, 200, 90), own_prose(100, 150), TRANSLATION, own_prose(90, 260),
                        PARAPHRASE, "In her study the author notes that " + SHORT + " This matters.",
                        own_prose(80, 400)])
    found = check_document(store, Document("thesis.txt", "txt", text))
    assert sorted(m.kind for m in found.matches) == ["short", "verbatim"]
    matches = sorted([*found.matches,
                      _semantic(store, text, TRANSLATION, corpus.ids["ru"], RU_SENTENCES, "translation", "ru"),
                      _semantic(store, text, PARAPHRASE, corpus.ids["memo"], EN_SENTENCES, "paraphrase", "en")],
                     key=lambda m: m.this_start)
    kept, shares, similarity = attribute(tokenize(text), matches)
    assert len(kept) == 4
    sources = tuple(SourceShare(d.id, d.path, d.title, d.author, d.year, share, sum(m.source_id == d.id for m in kept))
                    for d, share in ((store.document(i), s) for i, s in shares.items()))
    return replace(found, matches=tuple(kept), sources=sources, similarity=similarity)


@pytest.fixture
def report(store, result):
    report = report_from_result(store, result)
    assert {rm.match.kind: rm.counted for rm in report.matches} == {
        "verbatim": True, "short": True, "translation": True, "paraphrase": True}
    return report


def test_borrowed_share_is_split_by_kind_and_adds_up(report):
    parts = report.borrowed_by_kind
    assert set(parts) == {"copied", "translation", "paraphrase"}
    assert all(v > 0 for v in parts.values())
    assert sum(parts.values()) == pytest.approx(report.similarity, abs=1e-12)
    assert parts["translation"] > parts["paraphrase"]  # the translation is the longer passage
    # semantic matches count towards the similarity like any other: their sources have shares
    semantic_sources = {rm.source_id for rm in report.matches if rm.match.kind == "paraphrase"}
    assert all(report.source(i).share > 0 for i in semantic_sources)


def test_json_has_borrowed_by_kind_and_source_language(report):
    data = json.loads(render_json(report))
    assert data["similarity"] + data["cited"] + data["original"] == pytest.approx(1.0, abs=1e-9)
    assert sum(data["borrowed_by_kind"].values()) == pytest.approx(data["similarity"], abs=1e-9)
    assert data["borrowed_by_kind"]["translation"] > 0 and data["borrowed_by_kind"]["paraphrase"] > 0
    assert {m["kind"]: m["source_language"] for m in data["matches"]} == {
        "verbatim": None, "short": None, "translation": "ru", "paraphrase": "en"}
    assert report.check_dict()["borrowed_by_kind"] == data["borrowed_by_kind"]  # check --format json too
