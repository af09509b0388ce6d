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
from plagcheck.extract import ocr, steps
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
    left: float = 0.0
    right: float = 0.0
    ocr: bool = False  # recognised by OCR, not the page's own text

    def centre_in(self, box: pymupdf.Rect) -> bool:
        return box.contains(pymupdf.Point((self.left + self.right) / 2, (self.top + self.bottom) / 2))


_FLAGS = pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_PRESERVE_LIGATURES


def _page_lines(page: pymupdf.Page, textpage: pymupdf.TextPage | None = None) -> list[_Line]:
    """The page's text lines in reading order; with ``textpage`` (one made with OCR), those of
    that text page, recognised lines marked and their runs of spaces made single."""
    lines = []
    data = page.get_text("dict", flags=_FLAGS, sort=True, textpage=textpage)
    for block in data["blocks"]:
        if block.get("type") != 0:
            continue
        for raw in block["lines"]:
            x0, y0, x1, y1 = raw["bbox"]
            line = _Line("", y0, y1, left=x0, right=x1)
            if raw["spans"] and all(ocr.is_ocr_span(span) for span in raw["spans"]):
                line.ocr = True
                line.text = ocr.clean_line("".join(span["text"] for span in raw["spans"]))
                # no spans: a recognised line has no colour or size of its own to judge
            else:
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


