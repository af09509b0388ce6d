"""OCR benchmark: character accuracy per language and speed, and detection through OCR.

    python -m benchmarks.ocr [--tiny] [--pages N] [--json FILE]

1. **Accuracy.** Real kk/ru/en paragraphs (``../shared/eval/texts`` where it exists, and the
   repository's ``corpus/texts``) are typeset on A4 pages, rendered to images at 200 and 300 dpi,
   clean and "scanned" (grey noise, a 1.2° skew), each placed as the only content of a PDF page,
   and read back by plagcheck's extractor (Tesseract kaz+rus+eng through PyMuPDF). Character
   accuracy = 1 - edit distance / truth length, over whitespace-normalised text; pages/s is the
   extractor's throughput on this machine (one process).
2. **Detection.** A corpus of sources; suspicious documents whose copied passages are pictures:
   a scanned page in a PDF, a picture of the paragraph inside a PDF of text, a picture inside a
   DOCX. Recall = share of the copied characters that the check attributes to the right source;
   false sources = sources reported that the document did not copy.

The builders here (a page of text as an image, a scanned PDF, a PDF or DOCX with a picture of a
paragraph) are what the tests build their scanned documents with.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
import time
from pathlib import Path

import pymupdf

ROOT = Path(__file__).resolve().parent.parent
CORPUS_TEXTS = ROOT / "corpus" / "texts"
SEED_TEXTS = ROOT.parent / "shared" / "eval" / "texts"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
A4 = (595, 842)


# -- builders -----------------------------------------------------------------------------------------
def text_image(text: str, *, dpi: int = 300, width: float = 475, fontsize: float = 11, noise: float = 0.0,
               skew: float = 0.0, seed: int = 0) -> bytes:
    """A PNG of ``text`` typeset ``width`` points wide (its height fits the text) at ``dpi``:
    ``noise`` is the share of pixels set to random grey, ``skew`` a rotation in degrees."""
    import math

    doc = pymupdf.open()
    page = doc.new_page(width=width + 40, height=4000)
    box = pymupdf.Rect(20, 20, width + 20, 3980)
    morph = (box.tl, pymupdf.Matrix(skew)) if skew else None
    left = page.insert_textbox(box, text, fontfile=FONT, fontname="serif", fontsize=fontsize, morph=morph)
    if left < 0:
        raise ValueError(f"text too long for one picture ({len(text)} characters)")
    used = box.height - left + width * math.sin(math.radians(abs(skew)))
    pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY, clip=pymupdf.Rect(0, 0, width + 40, used + 40))
    if noise:
        rng = random.Random(seed)
        samples = bytearray(pix.samples)
        for i in rng.sample(range(len(samples)), int(noise * len(samples))):
            samples[i] = rng.randrange(256)
        pix = pymupdf.Pixmap(pymupdf.csGRAY, pix.width, pix.height, bytes(samples), False)
    pix.set_dpi(dpi, dpi)
    return pix.tobytes("png")


def scanned_pdf(path: Path, pages: list[str], *, dpi: int = 300, noise: float = 0.0, skew: float = 0.0) -> Path:
    """A PDF whose pages are images of the given texts and nothing else (a scanned thesis)."""
    pdf = pymupdf.open()
    for number, text in enumerate(pages):
        page = pdf.new_page(width=A4[0], height=A4[1])
        image = text_image(text, dpi=dpi, noise=noise, skew=skew, seed=number)
        size = pymupdf.open(stream=image)[0].rect
        scale = min(1.0, (A4[0] - 100) / size.width, (A4[1] - 100) / size.height)
        page.insert_image(pymupdf.Rect(50, 50, 50 + size.width * scale, 50 + size.height * scale), stream=image)
    pdf.save(path)
    return path


def pdf_with_picture(path: Path, before: str, picture: str, after: str, *, dpi: int = 300) -> Path:
    """A one-page PDF of text whose middle paragraph is a picture of ``picture``."""
    pdf = pymupdf.open()
    page = pdf.new_page(width=A4[0], height=A4[1])
    top = 60 + _write(page, before, 60)
    image = text_image(picture, dpi=dpi)
    size = pymupdf.open(stream=image)[0].rect
    page.insert_image(pymupdf.Rect(60, top, 60 + size.width, top + size.height), stream=image)
    _write(page, after, top + size.height + 10)
    pdf.save(path)
    return path


def _write(page: pymupdf.Page, text: str, top: float) -> float:
    """Typeset ``text`` from ``top``; returns the height used."""
    box = pymupdf.Rect(60, top, A4[0] - 60, A4[1] - 40)
    left = page.insert_textbox(box, text, fontfile=FONT, fontname="serif", fontsize=11)
    return box.height - max(left, 0) + 6


def docx_with_picture(path: Path, before: list[str], picture: str, after: list[str], *, dpi: int = 200) -> Path:
    """A DOCX of paragraphs with a picture of ``picture`` in a paragraph of its own between them."""
    import docx
    from docx.shared import Inches

    document = docx.Document()
    for text in before:
        document.add_paragraph(text)
    document.add_paragraph().add_run().add_picture(io.BytesIO(text_image(picture, dpi=dpi)), width=Inches(6))
    for text in after:
        document.add_paragraph(text)
    document.save(path)
    return path


# -- measures -----------------------------------------------------------------------------------------
def accuracy(truth: str, read: str) -> float:
    """1 - Levenshtein distance / length of the truth, over whitespace-normalised text."""
    a, b = " ".join(truth.split()), " ".join(read.split())
    if not a:
        return 1.0 if not b else 0.0
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return max(0.0, 1 - previous[-1] / len(a))


def texts(language: str, folders: list[Path]) -> list[str]:
    """Paragraphs of at least 40 words of ``language`` (kk, ru, en) from the folders' ``*.txt``."""
    found = []
    for folder in folders:
        for path in sorted(folder.glob(f"{language}/*.txt")) + sorted(folder.glob(f"{language}-*.txt")):
            for paragraph in path.read_text(encoding="utf-8").split("\n"):
                if len(paragraph.split()) >= 40:
                    found.append(" ".join(paragraph.split()))
    return found


