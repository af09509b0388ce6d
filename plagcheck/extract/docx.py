"""DOCX with python-docx: body paragraphs and tables in order, then footnotes.

Headers and footers are kept apart (``Document.furniture``). Runs that are hidden, white or
microscopic stay in the text and become alerts.

A DOCX is a zip: its parts are checked against size and compression bounds (declared, then
actual) before python-docx reads them all into memory, so a zip bomb fails in seconds.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.shared import RGBColor
from docx.table import Table
from docx.text.hyperlink import Hyperlink
from docx.text.paragraph import Paragraph

from plagcheck import defaults
from plagcheck.errors import ExtractionError
from plagcheck.extract import ocr, steps
from plagcheck.extract.archive import member_problem, read_member
from plagcheck.models import Alert, Document

WHITE = RGBColor(0xFF, 0xFF, 0xFF)


def _run_alert(run, start: int, end: int) -> Alert | None:
    font = run.font
    snippet = repr(run.text.strip()[:60])
    if font.hidden:
        return Alert("hidden_text", f"hidden text: {snippet}", start, end)
    try:
        color = font.color.rgb if font.color is not None and font.color.type is not None else None
    except (ValueError, AttributeError):
        color = None
    if color == WHITE:
        return Alert("white_text", f"white text: {snippet}", start, end)
    if font.size is not None and font.size.pt < defaults.MICROSCOPIC_FONT_PT:
        return Alert("microscopic_text", f"microscopic text ({font.size.pt:.1f} pt): {snippet}", start, end)
    return None


# A picture refers to its image part: DrawingML's <a:blip r:embed>, or VML's <v:imagedata r:id> (older
# Word files, and what LibreOffice writes for some converted .doc pictures).
_PICTURES_XPATH = ".//a:blip/@r:embed | .//*[local-name()='imagedata']/@*[local-name()='id']"


class _Builder:
    """Accumulates paragraphs into one text, recording alert offsets as it goes; with
    ``pictures``, the text recognised in a paragraph's pictures follows the paragraph."""

    def __init__(self, pictures: _Pictures | None = None):
        self.parts: list[str] = []
        self.offset = 0
        self.alerts: list[Alert] = []
        self.pictures = pictures
        self.ocr: list[tuple[int, int]] = []

    def paragraph(self, paragraph: Paragraph) -> None:
        self._paragraph_text(paragraph)
        if self.pictures is not None:
            for lines in self.pictures.text_of(paragraph):
                start = self.offset + (1 if self.parts else 0)
                self.text("\n".join(lines))
                self.ocr.append((start, self.offset))

    def _paragraph_text(self, paragraph: Paragraph) -> None:
        runs = []
        for item in paragraph.iter_inner_content():
            runs.extend(item.runs if isinstance(item, Hyperlink) else [item])
        text = "".join(run.text for run in runs)
        if not text.strip():
            return
        if self.parts:
            self.parts.append("\n")
            self.offset += 1
        position = self.offset
        for run in runs:
            if run.text.strip():
                alert = _run_alert(run, position, position + len(run.text))
                if alert:
                    self.alerts.append(alert)
            position += len(run.text)
        self.parts.append(text)
        self.offset += len(text)

    def text(self, text: str) -> None:
        if text.strip():
            if self.parts:
                self.parts.append("\n")
                self.offset += 1
            self.parts.append(text)
            self.offset += len(text)

    def table(self, table: Table) -> None:
        seen = set()
        for row in table.rows:
            for cell in row.cells:
                if id(cell._tc) in seen:  # merged cells repeat the same element
                    continue
                seen.add(id(cell._tc))
                for block in cell.iter_inner_content():
                    if isinstance(block, Paragraph):
                        self.paragraph(block)
                    else:
                        self.table(block)


def _footnotes(document) -> list[str]:
    """Footnote texts, read from the package part python-docx does not model."""
    for part in document.part.package.iter_parts():
        if str(part.partname) == "/word/footnotes.xml":
            from lxml import etree

            root = etree.fromstring(part.blob)
            notes = []
            for note in root.iter(qn("w:footnote")):
                if note.get(qn("w:type")) in ("separator", "continuationSeparator", "continuationNotice"):
                    continue
                text = "".join(t.text or "" for t in note.iter(qn("w:t")))
                if text.strip():
                    notes.append(text.strip())
            return notes
    return []


def check_package(path: Path) -> None:
    """Refuse a DOCX whose parts declare, or hold, more than python-docx may safely read."""
    try:
        with zipfile.ZipFile(path) as package:
            total = 0
            for info in package.infolist():
                problem = member_problem(info, total, max_member_bytes=defaults.DOCX_MAX_PART_BYTES,
                                         max_total_bytes=defaults.DOCX_MAX_TOTAL_BYTES,
                                         max_ratio=defaults.DOCX_MAX_RATIO)
                if problem:
                    raise ExtractionError(path, f"DOCX refused: its part {info.filename} is {problem}")
                total += info.file_size
            for info in package.infolist():
                read_member(package, info, keep=False)  # a part may hold more than it declares
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError,
            OSError, zlib.error) as error:  # RuntimeError: an encrypted part
        raise ExtractionError(path, f"corrupt DOCX: not a readable Word document ({error})") from None


