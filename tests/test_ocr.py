"""OCR: scanned pages and text pasted as pictures are read (Tesseract kaz+rus+eng), placed where
they stand, marked, alerted, and matched like any other text; bad pictures fail in one line.

The scans are made here: text typeset by PyMuPDF, rendered to an image, placed in a PDF or DOCX
(``benchmarks/ocr.py`` builds them, as it does for the benchmark).
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pymupdf
import pytest
from click.testing import CliRunner

from benchmarks.ocr import accuracy, docx_with_picture, pdf_with_picture, scanned_pdf, text_image
from plagcheck.cli import cli
from plagcheck.errors import ExtractionError
from plagcheck.extract import ExtractionLimits, extract, extract_bytes, ocr
from plagcheck.ingest import add_file
from plagcheck.report import build_report, render_html
from plagcheck.store import Store
from tests.builders import bundled_text, make_docx, paragraphs

def _prose(text: str) -> list[str]:
    """The paragraphs of a bundled text, headings left out."""
    return [p for p in paragraphs(text) if len(p.split()) >= 30]


KK = _prose(bundled_text("kk", "02-altynsarin-school", "06-environmental-education"))
RU = _prose(bundled_text("ru", "01-teaching-practice", "04-digital-resources"))
EN = _prose(bundled_text("en", "05-gifted-learners", "06-academic-writing-integrity"))


def _recognised(document) -> str:
    return "\n".join(document.text[a:b] for a, b in document.ocr)


def test_a_scanned_pdf_is_read_page_by_page_with_an_alert(tmp_path):
    pages = [KK[0], RU[0]]
    document = extract(scanned_pdf(tmp_path / "scan.pdf", pages))
    assert [span.page for span in document.pages] == [1, 2]
    for span, truth in zip(document.pages, pages):
        assert accuracy(truth, document.text[span.start:span.end]) >= 0.97
    # Every character read is marked as recognised, page by page (a page's span starts with the
    # line break that joins it to the page before).
    assert list(document.ocr) == [(span.start + (k > 0), span.end) for k, span in enumerate(document.pages)]
    [alert] = [a for a in document.alerts if a.kind == "scanned_pages"]
    words = len(document.text.split())
    assert alert.message.startswith(f"{words} words recognised by OCR on pages 1–2 without a text layer")
    assert not [a for a in document.alerts if a.kind == "no_text_layer"]


def test_text_pasted_as_a_picture_joins_a_pdf_where_it_stands(tmp_path):
    document = extract(pdf_with_picture(tmp_path / "thesis.pdf", EN[0], RU[1], EN[1]))
    [(start, end)] = document.ocr
    assert accuracy(RU[1], document.text[start:end]) >= 0.97
    # Before it the page's own first paragraph, after it the second: the reading order of the page.
    assert accuracy(EN[0], document.text[:start]) >= 0.99 and accuracy(EN[1], document.text[end:]) >= 0.99
    [alert] = [a for a in document.alerts if a.kind == "text_in_images"]
    count = len(document.text[start:end].split())
    assert alert.message.startswith(f"{count} words recognised in images on page 1: ")
    assert (alert.start, alert.end, alert.page) == (start, end, 1)


def test_a_picture_on_a_landscape_page_is_read_as_shown(tmp_path):
    """A landscape page as word processors make it: turned (/Rotate 90), its content turned back
    so that it reads upright; the picture's text is found where the page shows it."""
    pdf = pymupdf.open()
    page = pdf.new_page(width=595, height=842)
    page.set_rotation(90)
    picture = text_image(" ".join(RU[1].split()[:30]))
    size = pymupdf.open(stream=picture)[0].rect
    page.insert_image(pymupdf.Rect(60, 140, 60 + size.width, 140 + size.height) * page.derotation_matrix,
                      stream=picture, rotate=90)
    page.insert_text(pymupdf.Point(60, 80) * page.derotation_matrix, EN[0][:80], rotate=90, fontsize=11)
    pdf.save(tmp_path / "landscape.pdf")
    document = extract(tmp_path / "landscape.pdf")
    [(start, end)] = document.ocr
    assert accuracy(" ".join(RU[1].split()[:30]), document.text[start:end]) >= 0.97
    assert [a.kind for a in document.alerts] == ["text_in_images"]


