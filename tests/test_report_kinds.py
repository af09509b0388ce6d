"""Matches of every kind in the reports: a copied passage (verbatim), a copied sentence (short), a
translation and a paraphrase. The check finds the first two in a real corpus (tests/report_fixtures);
the semantic ones are added as the semantic layer would report them (kind, source_language,
sentence-exact spans on both sides), so these tests do not depend on that layer running."""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace

import numpy as np
import pymupdf
import pytest

from plagcheck.check import attribute, check_document
from plagcheck.settings import Settings
from plagcheck.models import Document, Match, SourceShare
from plagcheck.normalize import tokenize
from plagcheck.report import render_html, render_json, render_pdf, report_from_result
from plagcheck.report.text import borrowed_percents, three_percents
from tests.report_fixtures import EN_OWN, RU, build_corpus, own_prose, words

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
    # the lexical detectors only: the semantic matches are placed below, where the test wants them
    found = check_document(store, Document("thesis.txt", "txt", text), Settings(index=store.params, semantic=False))
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
    languages = {m["kind"]: m["source_language"] for m in data["matches"]}
    assert (languages["translation"], languages["paraphrase"]) == ("ru", "en")
    # lexical matches carry their source document's language (as the check records it)
    assert languages["verbatim"] and languages["short"]
    assert report.check_dict()["borrowed_by_kind"] == data["borrowed_by_kind"]  # check --format json too


def _panel(page: str, k: int) -> str:
    return re.search(rf'<section class="panel" id="panel-{k}".*?</section>', page, re.S).group()


def test_html_shows_translations_and_paraphrases_hatched_with_their_source_beside_them(report):
    page = render_html(report)
    kinds = [rm.match.kind for rm in report.matches]
    translation, paraphrase, short = (kinds.index(k) for k in ("translation", "paraphrase", "short"))
    # hatched highlights, in the source's colour, that print (print-color-adjust is set for all)
    assert re.search(rf'<mark class="hl k-translation sem" data-m="{translation}" [^>]*title="translated from Russian"',
                     page)
    assert re.search(rf'<mark class="hl k-paraphrase sem" data-m="{paraphrase}" [^>]*title="paraphrased"', page)
    assert re.search(rf'<mark class="hl k-short" data-m="{short}" [^>]*title="copied sentence"', page)
    assert re.search(r"mark\.hl\.sem[^{]*\{background:repeating-linear-gradient\(135deg,var\(--c\)", page)
    assert "print-color-adjust:exact" in page

    panel = _panel(page, translation)
    assert "translated from Russian" in panel and "meaning matches (translation); evidence to review, not proof" in panel
    assert "% the same" not in panel and 'class="chg"' not in panel  # no word diff across languages
    assert html.escape(words(RU_SENTENCES, 0, 5)) in panel and html.escape(words(TRANSLATION, 0, 5)) in panel
    panel = _panel(page, paraphrase)
    assert "paraphrased" in panel and "meaning matches (paraphrase); evidence to review, not proof" in panel
    assert "% the same" not in panel
    panel = _panel(page, short)
    assert "copied sentence" in panel and "wording 100% the same" in panel

    # the header: translated and paraphrased apart, and with the copied part they add up to borrowed
    borrowed = float(re.search(r'id="fig-similarity">([\d.]+)%<', page).group(1))
    split = re.search(r'id="fig-kinds">of which translated ([\d.]+)%, paraphrased ([\d.]+)%<', page)
    assert split, "the header does not give the translated and paraphrased shares"
    line = re.search(r"Of the borrowed ([\d.]+)%: copied word for word ([\d.]+)%.*?translated from another language "
                     r"([\d.]+)%, paraphrased in the same language ([\d.]+)%.*?evidence to review, not proof", page)
    assert line and float(line.group(1)) == borrowed
    copied, translated, paraphrased = map(float, line.groups()[1:])
    assert (translated, paraphrased) == tuple(map(float, split.groups())) and translated > 0 and paraphrased > 0
    assert round(copied + translated + paraphrased, 1) == borrowed
    assert "1 translation from Russian" in page and "1 paraphrase" in page and "1 copied sentence" in page


def test_labels_name_only_known_languages_and_are_escaped(store, result):
    odd = tuple(replace(m, source_language="<b>de</b>") if m.kind == "translation" else m for m in result.matches)
    page = render_html(report_from_result(store, replace(result, matches=odd)))
    assert 'title="translated"' in page and "translated from Russian" not in page
    assert "<b>de" not in page and "&lt;b&gt;de" not in page and '<span class="kinds">1 translation</span>' in page
    assert "Translations and paraphrases were not looked for" not in page


