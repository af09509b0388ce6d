"""Exclusions: quotations with a citation, the bibliography (by form, not heading alone), short
matches and passages many corpus documents share; and the similarity recomputed so that it adds up."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings as hsettings, strategies as st

from plagcheck.exclusions import apply_exclusions, find_bibliography, find_quotes, is_reference, quoted_spans
from plagcheck.extract import extract
from plagcheck.models import Alert, Exclusion, Match
from plagcheck.normalize import tokenize
from plagcheck.report import ReportOptions, build_report
from tests.builders import make_docx
from tests.report_fixtures import BIBLIOGRAPHY, RU, TEMPLATE, build_corpus, own_prose, words

ALL_OFF = ReportOptions(exclude_quotes=False, exclude_bibliography=False, exclude_common=False)


# -- quotations -------------------------------------------------------------------------------------
@pytest.mark.parametrize("quote, citation", [
    ("«Наука требует от человека всей его жизни»", " [12]"),
    ("«Образование — ключ к «Росатому» и к будущему»", " [3, с. 45]."),
    ("“Education is the key to the future”", " (Smith, 2019)"),
    ("„Білім — бақыт кілті“", " (Абай, 1890, б. 12)"),
    ('"Quality matters more than quantity"', ", [4; 7]"),
])
def test_quotation_followed_by_a_citation_is_excluded(quote, citation):
    text = f"Автор пишет: {quote}{citation} Далее идёт собственный текст."
    (exclusion,) = find_quotes(text)
    assert text[exclusion.start:exclusion.end] == quote + citation.rstrip(".")
    assert exclusion.kind == "quote"


def test_quotation_without_citation_or_too_long_is_not_excluded():
    assert find_quotes("Он сказал «это важно», и все согласились [12].") == []
    long_quote = "«" + words(RU, 0, 200) + "» [5]"
    assert find_quotes(long_quote) == []


def test_quotes_pair_with_nesting_and_never_cross_paragraphs():
    text = "«Начало абзаца без конца\n\nНовый абзац «с цитатой «внутри» неё» [1]."
    assert [text[a:b] for a, b in quoted_spans(text)] == ["«с цитатой «внутри» неё»"]


def test_hidden_quotation_marks_do_not_make_a_quotation():
    text = "Текст «скопированный абзац, который только выглядит цитатой» [7]."
    opening = text.index("«")
    white = Alert("white_text", "white text", opening, opening + 1)
    assert find_quotes(text, [white]) == []
    assert len(find_quotes(text)) == 1


# -- bibliography -----------------------------------------------------------------------------------
@pytest.mark.parametrize("heading", ["Список литературы", "СПИСОК ИСПОЛЬЗОВАННЫХ ИСТОЧНИКОВ", "References",
                                     "Bibliography", "Әдебиеттер тізімі", "ПАЙДАЛАНЫЛҒАН ӘДЕБИЕТТЕР",
                                     "5 Список использованной литературы"])
def test_bibliography_headings_in_three_languages(heading):
    text = "Заключение\nСобственный вывод работы.\n\n" + heading + "\n" + "\n".join(BIBLIOGRAPHY[:4]) + "\n"
    exclusions = find_bibliography(text)
    assert exclusions and exclusions[0].start == text.index(heading.lstrip("5 ")) - (2 if heading[0] == "5" else 0)
    covered = "".join(text[e.start:e.end] for e in exclusions)
    for entry in BIBLIOGRAPHY[:4]:
        assert entry in covered


def test_heading_followed_by_prose_is_not_a_bibliography():
    prose = "\n".join(words(RU, k * 60, 60) for k in range(3))
    assert find_bibliography("Введение\nТекст.\n\nСписок литературы\n" + prose + "\n") == []
    assert not is_reference("1. " + words(RU, 0, 50) + " 2019.")


def test_prose_hidden_between_references_stays_in():
    prose = words(RU, 120, 60)
    text = "Список литературы\n" + "\n".join(BIBLIOGRAPHY[:3]) + "\n4. " + prose + "\n" + BIBLIOGRAPHY[4] + "\n"
    exclusions = find_bibliography(text)
    start = text.index(prose)
    assert not any(e.start <= start < e.end for e in exclusions)
    assert any(BIBLIOGRAPHY[4] in text[e.start:e.end] for e in exclusions)


# -- similarity recomputed ------------------------------------------------------------------------------
def test_numbers_add_up_after_exclusions():
    text = " ".join(f"слово{i}" for i in range(100))
    tokens = tokenize(text)
    at = lambda i: int(tokens.starts[i])  # noqa: E731
    end = lambda i: int(tokens.ends[i])  # noqa: E731
    matches = [Match(1, at(0), end(29), 0, 10, 0.9, 30), Match(2, at(40), end(59), 0, 10, 0.8, 20),
               Match(1, at(70), end(74), 0, 10, 0.9, 5)]
    excluded = [Exclusion("quote", at(50), end(59), "quoted")]
    coverage = apply_exclusions(tokens, matches, excluded, min_words=8)
    assert coverage.counted == (True, True, False)           # the 5-word match is too short
    assert coverage.counted_words == (30, 10, 5)
    assert sum(coverage.shares.values()) == pytest.approx(coverage.similarity)
    # shares of the whole text: the quoted words move from borrowed to cited, the total stays
    assert coverage.cited == pytest.approx(10 / 100, abs=0.01)
    assert coverage.similarity == pytest.approx(40 / 100, abs=0.01)
    assert coverage.original == pytest.approx(50 / 100, abs=0.01)  # the short match's 5 words included
    assert coverage.similarity_without_exclusions == pytest.approx(55 / 100, abs=0.01)
    assert coverage.long_coefficient == pytest.approx(30 / 100, abs=0.02)
    assert [e.kind for e in coverage.exclusions] == ["quote", "short_match"]


@hsettings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 90), st.integers(1, 40), st.integers(1, 3)), max_size=6),
       st.lists(st.tuples(st.integers(0, 95), st.integers(1, 30), st.sampled_from(["quote", "bibliography"])),
                max_size=3),
       st.integers(0, 20))
def test_shares_always_add_up(spans, cuts, min_words):
    text = " ".join(f"w{i}" for i in range(100))
    tokens = tokenize(text)
    n = len(tokens)
    matches = [Match(src, int(tokens.starts[a]), int(tokens.ends[min(n, a + k) - 1]), 0, 1, 0.9, min(n, a + k) - a)
               for a, k, src in spans]
    exclusions = [Exclusion(kind, int(tokens.starts[a]), int(tokens.ends[min(n, a + k) - 1]), kind)
                  for a, k, kind in cuts]
    c = apply_exclusions(tokens, matches, exclusions, min_words)
    assert sum(c.shares.values()) == pytest.approx(c.similarity)
    assert 0.0 <= c.long_coefficient <= c.short_coefficient <= 1.0 + 1e-9
    # The coefficients take every match found by its length, the similarity those of min_words.
    assert c.long_coefficient <= c.similarity + 1e-9 <= 1.0 + 1e-9
    if min_words <= 5:
        assert c.short_coefficient <= c.similarity + 1e-9
    assert 0.0 <= c.cited <= 1.0
    assert np.isclose(sum(c.excluded_by_kind.values()), c.cited)


@hsettings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 90), st.integers(1, 40), st.integers(1, 3),
                          st.floats(0.5, 1.0)), max_size=6),
       st.lists(st.tuples(st.integers(0, 95), st.integers(1, 30),
                          st.sampled_from(["quote", "bibliography", "common_passage"])), max_size=4),
       st.integers(0, 20), st.integers(0, 20))
def test_three_shares_add_up_and_excluding_never_raises_a_figure(spans, cuts, min_words, more_words):
    """Borrowed + cited + original = 1 for any exclusions; dropping one exclusion, or lowering
    min_words, never lowers borrowed or any source's share (so adding one never raises them)."""
    text = " ".join(f"слово{i}" for i in range(100))
    tokens = tokenize(text)
    n = len(tokens)
    matches = [Match(src, int(tokens.starts[a]), int(tokens.ends[min(n, a + k) - 1]), 0, 1, score, min(n, a + k) - a)
               for a, k, src, score in spans]
    exclusions = [Exclusion(kind, int(tokens.starts[a]), int(tokens.ends[min(n, a + k) - 1]), kind)
                  for a, k, kind in cuts]
    full = apply_exclusions(tokens, matches, exclusions, min_words)
    assert full.similarity + full.cited + full.original == pytest.approx(1.0)
    assert min(full.similarity, full.cited, full.original) >= 0.0
    assert sum(full.shares.values()) == pytest.approx(full.similarity)
    assert full.similarity <= full.similarity_without_exclusions + 1e-12
    fewer = [apply_exclusions(tokens, matches, exclusions[:k] + exclusions[k + 1:], min_words)
             for k in range(len(exclusions))]
    fewer.append(apply_exclusions(tokens, matches, exclusions, max(0, min_words - more_words)))
    fewer.append(apply_exclusions(tokens, matches, [], 0))
    for other in fewer:
        assert full.similarity <= other.similarity + 1e-12
        assert all(share <= other.shares[source] + 1e-12 for source, share in full.shares.items())
        assert other.similarity + other.cited + other.original == pytest.approx(1.0)