def test_a_picture_in_a_docx_follows_its_paragraph(tmp_path):
    document = extract(docx_with_picture(tmp_path / "thesis.docx", [KK[1]], KK[2], [KK[3]]))
    [(start, end)] = document.ocr
    assert document.text[:start] == KK[1] + "\n" and document.text[end:] == "\n" + KK[3]
    assert accuracy(KK[2], document.text[start:end]) >= 0.97
    [alert] = [a for a in document.alerts if a.kind == "text_in_images"]
    assert alert.message.startswith(f"{len(document.text[start:end].split())} words recognised in 1 image")


def test_a_logo_or_a_photo_adds_no_text(tmp_path):
    """A picture with a word or two (a logo, a label) or none (a photograph) is no pasted text."""
    import random

    rng = random.Random(1)
    photo = pymupdf.Pixmap(pymupdf.csGRAY, 160, 90, bytes(rng.randrange(256) for _ in range(160 * 90)), False)
    for picture in (text_image("ҚазҰлтПУ 2024"), photo.tobytes("png")):
        path = tmp_path / "logo.docx"
        document = pymupdf_free_docx(path, picture)
        assert not document.ocr and not [a for a in document.alerts if a.kind == "text_in_images"]
        assert document.text == EN[2]


def test_ocr_noise_is_told_from_prose():
    """What Tesseract made of a photograph of random pixels (a 300×200 one, read once) against
    recognised prose, garbled a little."""
    noise = ("НОЕ Е, ty “ete ыы ЕА р SeatesЕ: а saath Uae аа: ЖЕКЯ 2% e 9 ree dee ЕЕ СНС бере beni ee teen "
             "cea Sai 42) ық stats ae! с ызо ко нем О Went Eras oe а И 125 SCs aay eae fae is Е2020")
    assert not ocr.reads_as_text(noise)
    for prose in (KK[0], RU[0], EN[0], EN[0].replace("e", "c")[:300]):
        assert ocr.reads_as_text(prose)
    assert not ocr.reads_as_text("Кафедра педагогики 2024")  # a label: too few words


def pymupdf_free_docx(path: Path, picture: bytes):
    import docx
    from docx.shared import Inches

    document = docx.Document()
    document.add_paragraph().add_run().add_picture(io.BytesIO(picture), width=Inches(2))
    document.add_paragraph(EN[2])
    document.save(path)
    return extract(path)


def test_no_ocr_reads_only_the_files_own_text(tmp_path):
    scan = scanned_pdf(tmp_path / "scan.pdf", [RU[2]])
    with pytest.raises(ExtractionError, match=r"no text layer \(scanned PDF\), and OCR is off \(--no-ocr\)"):
        extract(scan, ocr=False)
    document = extract(pdf_with_picture(tmp_path / "thesis.pdf", EN[0], RU[1], EN[1]), ocr=False)
    assert not document.ocr and "  " not in document.text and not document.alerts
    assert accuracy(EN[0] + "\n" + EN[1], document.text) >= 0.99


def test_without_tesseract_a_document_that_needs_it_fails_naming_the_packages(tmp_path, monkeypatch):
    monkeypatch.setattr(ocr, "tessdata_dir", lambda: None)
    packages = "apt-get install tesseract-ocr tesseract-ocr-kaz tesseract-ocr-rus tesseract-ocr-eng"
    with pytest.raises(ExtractionError) as info:
        extract(scanned_pdf(tmp_path / "scan.pdf", [RU[2]]))
    assert packages in str(info.value) and "\n" not in str(info.value)
    pictures_only = docx_with_picture(tmp_path / "pictures.docx", [], RU[3], [])
    with pytest.raises(ExtractionError, match=packages):
        extract(pictures_only)
    # Text with a picture: the text is checked, and the report says what was not.
    document = extract(docx_with_picture(tmp_path / "thesis.docx", [EN[0]], RU[3], [EN[1]]))
    assert document.text == EN[0] + "\n" + EN[1]
    [alert] = document.alerts
    assert alert.kind == "image_not_recognised" and packages in alert.message


