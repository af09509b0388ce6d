"""Reports in Kazakh, Russian and English: the catalogue is complete and consistent, each language
renders with no English label left over, numbers are written the local way, and untrusted text is
still escaped whatever the language."""

from __future__ import annotations

import json
import re
import string

import pymupdf
import pytest
from click.testing import CliRunner

from plagcheck.cli import cli
from plagcheck.report import build_report, render, render_html, render_pdf
from plagcheck.report.i18n import DEFAULT_LANGUAGE, LANGUAGES, MESSAGES, PLURALS, plural_form, translator
from plagcheck.report.text import three_numbers
from plagcheck.service import Request
from plagcheck.store import Store
from tests.report_fixtures import HOSTILE, build_corpus, copying_thesis

CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
# English labels that must not be left in a Kazakh or Russian report (phrases no thesis text has).
ENGLISH_LABELS = ("Similarity report", "Cited or excluded", "What these numbers mean", "What the numbers mean",
                  "No signs of evasion found", "Quotation with citation", "counts toward similarity",
                  "before exclusions", "Full text with highlights", "Document and check", "Report created",
                  "Click a highlighted passage", "quoted with a citation", "page 1 of", "Content hash")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_is_in_three_languages_with_the_same_placeholders():
    assert LANGUAGES == ("kk", "ru", "en") and DEFAULT_LANGUAGE == "en"
    for key, (en, ru, kk) in MESSAGES.items():
        assert en and ru and kk, key
        assert _fields(en) == _fields(ru) == _fields(kk), key
        assert CYRILLIC.search(ru) and CYRILLIC.search(kk), key
    kazakh = "".join(kk for _, _, kk in MESSAGES.values())
    # the Kazakh-only letters (һ, rare outside loanwords, need not appear) are there: not Russian spelling
    assert set("әғқңөұүі") <= set(kazakh)
    for key, forms in PLURALS.items():
        assert (len(forms["en"]), len(forms["ru"]), len(forms["kk"])) == (2, 3, 1), key
        assert len({frozenset(_fields(f)) for lang in LANGUAGES for f in forms[lang]}) == 1, key


def test_the_terms_users_know():
    kk, ru = translator("kk"), translator("ru")
    assert (ru("borrowed"), ru("original")) == ("Заимствования", "Оригинальность")
    assert ru("cited").startswith("Цитирования") and ru("certificate").startswith("Справка о результатах проверки")
    assert kk("borrowed") == "Алынған мәтін" and kk("original") == "Мәтіннің түпнұсқалығы"
    assert kk("cited").startswith("Дәйексөздер") and kk("certificate").endswith("анықтама")


@pytest.mark.parametrize("n,form", [(1, 0), (2, 1), (4, 1), (5, 2), (11, 2), (12, 2), (21, 0), (22, 1), (25, 2),
                                    (111, 2), (0, 2)])
def test_russian_plural_forms(n, form):
    assert plural_form("ru", n) == form
    assert plural_form("kk", n) == 0 and plural_form("en", n) == (0 if n == 1 else 1)