class _Pictures:
    """The pictures of a DOCX's paragraphs, recognised by OCR (each image part once, however
    often it is shown), and what could not be recognised."""

    def __init__(self, document, language: str):
        self.part = document.part
        self.language = language
        self.seen: dict[str, ocr.ImageText] = {}
        self.words = 0
        self.images = 0
        self.problems: list[str] = []
        self.unavailable = 0  # pictures not searched for text: Tesseract is not installed

    def text_of(self, paragraph: Paragraph) -> list[tuple[str, ...]]:
        """The recognised lines of each picture in ``paragraph`` that holds text."""
        found = []
        for rid in dict.fromkeys(paragraph._p.xpath(_PICTURES_XPATH)):
            result = self._recognise(rid)
            if result is not None and result.lines and ocr.reads_as_text(" ".join(result.lines)):
                found.append(result.lines)
                self.words += ocr.word_count(" ".join(result.lines))
                self.images += 1
        return found

    def _recognise(self, rid: str) -> ocr.ImageText | None:
        if rid in self.seen:
            return None  # the same picture again (a logo on every page): its text is in once
        image = self.part.related_parts.get(rid)
        if image is None or not getattr(image, "content_type", "").startswith("image/"):
            return None
        if ocr.tessdata_dir() is None:
            self.unavailable += 1
            self.seen[rid] = ocr.ImageText()
            return None
        steps.begin(defaults.OCR_PAGE_SECONDS, f"OCR of picture {len(self.seen) + 1}")
        result = self.seen[rid] = ocr.recognise_image(image.blob, self.language)
        if result.problem:
            self.problems.append(result.problem)
        return result

    def alerts(self, ranges: list[tuple[int, int]]) -> list[Alert]:
        alerts = []
        if self.words:
            first = ranges[0] if ranges else (None, None)
            alerts.append(Alert("text_in_images", f"{self.words} words recognised in {self.images} "
                                f"image{'s' if self.images != 1 else ''} of the document: text pasted as pictures "
                                "is a known way to hide copied text; it is checked like the rest", *first))
        if self.problems:
            alerts.append(Alert("image_not_recognised", f"{len(self.problems)} image"
                                f"{'s were' if len(self.problems) != 1 else ' was'} not searched for text: "
                                f"{self.problems[0]}"))
        if self.unavailable:
            alerts.append(Alert("image_not_recognised", f"{self.unavailable} image"
                                f"{'s were' if self.unavailable != 1 else ' was'} not searched for text: "
                                f"OCR {ocr.unavailable_reason()}"))
        return alerts


def extract_docx(path: Path, *, use_ocr: bool = True) -> Document:
    """Extract a DOCX's body text (paragraphs, tables, footnotes) in document order; with
    ``use_ocr``, the text of pictures that hold some follows the paragraph they are in."""
    check_package(path)
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise ExtractionError(path, f"corrupt DOCX: not a readable Word document ({type(error).__name__})") from None
    except Exception as error:  # lxml XMLSyntaxError and friends
        raise ExtractionError(path, f"corrupt DOCX ({error})") from None
    pictures = _Pictures(document, ocr.languages(_core_language(document))) if use_ocr else None
    builder = _Builder(pictures)
    try:
        for block in document.iter_inner_content():
            if isinstance(block, Paragraph):
                builder.paragraph(block)
            else:
                builder.table(block)
        for note in _footnotes(document):
            builder.text(note)
        furniture = []
        for section in document.sections:
            for part in (section.header, section.footer):
                if not part.is_linked_to_previous or section is document.sections[0]:
                    furniture.extend(p.text for p in part.paragraphs if p.text.strip())
    except ExtractionError:
        raise
    except Exception as error:
        raise ExtractionError(path, f"corrupt DOCX: its content cannot be read ({error})") from None
    text = "".join(builder.parts)
    alerts = builder.alerts + (pictures.alerts(builder.ocr) if pictures is not None else [])
    if pictures is not None and not text.strip():
        if pictures.unavailable:  # a document of pictures only: it needs OCR
            raise ExtractionError(path, ocr.unavailable_reason())
        if pictures.problems:
            raise ExtractionError(path, f"no text found: its pictures cannot be recognised ({pictures.problems[0]})")
    return Document(path=str(path), format="docx", text=text, alerts=tuple(alerts),
                    furniture="\n".join(furniture), ocr=tuple(builder.ocr))


def _core_language(document) -> str | None:
    try:
        return document.core_properties.language or None
    except Exception:  # a damaged core properties part does not stop the text
        return None
