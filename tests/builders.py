"""Builders of real test documents: PDFs through PyMuPDF with a Unicode font, DOCX through python-docx."""

from __future__ import annotations

from pathlib import Path

import docx
import pymupdf

from benchmarks import wrap_words

ROOT = Path(__file__).resolve().parent.parent
TEXTS = ROOT / "corpus" / "texts"  # the project's own CC0 texts (corpus/texts/LICENSE.md), six per language
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def bundled_text(language: str, *names: str) -> str:
    """The named texts of ``corpus/texts/<language>/`` joined into one document, blank line between.

    Each bundled text is about 280 words; tests that need a longer document join several.
    """
    return "\n\n".join((TEXTS / language / f"{name}.txt").read_text(encoding="utf-8").strip() for name in names)


# The documents most tests are built from (the fixtures of conftest.py). RU_TEXT and EN_TEXT
# are the texts the sample corpus (corpus/samples, texts 01-04) leaves out, so a test may check
# them against it; EN_TEXT2 is two other English texts, sharing no passage with EN_TEXT.
RU_TEXT = bundled_text("ru", "05-word-problems", "06-small-rural-schools")  # ~550 words
EN_TEXT = bundled_text("en", "05-gifted-learners", "06-academic-writing-integrity")  # ~570 words
EN_TEXT2 = bundled_text("en", "01-reflective-practice", "02-critical-thinking-history")  # ~590 words, in the samples


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n") if p.strip()]


def make_pdf(path: Path, pages: list[list[str]], *, header: str | None = None, footer_numbers: bool = False,
             fontsize: float = 11, white: str | None = None, tiny: str | None = None,
             encrypt: str | None = None) -> Path:
    """A PDF whose pages hold the given lines (each line is placed as is, so hyphenation at the
    end of a line is real), optionally with a running header, page numbers, white and tiny text."""
    pdf = pymupdf.open()
    for number, lines in enumerate(pages, start=1):
        page = pdf.new_page(width=595, height=842)
        page.insert_font(fontname="dv", fontfile=FONT)
        if header:
            page.insert_text((72, 30), header, fontname="dv", fontsize=9)
        y = 90
        for line in lines:
            page.insert_text((72, y), line, fontname="dv", fontsize=fontsize)
            y += fontsize * 1.5
        if white and number == 1:
            page.insert_text((72, y + 20), white, fontname="dv", fontsize=fontsize, color=(1, 1, 1))
        if tiny and number == 1:
            page.insert_text((72, y + 40), tiny, fontname="dv", fontsize=1)
        if footer_numbers:
            page.insert_text((290, 820), str(number), fontname="dv", fontsize=9)
    if encrypt:
        pdf.save(path, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw=encrypt, owner_pw=encrypt + "-owner")
    else:
        pdf.save(path)
    return path


def wrap(text: str, width: int = 70) -> list[str]:
    """Break prose into lines of at most ``width`` characters (no hyphenation).

    70 characters of Cyrillic fit between :func:`make_pdf`'s left margin and the page's edge at
    11 pt; at 80 the last letters of a Russian line fall off the page and out of the text layer.
    """
    return wrap_words(text.split(), width)


def make_docx(path: Path, body: list[str], *, header: str | None = None, table: list[list[str]] | None = None,
              white: str | None = None) -> Path:
    document = docx.Document()
    if header:
        document.sections[0].header.paragraphs[0].text = header
    for text in body:
        document.add_paragraph(text)
    if table:
        t = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, cell in enumerate(row):
                t.cell(r, c).text = cell
    if white:
        from docx.shared import RGBColor

        run = document.add_paragraph().add_run(white)
        run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    document.save(path)
    return path



def make_docx_bomb(path: Path, inflated_bytes: int, *, declared_bytes: int | None = None) -> Path:
    """A valid DOCX whose ``word/document.xml`` holds ``inflated_bytes`` of the same short paragraph
    over and over: a few hundred KB compressed, a parse tree of gigabytes (a zip bomb).
    ``declared_bytes``: the zip lies, declaring that uncompressed size instead."""
    import zipfile

    plain = make_docx(path.with_name(path.stem + "-plain.docx"), ["Обычный абзац перед бомбой."])
    with zipfile.ZipFile(plain) as package:
        parts = {info.filename: package.read(info) for info in package.infolist()}
    plain.unlink()
    head, tail = parts.pop("word/document.xml").split(b"<w:body>", 1)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as bomb:
        for name, data in parts.items():
            bomb.writestr(name, data)
        with bomb.open("word/document.xml", "w") as xml:
            xml.write(head + b"<w:body>")
            paragraph = b"<w:p><w:r><w:t>bomb</w:t></w:r></w:p>"
            chunk = paragraph * (2**20 // len(paragraph))
            for _ in range(inflated_bytes // len(chunk)):
                xml.write(chunk)
            xml.write(tail)
    if declared_bytes is not None:  # the uncompressed size in the local and the central header
        raw = bytearray(path.read_bytes())
        name = b"word/document.xml"
        for signature, name_at, size_at in ((b"PK\x03\x04", 30, 22), (b"PK\x01\x02", 46, 24)):
            at = raw.find(signature)
            while at >= 0:
                if raw[at + name_at:at + name_at + len(name)] == name:
                    raw[at + size_at:at + size_at + 4] = declared_bytes.to_bytes(4, "little")
                at = raw.find(signature, at + 4)
        path.write_bytes(bytes(raw))
    return path