# -- end to end on a real corpus ----------------------------------------------------------------------
def _thesis(tmp_path, body: list[str]):
    return extract(make_docx(tmp_path / "thesis.docx", body))


def test_quoted_and_cited_passage_does_not_count_by_default(tmp_path, store):
    build_corpus(tmp_path, store)
    quoted = words(RU, 250, 70)
    document = _thesis(tmp_path, [own_prose(150), f"Как подчеркнул Президент: «{quoted}» [3, с. 12].",
                                  own_prose(150, 300)])
    default = build_report(store, document)
    counting = build_report(store, document, ReportOptions(exclude_quotes=False))
    assert default.similarity_without_exclusions > 0.15
    assert default.similarity == 0.0 and not any(m.counted for m in default.matches)
    assert [e.kind for e in default.exclusions if e.kind != "short_match"] == ["quote"]
    assert counting.similarity == pytest.approx(counting.similarity_without_exclusions)
    assert counting.similarity > 0.15


def test_copied_bibliography_does_not_count_by_default_but_copied_prose_after_it_does(tmp_path, store):
    corpus = build_corpus(tmp_path, store)
    document = _thesis(tmp_path, [own_prose(200), "Список использованных источников", *BIBLIOGRAPHY])
    default = build_report(store, document)
    counting = build_report(store, document, ReportOptions(exclude_bibliography=False))
    assert [s.id for s in default.result.sources] == [corpus.ids["prior"]]
    assert default.similarity == 0.0 and default.excluded_by_kind["bibliography"] > 0.2
    assert counting.similarity > 0.2 and counting.sources[0].share > 0.2

    # Copied prose placed after a bibliography heading is not a bibliography.
    gamed = _thesis(tmp_path, [own_prose(200), "Список литературы", words(RU, 100, 80), words(RU, 180, 60)])
    report = build_report(store, gamed)
    assert report.excluded_by_kind["bibliography"] == 0.0
    assert report.similarity > 0.2 and report.sources[0].id == corpus.ids["ru"]