# -- bad pictures -------------------------------------------------------------------------------------
def _png(width: int, height: int) -> bytes:
    """A PNG that declares ``width``×``height`` pixels and holds almost nothing."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


BAD_PICTURES = {
    "corrupt": (b"\x89PNG\r\n\x1a\n this is not the rest of a PNG", "a damaged"),
    "empty": (_png(0, 0), "a damaged"),
    "bomb": (_png(100_000, 100_000), "a damaged"),
}


def _docx_with_bad_picture(path: Path, picture: bytes, body: list[str]) -> Path:
    """A DOCX with a picture whose image part is replaced by ``picture``."""
    good = docx_with_picture(path.parent.parent / ("template-" + path.name), body, "Картинка", [])
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            data = picture if info.filename.startswith("word/media/") else source.read(info)
            target.writestr(info, data)
    return path


def _pdf_bomb(path: Path) -> Path:
    """A scanned page whose picture declares 100,000×100,000 pixels (an image bomb)."""
    pdf = pymupdf.open(scanned_pdf(path.parent.parent / ("small-" + path.name), [RU[0][:200]]))
    [(xref, *_)] = pdf[0].get_images()
    pdf.xref_set_key(xref, "Width", "100000")
    pdf.xref_set_key(xref, "Height", "100000")
    pdf.save(path)
    return path


@pytest.mark.parametrize("kind", list(BAD_PICTURES))
def test_a_bad_picture_beside_text_is_an_alert_and_alone_an_error(tmp_path, kind):
    picture, _ = BAD_PICTURES[kind]
    document = extract(_docx_with_bad_picture(tmp_path / "thesis.docx", picture, [EN[0]]))
    assert document.text == EN[0]
    [alert] = document.alerts
    assert alert.kind == "image_not_recognised" and alert.message.startswith("1 image was not searched for text: ")
    with pytest.raises(ExtractionError) as info:
        extract(_docx_with_bad_picture(tmp_path / "alone.docx", picture, []))
    assert str(info.value).startswith(f"{tmp_path / 'alone.docx'}: no text found: its pictures cannot be recognised (")
    assert "\n" not in str(info.value)


def test_an_image_bomb_in_a_pdf_is_refused_by_its_declared_size(tmp_path):
    with pytest.raises(ExtractionError) as info:
        extract(_pdf_bomb(tmp_path / "bomb.pdf"))
    assert str(info.value) == (f"{tmp_path / 'bomb.pdf'}: no text found: page 1 is a picture that cannot be "
                               "recognised (100000×100000 pixels, more than the 80 megapixels an image may have "
                               "to be recognised (an image bomb?))")


def test_bad_pictures_fail_their_files_in_one_line_and_the_batch_goes_on(tmp_path):
    batch = tmp_path / "batch"
    batch.mkdir()
    for kind, (picture, _) in BAD_PICTURES.items():
        _docx_with_bad_picture(batch / f"{kind}.docx", picture, [])
    _pdf_bomb(batch / "bomb.pdf")
    make_docx(batch / "good.docx", EN[:3])
    result = CliRunner().invoke(cli, ["corpus", "add", str(batch), "--db", str(tmp_path / "c.db"), "-j", "1"])
    assert result.exit_code == 2
    assert result.stdout.startswith("1 added, 0 already present, 4 failed"), result.output
    errors = sorted(line for line in result.stderr.splitlines() if line.startswith("error: "))
    assert [line.split(": ", 2)[1].rsplit("/", 1)[-1] for line in errors] == [
        "bomb.docx", "bomb.pdf", "corrupt.docx", "empty.docx"]
    assert all("no text found" in line for line in errors) and "Traceback" not in result.output


# -- limits -------------------------------------------------------------------------------------------
def test_ocr_runs_in_the_limited_child_and_a_page_over_its_time_fails_the_file(tmp_path):
    data = scanned_pdf(tmp_path / "scan.pdf", [" ".join(EN[3].split()[:25])]).read_bytes()
    limited = extract_bytes(data, "dept/scan.pdf", limits=ExtractionLimits())
    assert limited.text == extract(tmp_path / "scan.pdf").text and limited.ocr
    with pytest.raises(ExtractionError) as info:
        extract_bytes(data, "dept/scan.pdf", limits=ExtractionLimits(ocr_page_seconds=0.01))
    assert str(info.value) == ("dept/scan.pdf: OCR of page 1 took longer than 0.01 s: the file is too large or "
                               "too complex to check")


def test_languages_put_the_documents_own_first():
    assert ocr.languages(None) == "kaz+rus+eng"
    assert ocr.languages("ru-RU") == "rus+kaz+eng"
    assert ocr.languages("en") == "eng+kaz+rus"
    assert ocr.languages("de-DE") == "kaz+rus+eng"


# -- end to end ---------------------------------------------------------------------------------------
def test_a_copied_passage_pasted_as_a_scan_is_found_marked_and_alerted(tmp_path):
    """A corpus of sample texts; a thesis whose copied Kazakh paragraph is a scanned page and whose
    copied Russian paragraph is a picture in the text: both matches land on the recognised text,
    the report says where text came from images, and the HTML marks it."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    kk_source = bundled_text("kk", "02-altynsarin-school")
    ru_source = bundled_text("ru", "01-teaching-practice")
    (corpus / "kk.txt").write_text(kk_source, encoding="utf-8")
    (corpus / "ru.txt").write_text(ru_source, encoding="utf-8")
    (corpus / "other.txt").write_text(bundled_text("en", "01-reflective-practice"), encoding="utf-8")
    with Store(tmp_path / "c.db") as store:
        ids = {name: add_file(store, corpus / name).doc_id for name in ("kk.txt", "ru.txt", "other.txt")}
        pdf = pymupdf.open(pdf_with_picture(tmp_path / "text.pdf", EN[4], paragraphs(ru_source)[1], EN[5]))
        pdf.insert_pdf(pymupdf.open(scanned_pdf(tmp_path / "scan.pdf", [paragraphs(kk_source)[2]])))
        pdf.save(tmp_path / "thesis.pdf")
        document = extract(tmp_path / "thesis.pdf")
        report = build_report(store, document, semantic=False)
    matches = report.result.matches
    assert {m.source_id for m in matches} == {ids["kk.txt"], ids["ru.txt"]}
    for m in matches:  # each match lies on recognised text
        assert any(a <= m.this_start and m.this_end <= b for a, b in document.ocr)
    recognised = sum(b - a for a, b in document.ocr)
    assert sum(m.this_end - m.this_start for m in matches) >= 0.9 * recognised
    kinds = {a.kind for a in report.alerts}
    assert {"scanned_pages", "text_in_images"} <= kinds
    html = render_html(report)
    assert html.count('class="ocr"') >= 2 and "recognised by OCR" in html
    assert report.result.document_info["ocr"] == [list(span) for span in document.ocr]


