"""The certificate (справка / анықтама) from a stored report JSON: read back with PyMuPDF, its
first page says what a department files — heading, thesis, the figures after the reviewer's
decisions, the verdict, who decided what, the corpus state — in each language, and untrusted
text is shown as written."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pymupdf
import pytest

from plagcheck import jobs
from plagcheck.report import build_report
from plagcheck.report.certificate import render_certificate
from plagcheck.report.decisions import Decisions, apply_decisions
from plagcheck.report.i18n import LANGUAGES, translator
from plagcheck.store import Store
from tests.report_fixtures import HOSTILE, build_corpus, copying_thesis, own_prose, words, RU
from tests.builders import make_pdf, wrap

REVIEWER = "Нұрлан Әбенов"
WHEN = "2026-05-04T09:30:00+00:00"


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """The report JSON of :func:`copying_thesis` as the worker stores it (through a JSON file),
    with a hostile title and supervisor, and the corpus ids."""
    tmp_path = tmp_path_factory.mktemp("certificate")
    with Store(tmp_path / "corpus.db") as store:
        ids = build_corpus(tmp_path, store).ids
        report = build_report(store, copying_thesis(tmp_path), semantic=False,
                              metadata={"title": "<b>Тақырып</b> &lt;i&gt;", "author": "Асель Нурланова",
                                        "supervisor": "Иванов И.И.", "year": 2026, "department": "Педагогика"})
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report.to_dict(), ensure_ascii=False), encoding="utf-8")
    return json.loads(path.read_text(encoding="utf-8")), ids


def _pages(pdf_bytes: bytes) -> list[str]:
    # NFKC: MuPDF sets "fi" as one ligature glyph
    return [" ".join(unicodedata.normalize("NFKC", page.get_text()).split()) for page in pymupdf.open("pdf", pdf_bytes)]


def _figures(data: dict, lang: str) -> tuple[str, str, str]:
    t = translator(lang)
    borrowed, cited = round(100 * data["similarity"], 1), round(100 * data["cited"], 1)
    return t.number(borrowed) + "%", t.number(cited) + "%", t.number(round(100 - borrowed - cited, 1)) + "%"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_first_page_has_heading_figures_after_decisions_verdict_and_decisions(stored, lang):
    data, ids = stored
    t = translator(lang)
    decisions = Decisions(excluded_sources=frozenset({ids["ru"]}), exclude_bibliography=False)
    after = apply_decisions(data, decisions)
    assert after["similarity"] < data["similarity"]
    threshold = round(100 * after["similarity"], 1) + 0.5  # between the figures before and after the decision
    assert round(100 * data["similarity"], 1) > threshold
    pages = _pages(render_certificate(data, lang=lang, institution="Абай атындағы ҚазҰПУ", department=None,
                                      threshold_percent=threshold, decisions=decisions, reviewer=REVIEWER,
                                      reviewed_at=WHEN))
    first = pages[0]
    assert first.startswith("Абай атындағы ҚазҰПУ Педагогика")  # the institution, the department from the metadata
    assert " ".join(t("certificate").split()) in first
    borrowed, cited, original = _figures(after, lang)
    assert f"{borrowed} {t('borrowed')}" in first and f"{cited} {t('cited')}" in first
    assert f"{original} {t('original')}" in first
    assert t("threshold_ok", borrowed=borrowed, threshold=t.number(threshold) + "%") in first
    assert t("decided_by", reviewer=REVIEWER, when="2026-05-04 09:30 UTC") in first
    assert "Текстовые задачи и малокомплектные школы" in first  # the source excluded, by its title
    assert t("decision.switch_off", what=t("switch.bibliography")) in first
    assert data["corpus"]["engine_version"] in first and t("corpus_state", documents=3, passages=data["corpus"]["passages"],
                                                           generation=data["corpus"]["generation"]) in first
    assert "Асель Нурланова" in first and "Иванов И.И." in first and t("signature") in first
    # the full text follows, with its own heading, after the first page
    assert pages[1].startswith(t("full_text"))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_without_decisions_the_figures_are_the_checks_and_over_the_threshold_is_said(stored, lang):
    data, _ = stored
    t = translator(lang)
    pages = _pages(render_certificate(data, lang=lang, institution=None, department="Кафедра X",
                                      threshold_percent=1.0))
    borrowed, _, _ = _figures(data, lang)
    assert t("threshold_over", borrowed=borrowed, threshold=t.number(1.0) + "%") in pages[0]
    assert t("no_decisions") in pages[0] and pages[0].startswith("Кафедра X")
    assert t("no_threshold") in _pages(render_certificate(data, lang=lang, institution=None, department=None,
                                                          threshold_percent=None))[0]


def test_hostile_text_is_shown_literally(stored):
    data, _ = stored
    pdf = pymupdf.open("pdf", render_certificate(data, lang="ru", institution="<i>Uni</i> &amp;", department=None,
                                                 threshold_percent=25))
    text = " ".join(" ".join(page.get_text().split()) for page in pdf)
    assert "<b>Тақырып</b> &lt;i&gt;" in text and "<i>Uni</i> &amp;" in text
    assert HOSTILE in text  # in the full text
    assert pdf.metadata["title"].endswith("<b>Тақырып</b> &lt;i&gt;")


def test_a_report_json_of_format_1_is_refused(stored):
    data = {k: v for k, v in stored[0].items() if k not in ("text", "coverage")}
    with pytest.raises(ValueError):
        render_certificate(data, lang="en", institution=None, department=None, threshold_percent=None)


def test_certificate_from_the_json_the_worker_stored(tmp_path, store):
    from workers.worker import process

    build_corpus(tmp_path, store)
    thesis = make_pdf(tmp_path / "thesis.pdf", [wrap(own_prose(150) + " " + words(RU, 100, 90))])
    jobs.submit(store, [thesis], {str(thesis): {"title": "Тема", "author": "Автор"}}, no_index=True)
    job = jobs.lease(store, "test")
    assert process(store, job, "test", tmp_path / "reports") == jobs.DONE
    (status,) = jobs.statuses(store)
    data = json.loads(Path(status.report_json).read_text(encoding="utf-8"))
    pages = _pages(render_certificate(data, lang="kk", institution=None, department=None, threshold_percent=25))
    borrowed, _, _ = _figures(data, "kk")
    assert data["similarity"] > 0 and f"{borrowed} Алынған мәтін" in pages[0]
    assert pages[1].startswith("Белгіленген толық мәтін")


def test_the_full_text_follows_with_its_sources_key_and_every_word_in_order(stored):
    data, _ = stored
    pages = _pages(render_certificate(data, lang="en", institution=None, department=None, threshold_percent=None))
    rest = " ".join(pages[1:])
    for source in data["sources"]:
        assert source["title"] in rest.split(data["text"].split()[0], 1)[0]  # listed before the text begins
    # a match's number or a page mark may stand inside a word («[4] school): left out here
    remaining = iter(re.sub(r"\[(?:\d+(?: [^\]]*)?|p\. \d+)\] ?", "", rest).split())
    missing = [word for word in unicodedata.normalize("NFKC", data["text"]).split() if word not in remaining]
    assert not missing, missing[:3]
    assert re.findall(r"\[(\d+)\]", rest) == [str(k) for k in range(1, len(data["matches"]) + 1)]


@pytest.mark.parametrize("header", ["научный руководитель", "ғылыми жетекші"])
def test_first_page_names_the_supervisor_under_the_csv_headers_secretaries_use(stored, header):
    """A CSV headed as README says it may be (``Научный руководитель``, ``Ғылыми жетекші``) stores
    the supervisor under that casefolded header; the cabinet lists and filters by it, and the
    certificate, which promises the supervisor, must name them too."""
    data, _ = stored
    data = json.loads(json.dumps(data))
    data["document"].pop("supervisor")
    data["document"][header] = "Петров П. П."
    t = translator("ru")
    first = _pages(render_certificate(data, lang="ru", institution=None, department=None, threshold_percent=25))[0]
    assert f"{t('field.supervisor')}: Петров П. П." in first
