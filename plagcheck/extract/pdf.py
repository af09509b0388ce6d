"""PDF with PyMuPDF: reading order, page spans, joined line-end hyphenation, running heads dropped.

White or microscopic text and pages without a text layer become alerts; they are not dropped
from the text, because hidden text is still text the student submitted.

MuPDF prints its complaints about a damaged file on standard output, where they would corrupt
``check --format json``; they are collected instead and logged as one warning per file read.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pymupdf

from plagcheck import defaults
from plagcheck.errors import ExtractionError
from plagcheck.models import Alert, Document, PageSpan

log = logging.getLogger(__name__)
# Quiet MuPDF's own printing (it still keeps each message for mupdf_warnings()), and send
# whatever PyMuPDF itself prints to the log rather than to standard output.
pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)
pymupdf.set_messages(pylogging_logger=logging.getLogger("pymupdf"), pylogging_level=logging.WARNING)

WHITE = 0xFFFFFF
_HYPHENS = "-\u2010\u2011\u00ad"
_DIGITS_RE = re.compile(r"\d+")
_ALLOCATION_FAILED_RE = re.compile(r"alloc\w* \(.*\) failed|out of memory|inflateInit2? failed", re.IGNORECASE)
_PAGE_NUMBER_RE = re.compile(r"^\W*(?:\d{1,4}|[ivxlcdm]{1,7})\W*$", re.IGNORECASE)


@dataclass
class _Line:
    text: str
    top: float
    bottom: float
    spans: list[tuple[int, int, int, float]] = field(default_factory=list)  # start, end, color, size


def _page_lines(page: pymupdf.Page) -> list[_Line]:
    lines = []
    data = page.get_text("dict", flags=pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_PRESERVE_LIGATURES,
                         sort=True)
    for block in data["blocks"]:
        if block.get("type") != 0:
            continue
        for raw in block["lines"]:
            line = _Line("", raw["bbox"][1], raw["bbox"][3])
            for span in raw["spans"]:
                start = len(line.text)
                line.text += span["text"]
                line.spans.append((start, len(line.text), span["color"], span["size"]))
            if line.text.strip():
                lines.append(line)
    return lines


def _furniture_key(line: _Line, height: float) -> str | None:
    """A key for lines in the top/bottom margin; equal keys on many pages mean a running head."""
    margin = defaults.HEADER_FOOTER_MARGIN * height
    if line.bottom <= margin or line.top >= height - margin:
        return _DIGITS_RE.sub("#", " ".join(line.text.split()).casefold())
    return None


def extract_pdf(path: Path) -> Document:
    """Extract a PDF's text in reading order. See the module docstring for what is kept."""
    pymupdf.TOOLS.reset_mupdf_warnings()  # this file's messages only (the store is process-wide)
    try:
        pages, scanned = _read_pages(path)
    finally:
        messages = _mupdf_messages(path)
    if any(_ALLOCATION_FAILED_RE.search(m) for m in messages):
        # MuPDF skips what it could not allocate memory for and goes on: the text would be incomplete
        raise MemoryError(f"MuPDF ran out of memory reading {path}")

    if not any(lines for _, _, lines in pages):
        if scanned:
            raise ExtractionError(path, "no text layer (scanned PDF): run OCR on it first")
        raise ExtractionError(path, "empty document: no text found")

    # Running heads and footers: margin lines that repeat (digits ignored) on many pages.
    keys = Counter()
    for _, height, lines in pages:
        keys.update({k for line in lines if (k := _furniture_key(line, height))})
    threshold = max(defaults.HEADER_MIN_PAGES, len(pages) // 2)
    running = {k for k, n in keys.items() if n >= threshold}

    parts: list[str] = []
    furniture: list[str] = []
    alerts: list[Alert] = []
    page_spans: list[PageSpan] = []
    offset = 0
    for number, height, lines in pages:
        page_start = offset
        for line in lines:
            key = _furniture_key(line, height)
            if key is not None and (key in running or _PAGE_NUMBER_RE.match(line.text)):
                furniture.append(line.text.strip())
                continue
            text = line.text.rstrip()
            if parts and _continues_hyphenated(parts[-1], text):
                joined = parts[-1].rstrip()[:-1]  # drop the hyphen, join without a break
                offset -= len(parts[-1]) - len(joined)
                parts[-1] = joined
            elif parts:
                parts.append("\n")
                offset += 1
            line_start = offset
            for start, end, color, size in line.spans:
                span_text = line.text[start:end]
                if not span_text.strip() or start >= len(text):
                    continue
                where = (line_start + start, line_start + min(end, len(text)))
                if color == WHITE:
                    alerts.append(Alert("white_text", f"white text on page {number}: {span_text.strip()[:60]!r}",
                                        *where, page=number))
                elif size < defaults.MICROSCOPIC_FONT_PT:
                    alerts.append(Alert("microscopic_text",
                                        f"microscopic text ({size:.1f} pt) on page {number}: {span_text.strip()[:60]!r}",
                                        *where, page=number))
            parts.append(text)
            offset += len(text)
        if parts and offset > page_start:
            page_spans.append(PageSpan(number, page_start, offset))
        if number in scanned:
            alerts.append(Alert("no_text_layer", f"page {number} has no text layer (scanned image): "
                                "its text was not checked", page=number))
    text = "".join(parts)
    if messages:  # (not when the file failed: its one-line error says enough)
        log.warning("%s: MuPDF reported %d problem%s reading the PDF (first: %s); its text may be incomplete",
                    path, len(messages), "" if len(messages) == 1 else "s", messages[0])
        # The report must say so too: a certificate of a partly read file is not one of the whole.
        alerts.append(Alert("damaged_file", f"the PDF is damaged (MuPDF reported {len(messages)} "
                            f"problem{'' if len(messages) == 1 else 's'} reading it, the first: "
                            f"{messages[0].replace(str(path), 'the file')}); its text may be incomplete, "
                            "and what could not be read was not checked"))
    return Document(path=str(path), format="pdf", text=text, pages=tuple(page_spans),
                    alerts=tuple(alerts), furniture="\n".join(furniture))


def _read_pages(path: Path) -> tuple[list[tuple[int, float, list[_Line]]], list[int]]:
    """Each page's number, height and text lines, and the numbers of pages that are only images.

    Every call into PyMuPDF is inside the error handling: on a damaged file even ``page_count``
    raises (a PDF truncated to a tenth: "Invalid number of pages").
    """
    try:
        pdf = pymupdf.open(path, filetype="pdf")
    except Exception as error:  # PyMuPDF raises several types for damaged files
        raise ExtractionError(path, f"corrupt or unreadable PDF ({_one_line(error)})") from None
    pages: list[tuple[int, float, list[_Line]]] = []
    scanned: list[int] = []
    with pdf:
        try:
            encrypted, count = pdf.needs_pass, pdf.page_count
        except Exception as error:
            raise ExtractionError(path, f"corrupt or unreadable PDF ({_one_line(error)})") from None
        if encrypted:
            raise ExtractionError(path, "encrypted PDF: it needs a password; submit an unprotected copy")
        if count == 0:
            raise ExtractionError(path, "empty document: the PDF has no pages")
        try:
            for page in pdf:
                lines = _page_lines(page)
                pages.append((page.number + 1, page.rect.height, lines))
                if not lines and page.get_images(full=False):
                    scanned.append(page.number + 1)
        except Exception as error:
            raise ExtractionError(path, f"corrupt PDF: page {len(pages) + 1} cannot be read "
                                        f"({_one_line(error)})") from None
    return pages, scanned


def _mupdf_messages(path: Path) -> list[str]:
    """What MuPDF complained about while reading ``path`` (a damaged file: hundreds of lines),
    logged in full at debug level."""
    messages = [m for m in pymupdf.TOOLS.mupdf_warnings().splitlines() if m.strip()]
    if messages:
        log.debug("%s: MuPDF messages:\n%s", path, "\n".join(messages))
    return messages


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def _continues_hyphenated(previous: str, line: str) -> bool:
    """True when ``previous`` ends in ``letter-`` and ``line`` starts with a lowercase letter."""
    previous = previous.rstrip()
    return (len(previous) >= 2 and previous[-1] in _HYPHENS and previous[-2].isalpha()
            and bool(line) and line[0].islower())