# -- legacy Kazakh fonts ------------------------------------------------------------------------------
# The symptom only: Kazakh letters stored as other Windows-1251 characters. Which character stood
# for which letter differed between KZ fonts, and no documented table was found (README), so this
# substitution is an example of the pattern, not any one font's table.
_KZ_LIKE = str.maketrans("әғқңөұүһіӘҒҚҢӨҰҮҺІ", "ќѓљњўїєћјЌЃЉЊЎЇЄЋЈ")


def test_kazakh_typed_in_a_legacy_kz_font_is_an_alert_and_real_text_is_not(tmp_path):
    from plagcheck.alerts import find_alerts

    kk = bundled_text("kk", "03-baitursynuly-methodology")
    legacy = extract(make_docx(tmp_path / "old.docx", paragraphs(kk.translate(_KZ_LIKE))))
    [alert] = [a for a in find_alerts(legacy) if a.kind == "legacy_font"]
    assert "legacy Kazakh \"KZ\" font" in alert.message and "cannot be compared reliably" in alert.message
    assert legacy.text[alert.start:alert.end].translate(str.maketrans("ќѓљњўїєћј", "әғқңөұүһі")) in kk
    # Real Kazakh and Russian text, and a Russian text naming Київ and © once, are not.
    for text in (kk, bundled_text("ru", "02-formative-assessment") + " Тарас Шевченко, Київ, © 2020."):
        plain = extract(make_docx(tmp_path / "new.docx", paragraphs(text)))
        assert not [a for a in find_alerts(plain) if a.kind == "legacy_font"]