def test_passage_shared_by_many_corpus_documents_is_excluded(tmp_path, store):
    corpus = build_corpus(tmp_path, store, common_copies=6)
    document = _thesis(tmp_path, [*TEMPLATE.strip().split("\n"), own_prose(250), words(RU, 100, 80)])
    default = build_report(store, document)
    counting = build_report(store, document, ReportOptions(exclude_common=False))
    common = [e for e in default.exclusions if e.kind == "common_passage"]
    assert len(common) == 1 and "shared by 6 corpus documents" in common[0].reason
    assert document.text[common[0].start:common[0].end].startswith("МИНИСТЕРСТВО НАУКИ")
    # The copied Russian passage still counts; only the template is left out.
    assert [s.id for s in default.sources if s.share > 0] == [corpus.ids["ru"]]
    assert counting.similarity > default.similarity + 0.05
    assert len([s for s in counting.sources if s.share > 0]) == 2


def test_matches_shorter_than_min_words_do_not_count(tmp_path, store):
    build_corpus(tmp_path, store)
    document = _thesis(tmp_path, [own_prose(200), words(RU, 100, 60)])
    assert build_report(store, document).similarity > 0.1
    strict = build_report(store, document, ReportOptions(min_words=100))
    assert strict.similarity == 0.0 and [e.kind for e in strict.exclusions] == ["short_match"]
    everything_off = build_report(store, document, ALL_OFF)
    assert everything_off.similarity == pytest.approx(everything_off.similarity_without_exclusions)
