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


class _Builder:
    """Accumulates paragraphs into one text, recording alert offsets as it goes."""

    def __init__(self):
        self.parts: list[str] = []
        self.offset = 0
        self.alerts: list[Alert] = []

    def paragraph(self, paragraph: Paragraph) -> None:
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


def extract_docx(path: Path) -> Document:
    """Extract a DOCX's body text (paragraphs, tables, footnotes) in document order."""
    check_package(path)
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise ExtractionError(path, f"corrupt DOCX: not a readable Word document ({type(error).__name__})") from None
    except Exception as error:  # lxml XMLSyntaxError and friends
        raise ExtractionError(path, f"corrupt DOCX ({error})") from None
    builder = _Builder()
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
    except Exception as error:
        raise ExtractionError(path, f"corrupt DOCX: its content cannot be read ({error})") from None
    return Document(path=str(path), format="docx", text="".join(builder.parts),
                    alerts=tuple(builder.alerts), furniture="\n".join(furniture))