def test_a_check_without_the_semantic_layer_says_translations_were_not_looked_for(store, result):
    lexical = tuple(m for m in result.matches if m.kind in ("verbatim", "short"))
    report = report_from_result(store, replace(result, matches=lexical))
    assert report.borrowed_by_kind["translation"] == report.borrowed_by_kind["paraphrase"] == 0
    page = render_html(report)
    assert 'id="fig-kinds"' not in page and " sem" not in re.sub(r"<style>.*?</style>", "", page, flags=re.S)
    assert "Translations and paraphrases were not looked for in this check." in page


def test_pdf_gives_the_split_and_marks_semantic_matches(report):
    pdf = pymupdf.open("pdf", render_pdf(report))
    text = " ".join(" ".join(page.get_text().split()) for page in pdf)
    parts = borrowed_percents(report)
    borrowed = three_percents(report)[0]
    assert f"Borrowed {borrowed}" in text
    assert f"of which translated {parts['translation']}, paraphrased {parts['paraphrase']}" in text
    assert (f"Of the borrowed {borrowed}: copied word for word {parts['copied']}" in text
            and f"translated from another language {parts['translation']}" in text)
    assert round(sum(float(v[:-1]) for v in parts.values()), 1) == float(borrowed[:-1])
    assert "evidence to review, not proof" in text
    assert "1 translation from Russian" in text and "1 paraphrase" in text and "1 copied sentence" in text

    kinds = [rm.match.kind for rm in report.matches]
    numbers = {kind: k for k, kind in enumerate(kinds, start=1)}
    assert f"[{numbers['translation']} ≈ translated from Russian]" in text
    assert f"[{numbers['paraphrase']} ≈ paraphrased]" in text
    assert f"[{numbers['short']} copied sentence]" in text and f"[{numbers['verbatim']}]" in text

    # the translated and paraphrased text is blue on its source's colour (upright: MuPDF's sans
    # italics set Cyrillic badly); copied text is black
    blue, black, italic = set(), set(), set()
    for page in pdf:
        for block in page.get_text("dict")["blocks"]:
            for line in block.get("lines", ()):
                for span in line["spans"]:
                    (blue if span["color"] == 0x1A3D8F else black).update(span["text"].split())
                    if span["flags"] & 2:
                        italic.update(span["text"].split())
    assert set(TRANSLATION.split()) <= blue and set(PARAPHRASE.split()) <= blue
    assert not set(TRANSLATION.split()) & italic
    assert not set(words(RU, 200, 90).split()) & blue and set(SHORT.split()) <= black
    colors = {rm.match.kind: report.source(rm.source_id).color for rm in report.matches}
    fills = {tuple(round(c, 2) for c in d["fill"]) for page in pdf for d in page.get_drawings() if d.get("fill")}
    for kind in ("translation", "paraphrase"):
        assert tuple(round(int(colors[kind][i:i + 2], 16) / 255, 2) for i in (1, 3, 5)) in fills


def test_hatching_prints_in_chromium(tmp_path, report):
    """Printed from the browser (as a supervisor would), a translation is striped with white over its
    source's colour; a copied passage is not."""
    from tests.test_report_browser import _chromium, _run

    browser = _chromium()
    page, printed = tmp_path / "report.html", tmp_path / "printed.pdf"
    page.write_text(render_html(report), encoding="utf-8")
    run = _run(browser, tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={printed}", page.as_uri())
    assert run.returncode == 0 and printed.exists(), run.stderr[-2000:]
    colour = {rm.match.kind: report.source(rm.source_id).color for rm in report.matches}

    def shares(first_words: str, kind: str) -> tuple[float, float]:
        """Of the first line of the passage that starts with ``first_words``: the share of its
        pixels in the source's colour and the share in white."""
        pdf = pymupdf.open(printed)
        hit = next((page, rects[0]) for page in pdf if (rects := page.search_for(first_words)))
        pix = hit[0].get_pixmap(dpi=150, clip=hit[1])
        rgb = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, pix.n)[..., :3].astype(int)
        target = np.array([int(colour[kind][i:i + 2], 16) for i in (1, 3, 5)])
        near = lambda c: (np.abs(rgb - c).max(axis=2) <= 12).mean()  # noqa: E731
        return near(target), near(np.array([255, 255, 255]))

    hatched, white = shares(words(TRANSLATION, 0, 4), "translation")
    assert hatched > 0.2 and white > 0.05, (hatched, white)
    solid, white = shares(words(RU, 200, 4), "verbatim")
    assert solid > 0.5 and white < 0.01, (solid, white)
