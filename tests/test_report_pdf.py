"""The printable PDF report, read back with PyMuPDF."""

from __future__ import annotations

import pymupdf

from plagcheck.extract import extract
from plagcheck.report import build_report, render_pdf
from plagcheck.report.text import percent
from tests.builders import make_pdf, wrap
from tests.report_fixtures import EN_MEMO, RU, build_corpus, own_prose, words


def test_pdf_report_has_the_similarity_and_the_source_titles(tmp_path, store):
    build_corpus(tmp_path, store)
    text = " ".join([own_prose(150), words(RU, 100, 90), own_prose(120, 200), words(EN_MEMO, 150, 40),
                     "<script>alert(1)</script>", words(EN_MEMO, 190, 40)])
    thesis = extract(make_pdf(tmp_path / "thesis.pdf", [wrap(text)[:40], wrap(text)[40:]]))
    report = build_report(store, thesis, metadata={"title": "Дипломная работа", "author": "Асель Нурланова"})
    assert len(report.sources) == 2

    data = render_pdf(report)
    pdf = pymupdf.open("pdf", data)
    text = " ".join(" ".join(page.get_text().split()) for page in pdf)
    assert pdf.page_count >= 2
    assert f"{percent(report.similarity)} similarity after exclusions" in text
    assert "Текстовые задачи и малокомплектные школы" in text
    assert "Gifted learners and academic integrity" in text
    assert "Дипломная работа" in text and "Асель Нурланова" in text
    assert "Matched passages" in text and words(RU, 100, 4) in text
    assert "<script>alert(1)</script>" in text  # inside a matched passage: shown as text, not markup
    assert f"page 1 of {pdf.page_count}" in text