def extract_pdf(path: Path, *, use_ocr: bool = True) -> Document:
    """Extract a PDF's text in reading order. See the module docstring for what is kept.

    With ``use_ocr``, pages without a text layer and pictures holding text are recognised
    (:mod:`plagcheck.extract.ocr`); their characters are listed in ``Document.ocr``.
    """
    pymupdf.TOOLS.reset_mupdf_warnings()  # this file's messages only (the store is process-wide)
    try:
        pages = _read_pages(path, use_ocr)
    finally:
        messages = _mupdf_messages(path)
    if any(_ALLOCATION_FAILED_RE.search(m) for m in messages):
        # MuPDF skips what it could not allocate memory for and goes on: the text would be incomplete
        raise MemoryError(f"MuPDF ran out of memory reading {path}")

    if not any(page.lines for page in pages):
        unread = [page for page in pages if page.problem]
        if unread:
            raise ExtractionError(path, f"no text found: page {unread[0].number} is a picture that cannot be "
                                        f"recognised ({unread[0].problem})")
        if any(page.scanned for page in pages):
            raise ExtractionError(path, "no text layer (scanned PDF), and OCR is off (--no-ocr)" if not use_ocr
                                  else "no text layer (scanned PDF), and OCR found no text in its pages")
        raise ExtractionError(path, "empty document: no text found")

    # Running heads and footers: margin lines that repeat (digits ignored) on many pages.
    keys = Counter()
    for page in pages:
        keys.update({k for line in page.lines if (k := _furniture_key(line, page.height))})
    threshold = max(defaults.HEADER_MIN_PAGES, len(pages) // 2)
    running = {k for k, n in keys.items() if n >= threshold}

    parts: list[str] = []
    furniture: list[str] = []
    alerts: list[Alert] = []
    page_spans: list[PageSpan] = []
    recognised: list[tuple[int, int]] = []  # characters that OCR read
    offset = 0
    for page in pages:
        number = page.number
        page_start = offset
        for line in page.lines:
            key = _furniture_key(line, page.height)
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
            if line.ocr:
                _add_range(recognised, line_start, line_start + len(text), page_start)
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
        if page.scanned and not page.recognised:
            reason = (f"its picture was not recognised: {page.problem}" if page.problem else
                      "OCR is off (--no-ocr)" if not use_ocr else "OCR found no text in it")
            alerts.append(Alert("no_text_layer", f"page {number} has no text layer (scanned image) and {reason}: "
                                "its text was not checked", page=number))
        elif page.problem:
            alerts.append(Alert("image_not_recognised", f"the pictures on page {number} were not searched for "
                                f"text: {page.problem}", page=number))
    text = "".join(parts)
    alerts += _ocr_alerts(pages, page_spans, recognised, text)
    if messages:  # (not when the file failed: its one-line error says enough)
        log.warning("%s: MuPDF reported %d problem%s reading the PDF (first: %s); its text may be incomplete",
                    path, len(messages), "" if len(messages) == 1 else "s", messages[0])
        # The report must say so too: a certificate of a partly read file is not one of the whole.
        alerts.append(Alert("damaged_file", f"the PDF is damaged (MuPDF reported {len(messages)} "
                            f"problem{'' if len(messages) == 1 else 's'} reading it, the first: "
                            f"{messages[0].replace(str(path), 'the file')}); its text may be incomplete, "
                            "and what could not be read was not checked"))
    return Document(path=str(path), format="pdf", text=text, pages=tuple(page_spans),
                    alerts=tuple(alerts), furniture="\n".join(furniture), ocr=tuple(recognised))


def _add_range(ranges: list[tuple[int, int]], start: int, end: int, page_start: int) -> None:
    """Append ``start:end``, merged with the last range when only a line break lies between and
    both are on the page that starts at ``page_start`` (a range never spans pages)."""
    if ranges and start - ranges[-1][1] <= 1 and ranges[-1][0] >= page_start:
        ranges[-1] = (ranges[-1][0], end)
    else:
        ranges.append((start, end))


def _ocr_alerts(pages: list[_Page], page_spans: list[PageSpan], recognised: list[tuple[int, int]],
                text: str) -> list[Alert]:
    """One alert for the scanned pages read by OCR, one for the pictures whose text joined the
    document: each says how many words and on which pages, and points at the first of them (the
    report marks every recognised character apart, from ``Document.ocr``)."""
    alerts = []
    spans = {span.page: span for span in page_spans}
    for kind, chosen, words, message in (
            ("scanned_pages", [p for p in pages if p.recognised], None,
             "{words} words recognised by OCR on {pages} without a text layer (scanned); recognition errors "
             "can hide a match or break one"),
            ("text_in_images", [p for p in pages if p.image_words], "image_words",
             "{words} words recognised in images on {pages}: text pasted as pictures is a known way to hide "
             "copied text; it is checked like the rest")):
        if not chosen:
            continue
        numbers = [p.number for p in chosen]
        inside = [(a, b) for a, b in recognised if any(spans[n].start <= a < spans[n].end for n in numbers if n in spans)]
        count = (sum(getattr(p, words) for p in chosen) if words else
                 sum(ocr.word_count(text[a:b]) for a, b in inside))
        where = ("page " if len(numbers) == 1 else "pages ") + _page_list(numbers)
        start, end = inside[0] if inside else (None, None)  # the first of them: marking all would mark a scan whole
        alerts.append(Alert(kind, message.format(words=count, pages=where), start, end, page=numbers[0]))
    return alerts


def _page_list(numbers: list[int]) -> str:
    """``[1, 2, 3, 7]`` → ``'1–3, 7'``."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs)


@dataclass
class _Page:
    number: int
    height: float
    lines: list[_Line]
    scanned: bool = False        # no text layer, only images
    recognised: bool = False     # ... and its text was recognised by OCR
    image_words: int = 0         # words recognised in pictures on a page with a text layer
    problem: str | None = None   # why its images were not recognised


def _read_pages(path: Path, use_ocr: bool) -> list[_Page]:
    """Each page's number, height and text lines, recognising scanned pages and pictures that
    hold text when ``use_ocr``.

    Every call into PyMuPDF is inside the error handling: on a damaged file even ``page_count``
    raises (a PDF truncated to a tenth: "Invalid number of pages").
    """
    try:
        pdf = pymupdf.open(path, filetype="pdf")
    except Exception as error:  # PyMuPDF raises several types for damaged files
        raise ExtractionError(path, f"corrupt or unreadable PDF ({_one_line(error)})") from None
    pages: list[_Page] = []
    with pdf:
        try:
            encrypted, count = pdf.needs_pass, pdf.page_count
        except Exception as error:
            raise ExtractionError(path, f"corrupt or unreadable PDF ({_one_line(error)})") from None
        if encrypted:
            raise ExtractionError(path, "encrypted PDF: it needs a password; submit an unprotected copy")
        if count == 0:
            raise ExtractionError(path, "empty document: the PDF has no pages")
        language = ocr.languages(_catalog_language(pdf))
        try:
            for page in pdf:
                pages.append(_read_page(page, language if use_ocr else None))
        except ocr.OcrUnavailable as error:
            raise ExtractionError(path, str(error)) from None
        except Exception as error:
            raise ExtractionError(path, f"corrupt PDF: page {len(pages) + 1} cannot be read "
                                        f"({_one_line(error)})") from None
    return pages


def _read_page(page: pymupdf.Page, language: str | None) -> _Page:
    """One page; ``language``: Tesseract's languages, None when OCR is off."""
    number = page.number + 1
    lines = _page_lines(page)
    images = page.get_image_info()  # sizes as declared: nothing is decoded yet
    result = _Page(number, page.rect.height, lines)
    if not images or language is None:
        result.scanned = not lines and bool(images)
        return result
    problems = [p for image in images if (p := ocr.image_problem(image["width"], image["height"]))]
    if not lines:
        result.scanned = True
        if problems:  # rendering the page would decode it
            result.problem = problems[0]
            return result
        steps.begin(defaults.OCR_PAGE_SECONDS, f"OCR of page {number}")
        result.lines = _page_lines(page, ocr.page_textpage(page, language, full=True, flags=_FLAGS))
        result.recognised = bool(result.lines)  # a photograph's page may hold none
        return result
    # Pictures on a page of text: those large enough to hold a paragraph, and not under the
    # page's own text (a searchable scan already carries its recognised text).
    unturned = page.rect * page.derotation_matrix  # the page before its /Rotate, as the boxes are
    boxes = [box for image in images
             if (box := pymupdf.Rect(image["bbox"]) & unturned).width >= defaults.OCR_MIN_IMAGE_POINTS
             and box.height >= defaults.OCR_MIN_IMAGE_POINTS / 4
             and sum(line.centre_in(box) for line in lines) < defaults.OCR_COVERED_LINES]
    if not boxes:
        return result
    if problems or ocr.tessdata_dir() is None:
        result.problem = problems[0] if problems else f"OCR {ocr.unavailable_reason()}"
        return result
    steps.begin(defaults.OCR_PAGE_SECONDS, f"OCR of the pictures on page {number}")
    recognised = _page_lines(page, ocr.page_textpage(page, language, full=False, flags=_FLAGS))
    keep: set[int] = set()
    # The pictures' boxes are in the unrotated page's space, the recognised text is in the page as
    # shown (a landscape page is turned for reading, and for OCR).
    for box in (box * page.rotation_matrix for box in boxes):
        inside = [i for i, line in enumerate(recognised) if line.ocr and i not in keep and line.centre_in(box)]
        text = " ".join(recognised[i].text for i in inside)
        if ocr.reads_as_text(text):  # not a logo, a label or a photo's noise
            keep.update(inside)
            result.image_words += ocr.word_count(text)
    if keep:
        result.lines = [line for i, line in enumerate(recognised) if not line.ocr or i in keep]
        result.height = page.rect.height  # of the page as shown, as the recognised lines are
    return result


def _catalog_language(pdf: pymupdf.Document) -> str | None:
    """The document's language as its catalog declares it (``/Lang (ru-RU)``), if it does."""
    try:
        kind, value = pdf.xref_get_key(pdf.pdf_catalog(), "Lang")
    except Exception:
        return None
    return value.strip("()") if kind in ("string", "name") else None


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
