"""OCR: text in scanned pages and in pictures, recognised by Tesseract through PyMuPDF.

PyMuPDF's wheels carry Tesseract's engine; what a machine must add is the trained language data
(Debian: ``tesseract-ocr-kaz``, ``-rus``, ``-eng``, found through :func:`tessdata_dir`). Recognised
text comes back as an ordinary MuPDF text page whose spans are set in MuPDF's ``GlyphLessFont``,
which is how the extractors tell recognised words from a page's own text.

Nothing here decodes an image before MuPDF has read its header: an image that declares billions
of pixels (an image bomb), none (0×0) or is damaged is refused by its size or by MuPDF's own
checks, with a reason, and never reaches the OCR engine.
"""

from __future__ import annotations

import functools
import glob
import logging
import os
import re
import shutil
import subprocess
from dataclasses import dataclass

import pymupdf

from plagcheck import defaults

log = logging.getLogger(__name__)

LANGUAGES = ("kaz", "rus", "eng")
PACKAGES = "tesseract-ocr tesseract-ocr-kaz tesseract-ocr-rus tesseract-ocr-eng"
OCR_FONT = "GlyphLessFont"  # the font MuPDF gives every recognised span
# Where distributions put the trained data (Debian: /usr/share/tesseract-ocr/5/tessdata).
_TESSDATA_GLOBS = ("/usr/share/tesseract-ocr/*/tessdata", "/usr/share/tessdata", "/usr/local/share/tessdata",
                   "/usr/share/tesseract/tessdata", "/opt/homebrew/share/tessdata")
# Metadata's language tags (PDF /Lang, DOCX dc:language) as Tesseract's language names.
_TESSERACT_NAME = {"kk": "kaz", "kaz": "kaz", "kz": "kaz", "ru": "rus", "rus": "rus", "en": "eng", "eng": "eng"}
_PUNCTUATION = ".,;:!?«»\"'()[]{}—–-…“”„"


class OcrUnavailable(Exception):
    """Tesseract's language data are not installed: text that needs OCR cannot be read."""


def unavailable_reason() -> str:
    """The one line a user reads when a document needs OCR that this machine cannot do."""
    return (f"needs OCR, but Tesseract with Kazakh, Russian and English is not installed (Debian: apt-get "
            f"install {PACKAGES}); or check it with --no-ocr, leaving its image text unchecked")


@functools.cache
def tessdata_dir() -> str | None:
    """The folder holding kaz, rus and eng ``.traineddata``, or None when there is none.

    $TESSDATA_PREFIX first (the user's word), then the folder the ``tesseract`` program names,
    then the places distributions use: a machine may have the data without the program, or the
    program from one place and the data from another.
    """
    candidates = [os.environ.get("TESSDATA_PREFIX", "")]
    if shutil.which("tesseract"):
        try:
            listed = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=10)
            found = re.search(r'List of available languages in "(.+?)"', listed.stdout + listed.stderr)
            if found:
                candidates.append(found.group(1))
        except (OSError, subprocess.SubprocessError):
            pass
    for pattern in _TESSDATA_GLOBS:
        candidates += sorted(glob.glob(pattern), reverse=True)  # the newest Tesseract version first
    for folder in candidates:
        if folder and all(os.path.isfile(os.path.join(folder, f"{name}.traineddata")) for name in LANGUAGES):
            return folder
    return None


def require() -> str:
    """The tessdata folder; raises :class:`OcrUnavailable` without one."""
    folder = tessdata_dir()
    if folder is None:
        raise OcrUnavailable(unavailable_reason())
    return folder


def languages(hint: str | None = None) -> str:
    """Tesseract's language string: ``kaz+rus+eng``, with the document's own language first when
    its metadata names one of them (``ru-RU`` → ``rus+kaz+eng``)."""
    first = _TESSERACT_NAME.get((hint or "").strip().lower().replace("_", "-").split("-")[0])
    order = [first] if first else []
    return "+".join(order + [name for name in LANGUAGES if name != first])


def image_problem(width: int, height: int) -> str | None:
    """Why an image of this size is not recognised, or None."""
    if width <= 0 or height <= 0:
        return f"an empty image ({width}×{height} pixels)"
    if width * height > defaults.OCR_MAX_IMAGE_PIXELS:
        return (f"{width}×{height} pixels, more than the {defaults.OCR_MAX_IMAGE_PIXELS / 1e6:.0f} megapixels "
                "an image may have to be recognised (an image bomb?)")
    return None