def test_numbers_take_a_decimal_comma_in_russian_and_kazakh():
    assert translator("en").percent(0.1234) == "12.3%"
    assert translator("ru").percent(0.1234) == "12,3%" == translator("kk").percent(0.1234)
    assert translator("ru").plural("n_matches", 3) == "3 совпадения"
    with pytest.raises(ValueError):
        translator("de")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("i18n")
    with Store(tmp_path / "corpus.db") as store:
        build_corpus(tmp_path, store)
        yield build_report(store, copying_thesis(tmp_path), metadata={"title": "Дипломная работа", "author": "Асель"},
                           semantic=False)


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_html_report_in_kazakh_and_russian_has_no_english_label_left(report, lang):
    t = translator(lang)
    page = render_html(report, lang)
    assert f'<html lang="{lang}">' in page
    for key in ("similarity_report", "borrowed", "cited", "original", "sources", "alerts", "exclusions",
                "document_text", "what_these_numbers_mean", "exclusion.bibliography", "exclusion.quote"):
        assert t(key) in page, key
    for label in ENGLISH_LABELS:
        assert label not in page, label
    borrowed, cited, original = (t.number(v) + "%" for v in three_numbers(report))
    assert f'id="fig-similarity">{borrowed}<' in page and f'id="fig-original">{original}<' in page
    assert "," in borrowed + cited + original
    # the bar's widths stay CSS numbers
    assert re.search(r'class="part part-similarity" style="width:\d+\.\d%"', page)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_html_escaping_holds_in_every_language(report, lang):
    page = render_html(report, lang)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;amp; &amp;lt;b&amp;gt;" in page
    assert page.count("<script>") == 1  # the report's own script only


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pdf_report_in_each_language(report, lang):
    t = translator(lang)
    pdf = pymupdf.open("pdf", render_pdf(report, lang))
    text = " ".join(" ".join(page.get_text().split()) for page in pdf)
    for key in ("similarity_report", "borrowed", "cited", "original", "what_numbers_mean", "full_text"):
        assert t(key) in text, key
    borrowed, cited, original = (t.number(v) + "%" for v in three_numbers(report))
    assert f"{borrowed} {t('borrowed')}" in text and f"{original} {t('original')}" in text
    assert HOSTILE in text  # shown as written, not decoded or taken as markup
    assert pdf.get_toc()[-1][1] == t("full_text")
    if lang != "en":
        for label in ENGLISH_LABELS:
            assert label not in text, label


def test_report_command_writes_the_language_asked_for(tmp_path):
    with Store(tmp_path / "corpus.db") as store:
        build_corpus(tmp_path, store)
    thesis = copying_thesis(tmp_path)
    runner = CliRunner()
    out = tmp_path / "r.html"
    result = runner.invoke(cli, ["report", thesis.path, "--db", str(tmp_path / "corpus.db"), "--out", str(out),
                                 "--lang", "kk", "--no-semantic"])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert '<html lang="kk">' in page and "Алынған мәтін" in page and "Cited or excluded" not in page
    # JSON has no labels; the language changes nothing in it but nothing breaks either
    result = runner.invoke(cli, ["report", thesis.path, "--db", str(tmp_path / "corpus.db"), "--out",
                                 str(tmp_path / "r.json"), "--lang", "ru", "--no-semantic"])
    assert result.exit_code == 0 and json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["text"]
    bad = runner.invoke(cli, ["report", thesis.path, "--lang", "de"])
    assert bad.exit_code == 2 and "de" in bad.output


def test_render_and_the_service_refuse_an_unknown_language(report):
    with pytest.raises(ValueError):
        render(report, "html", "fr")
    with pytest.raises(ValueError, match="lang"):
        Request("report", "thesis.pdf", "html", lang="fr")
    assert render(report, "html").startswith(b"<!DOCTYPE html>\n<html lang=\"en\">")


def test_alert_details_are_said_in_the_report_language_with_their_evidence_as_written(tmp_path):
    """A thesis with white text and words disguised with Latin letters: the alerts' details are
    translated, the words they quote are not."""
    from plagcheck.extract import extract
    from tests.builders import make_pdf, wrap
    from tests.report_fixtures import own_prose

    disguised = "Ключeвым фopмaтивного oбрaтная cвязь"  # Latin e, o, p, a, c inside Russian words
    thesis = extract(make_pdf(tmp_path / "t.pdf", [wrap(own_prose(80) + " " + disguised + " " + own_prose(60, 100))],
                              white="невидимый текст"))
    with Store(tmp_path / "corpus.db") as store:
        report = build_report(store, thesis, semantic=False)
    assert {a.kind for a in report.alerts} >= {"homoglyph", "white_text"}
    for lang, words in (("ru", ("букв-двойников", "в кириллическом слове", "белый текст на стр. 1")),
                        ("kk", ("әріптері араласқан", "кирилл сөзіндегі латын", "1-беттегі ақ түсті мәтін"))):
        page = render_html(report, lang)
        pdf = " ".join(" ".join(p.get_text().split()) for p in pymupdf.open("pdf", render_pdf(report, lang)))
        for shown in (page, pdf):
            assert all(w in shown for w in words), lang
            assert "'Ключeвым'" in shown.replace("&#x27;", "'") and "невидимый текст" in shown
            assert "mixing Latin and Cyrillic" not in shown and "white text on page" not in shown