def page_text(paragraphs: list[str], words: int) -> str:
    """About ``words`` words of whole paragraphs."""
    chosen, count = [], 0
    for paragraph in paragraphs:
        chosen.append(paragraph)
        count += len(paragraph.split())
        if count >= words:
            break
    return "\n".join(chosen)


CONDITIONS = {"clean": (0.0, 0.0), "noise+skew": (0.04, 1.2)}  # share of noisy pixels, skew in degrees
FORMS = ("scanned_pdf", "pdf_picture", "docx_picture")


def run_accuracy(pages: int, words: int, folders: list[Path], work: Path, *, languages=("kk", "ru", "en"),
                 dpis=(200, 300), conditions=tuple(CONDITIONS)) -> list[dict]:
    """Character accuracy and pages/s of ``pages`` pages of about ``words`` words per language,
    resolution and condition."""
    from plagcheck.extract import extract

    rows = []
    for language in languages:
        paragraphs = texts(language, folders)
        random.Random(7).shuffle(paragraphs)
        truths = [page_text(paragraphs[k * 6:], words) for k in range(pages)]
        for dpi in dpis:
            for condition in conditions:
                noise, skew = CONDITIONS[condition]
                path = scanned_pdf(work / f"{language}-{dpi}-{condition}.pdf", truths, dpi=dpi, noise=noise, skew=skew)
                started = time.perf_counter()
                document = extract(path)
                seconds = time.perf_counter() - started
                read = [document.text[span.start:span.end] for span in document.pages]
                scores = [accuracy(t, r) for t, r in zip(truths, read + [""] * (len(truths) - len(read)))]
                rows.append({"language": language, "dpi": dpi, "condition": condition, "pages": len(truths),
                             "accuracy": round(sum(scores) / len(scores), 4), "min_accuracy": round(min(scores), 4),
                             "pages_per_second": round(len(truths) / seconds, 3)})
                print(json.dumps(rows[-1]), file=sys.stderr)
    return rows


