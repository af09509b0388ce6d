"""The printable PDF report, read back with PyMuPDF: a certificate (summary page, then the full text
with highlights), and nothing of the summary's tables drawn again over later pages."""

from __future__ import annotations

import unicodedata

import pymupdf
import pytest

from plagcheck.extract import extract
from plagcheck.report import build_report, render_pdf
from plagcheck.report.text import three_percents
from tests.builders import make_pdf, wrap
from tests.report_fixtures import BIBLIOGRAPHY, EN_MEMO, RU, build_corpus, own_prose, words

FULL_TEXT = "Full text with highlights"


@pytest.fixture
def report(tmp_path, store):
    build_corpus(tmp_path, store)
    text = " ".join([own_prose(150), words(RU, 100, 90), own_prose(120, 200), words(EN_MEMO, 150, 40),
                     "<script>alert(1)</script> &amp; &lt;b&gt;", words(EN_MEMO, 190, 40), own_prose(100, 400)])
    lines = wrap(text)
    pages = [lines[:40], lines[40:], ["Список использованных источников", *BIBLIOGRAPHY[:4]]]
    thesis = extract(make_pdf(tmp_path / "thesis.pdf", pages))
    report = build_report(store, thesis, metadata={"title": "Дипломная работа", "author": "Асель Нурланова",
                                                   "institution": "Казахский национальный педагогический университет"})
    assert [s.matches > 0 for s in report.sources] == [True, True, False]  # the third: its bibliography
    assert report.cited > 0
    return report


def _words(text: str) -> list[str]:
    return unicodedata.normalize("NFKC", text).split()  # MuPDF sets "ffi" as one ligature glyph


def _text_start(pdf) -> int:
    return next(page.number for page in pdf if page.get_text().lstrip().startswith(FULL_TEXT))


def _rgb(color: str) -> tuple[float, ...]:
    return tuple(round(int(color[i:i + 2], 16) / 255, 2) for i in (1, 3, 5))


def test_pdf_report_is_a_certificate_with_the_summary_first(report):
    pdf = pymupdf.open("pdf", render_pdf(report))
    assert pdf.page_count > 1
    summary = " ".join(" ".join(pdf[n].get_text().split()) for n in range(_text_start(pdf)))
    borrowed, cited, original = three_percents(report)
    assert float(borrowed[:-1]) + float(cited[:-1]) + float(original[:-1]) == pytest.approx(100.0)
    assert f"Borrowed {borrowed}" in summary and f"Cited or excluded {cited}" in summary
    assert f"Original {original}" in summary and "add up to 100%" in summary
    assert summary.startswith("Казахский национальный педагогический университет Similarity report")
    assert "Дипломная работа" in summary and "Асель Нурланова" in summary
    for source in report.sources:
        assert source.source.title in summary
    assert "Текстовые задачи и малокомплектные школы" in summary and "Gifted learners and academic integrity" in summary
    assert "Alerts (0)" in summary and "Bibliography" in summary and "Exclusions" in summary
    corpus = report.result.corpus
    assert f"plagcheck {corpus['engine_version']}" in summary
    assert f"{corpus['documents']} documents" in summary and report.created_at in summary
    assert f"page 1 of {pdf.page_count}" in summary


def test_pdf_report_has_the_full_text_with_numbered_highlights(report):
    pdf = pymupdf.open("pdf", render_pdf(report))
    start = _text_start(pdf)
    assert start >= 1
    shown = _words(" ".join(pdf[n].get_text() for n in range(start, pdf.page_count)))
    remaining = iter(shown)  # every word of the thesis, in order (labels and footers in between)
    assert all(word in remaining for word in _words(report.document.text))
    assert "<script>alert(1)</script>" in " ".join(shown)  # shown as text, not markup
    assert "&amp; &lt;b&gt;" in " ".join(shown)  # quoted as written, not decoded (MuPDF decodes twice)
    labels = [w for w in shown if w.startswith("[") and w.endswith("]") and w[1:-1].isdigit()]
    assert labels == [f"[{k}]" for k in range(1, len(report.matches) + 1)]  # numbered in text order

    counted = {s.color for s in report.sources if s.matches}
    fills = set()
    for n in range(start, pdf.page_count):
        page = pdf[n]
        text = [pymupdf.Rect(b[:4]) + (-3, 0, 3, 0) for b in page.get_text("words")]  # with the spaces between
        for drawing in page.get_drawings():
            # On the text pages every drawing is a highlight: a source's colour behind some text.
            assert drawing["type"] == "f" and drawing.get("fill") is not None, drawing
            fill = tuple(round(c, 2) for c in drawing["fill"])
            assert fill in {_rgb(color) for color in counted}, (n, fill)
            assert any(drawing["rect"].intersects(word) for word in text), (n, drawing["rect"])
            fills.add(fill)
    assert fills == {_rgb(color) for color in counted}  # each counted source's colour is used


def test_summary_tables_are_not_drawn_again_on_later_pages(report):
    """MuPDF drew a collapsed table's stripes and swatches again on every later page, at the same
    place (cut to a few points' height): no drawing may start where one of an earlier page did."""
    pdf = pymupdf.open("pdf", render_pdf(report))

    def key(drawing) -> tuple:
        r = drawing["rect"]
        return round(r.x0), round(r.y0), round(r.x1), drawing.get("fill"), drawing.get("color")

    seen: dict[tuple, int] = {}
    for page in pdf:
        drawings = page.get_drawings()
        for drawing in drawings:
            assert key(drawing) not in seen, f"page {page.number + 1} repeats a drawing of page {seen[key(drawing)] + 1}"
        seen.update((key(drawing), page.number) for drawing in drawings)


def test_the_worker_writes_the_pdf_beside_the_html_and_json(tmp_path, store):
    from plagcheck import jobs
    from workers.worker import process

    build_corpus(tmp_path, store)
    thesis = make_pdf(tmp_path / "my thesis.pdf", [wrap(own_prose(150) + " " + words(RU, 100, 90))])
    (job_id,) = jobs.submit(store, [thesis], no_index=True).ids
    job = jobs.lease(store, "test")
    assert job.id == job_id and process(store, job, "test", tmp_path / "reports") == jobs.DONE
    (status,) = jobs.statuses(store)
    pdf_path = tmp_path / "reports" / f"{job_id:06d}-my_thesis.pdf"
    assert status.report_html == str(pdf_path.with_suffix(".html"))
    pdf = pymupdf.open(pdf_path)
    assert pdf.page_count > 1 and FULL_TEXT in " ".join(page.get_text() for page in pdf)