def page_textpage(page: pymupdf.Page, language: str, *, full: bool, flags: int = 0) -> pymupdf.TextPage:
    """The page's text with OCR: ``full`` recognises the whole page rendered at
    ``defaults.OCR_DPI`` (a scan), else only what the page's own text does not cover (pictures
    on a page of text); the page's own text is kept as it is."""
    return page.get_textpage_ocr(flags=flags, language=language, dpi=defaults.OCR_DPI, full=full,
                                 tessdata=require())


def is_ocr_span(span: dict) -> bool:
    return span.get("font") == OCR_FONT


def word_count(text: str) -> int:
    return len(text.split())


def reads_as_text(text: str) -> bool:
    """Whether recognised text holds words rather than the noise a photo or chart gives: enough
    words, and most of them look like words -- three letters or more of one script, in lower or
    title case. Prose scores 0.78-0.95 so (the bundled kk/ru/en texts); Tesseract's reading of a
    photograph 0.28: short tokens of mixed scripts and cases ("yeавеИЕ ея Hae ыға, ты»")."""
    tokens = text.split()
    if len(tokens) < defaults.OCR_MIN_IMAGE_WORDS:
        return False
    wordlike = sum(1 for token in tokens if _looks_like_a_word(token.strip(_PUNCTUATION)))
    return wordlike >= defaults.OCR_MIN_WORDLIKE_SHARE * len(tokens)


def _looks_like_a_word(word: str) -> bool:
    if len(word) < 3 or not word.isalpha() or not (word.islower() or (word[0].isupper() and word[1:].islower())):
        return False
    cyrillic = sum("\u0400" <= c <= "\u04ff" for c in word)
    return cyrillic in (0, len(word))


def clean_line(text: str) -> str:
    """A recognised line as text: MuPDF spaces recognised words with runs of spaces."""
    return " ".join(text.split())


@dataclass(frozen=True)
class ImageText:
    """The text recognised in one picture (lines in reading order), or why there is none."""

    lines: tuple[str, ...] = ()
    problem: str | None = None


def recognise_image(data: bytes, language: str) -> ImageText:
    """Recognise the text of an image file's bytes (a picture from a DOCX).

    MuPDF opens the image as a one-page document, reading only its header: a damaged, empty or
    oversized image comes back with its ``problem``; formats MuPDF cannot draw (EMF, WMF vector
    drawings) with none and no lines. Small pictures are enlarged, since Tesseract reads letters
    of 20-40 pixels best and a screenshot's are smaller.
    """
    try:
        image = pymupdf.open(stream=data)
    except Exception as error:
        return ImageText(problem=f"a damaged or unknown image ({_mupdf_reason(error)})")
    with image:
        try:
            page = image[0]
            info = page.get_image_info()
            width, height = (info[0]["width"], info[0]["height"]) if info else (0, 0)
        except Exception as error:
            return ImageText(problem=f"a damaged image ({_mupdf_reason(error)})")
        if (problem := image_problem(width, height)) is not None:
            return ImageText(problem=problem)
        native_dpi = 72 * width / page.rect.width if page.rect.width else 72
        zoom = max(1.0, min(defaults.OCR_MAX_ZOOM, defaults.OCR_SMALL_IMAGE_PIXELS / max(width, height)))
        try:
            textpage = page.get_textpage_ocr(language=language, dpi=round(native_dpi * zoom), full=True,
                                             tessdata=require())
            blocks = page.get_text("dict", textpage=textpage, sort=True)["blocks"]
        except OcrUnavailable:
            raise
        except Exception as error:
            return ImageText(problem=f"an image that could not be recognised ({_one_line(error)})")
    lines = []
    for block in blocks:
        for line in block.get("lines", ()):
            text = clean_line("".join(span["text"] for span in line["spans"]))
            if text:
                lines.append(text)
    return ImageText(tuple(lines))


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def _mupdf_reason(error: Exception) -> str:
    """MuPDF's words without its error code: "code=5: image dimensions might overflow" → the rest."""
    return re.sub(r"^code=\d+:\s*", "", _one_line(error))