def run_detection(sources_per_language: int, folders: list[Path], work: Path, *, languages=("kk", "ru", "en"),
                  forms=FORMS) -> dict:
    """Suspicious documents with copied paragraphs as pictures, checked against a corpus: one per
    source and form, each copying one paragraph of its source."""
    from plagcheck.check import check_document
    from plagcheck.settings import Settings
    from plagcheck.extract import extract
    from plagcheck.ingest import add_files
    from plagcheck.store import Store

    corpus = work / "corpus"
    corpus.mkdir(exist_ok=True)
    rng = random.Random(11)
    pools = {language: texts(language, folders) for language in languages}
    sources, originals = {}, {}
    for language, paragraphs in pools.items():
        rng.shuffle(paragraphs)
        for k in range(sources_per_language):
            name = f"{language}-{k}.txt"
            sources[name] = paragraphs[3 * k:3 * k + 3]
            (corpus / name).write_text("\n\n".join(sources[name]), encoding="utf-8")
        originals[language] = paragraphs[3 * sources_per_language:]
    with Store(work / "corpus.db") as store:
        add_files(store, [corpus])
        ids = {Path(d.path).name: d.id for d in store.documents()}
        cases = []
        for k, name in enumerate(sources):
            language = name.split("-")[0]
            own = rng.sample(originals[language], 4)
            copied = sources[name][1]
            for form in forms:
                path = work / f"suspicious-{k}-{form}.{'docx' if form == 'docx_picture' else 'pdf'}"
                if form == "scanned_pdf":
                    scanned_pdf(path, [page_text(own[:2], 120), copied, page_text(own[2:], 120)])
                elif form == "pdf_picture":
                    pdf_with_picture(path, own[0], copied, own[1])
                else:
                    docx_with_picture(path, own[:2], copied, own[2:])
                document = extract(path)
                result = check_document(store, document, Settings(semantic=False))
                # The copied characters: the scanned page 2, or the picture's recognised text.
                copied_at = ([(s.start, s.end) for s in document.pages if s.page == 2] if form == "scanned_pdf"
                             else list(document.ocr))
                inside = sum(b - a for a, b in copied_at)
                covered = sum(max(0, min(b, m.this_end) - max(a, m.this_start)) for a, b in copied_at
                              for m in result.matches if m.source_id == ids[name])
                false = {s.id for s in result.sources} - {ids[name]}
                cases.append({"form": form, "language": language, "copied_chars": inside,
                              "recall": round(min(1.0, covered / inside) if inside else 0.0, 4),
                              "false_sources": len(false)})
                print(json.dumps(cases[-1]), file=sys.stderr)
    by_form = {}
    for form in forms:
        chosen = [c for c in cases if c["form"] == form]
        copied = sum(c["copied_chars"] for c in chosen)
        by_form[form] = {"documents": len(chosen),
                         "recall": round(sum(c["recall"] * c["copied_chars"] for c in chosen) / copied, 4) if copied else 0,
                         "false_sources": sum(c["false_sources"] for c in chosen)}
    return {"cases": cases, "by_form": by_form}


def main(argv=None) -> dict:
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiny", action="store_true", help="one page per language and condition, 2 sources")
    parser.add_argument("--pages", type=int, default=3, help="pages per language, resolution and condition")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    folders = [CORPUS_TEXTS]
    if SEED_TEXTS.is_dir():
        folders.append(SEED_TEXTS)
    else:
        print(f"note: {SEED_TEXTS} not found: the repository's texts only", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="plagcheck-ocr-bench-") as tmp:
        work = Path(tmp)
        figures = {"accuracy": run_accuracy(1 if args.tiny else args.pages, 80 if args.tiny else 260, folders, work),
                   "detection": run_detection(1 if args.tiny else 4, folders, work)}
    text = json.dumps(figures, ensure_ascii=False, indent=2)
    if args.json:
        args.json.write_text(text, encoding="utf-8")
    print(text)
    return figures


if __name__ == "__main__":
    main()
