"""Build the bundled sample corpus from the project's own texts in ``corpus/texts``.

    python -m corpus.build_samples

``corpus/texts/{kk,ru,en}/`` holds six original texts per language, written for plagcheck and
dedicated to the public domain (CC0 1.0, see ``corpus/texts/LICENSE.md``). The first four of each
language become the reference documents in ``corpus/samples/`` (PDF, DOCX and TXT, with
``metadata.csv``); the last two are the "own" text of ``corpus/theses/sample-thesis.pdf``, a short
mixed Kazakh/Russian/English thesis that

- copies a whole paragraph from a Kazakh sample, one from a Russian sample (with Latin homoglyphs
  inside Cyrillic words) and two from an English sample;
- quotes a Russian sample in «…» with a citation ``[1, с. 3]``;
- ends with a GOST-style bibliography.

That is what the README's first command checks. Deterministic: the same texts give the same files.
"""

from __future__ import annotations

import csv
import datetime
import random
import re
from pathlib import Path

import docx
import pymupdf

from plagcheck.report.pdf import html_to_pdf

HERE = Path(__file__).resolve().parent
TEXTS = HERE / "texts"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
LANGUAGES = ("kk", "ru", "en")
SOURCES_PER_LANGUAGE = 4
OWN_PER_LANGUAGE = 2
FORMATS = ("pdf", "docx", "txt", "pdf")
AUTHOR = "plagcheck project"
FIXED_DATE = datetime.datetime(2025, 1, 1)

# Which sample each kind of reuse takes (index among the language's first four texts).
COPIED = {"kk": 0, "ru": 1, "en": 2}   # a whole paragraph (the English one with the next paragraph)
QUOTED = ("ru", 0)                      # quoted with a citation, entry 1 of the bibliography


def _texts(language: str) -> list[Path]:
    return sorted((TEXTS / language).glob("*.txt"))


def _paragraphs(path: Path) -> list[str]:
    """The text's paragraphs (blank-line separated); the first is its title."""
    return [" ".join(p.split()) for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]


def write_pdf(path: Path, paragraphs: list[str], title: str, header: str | None = None) -> None:
    """Typeset paragraphs with a Unicode font, a running header and page numbers."""
    story_html = f"<h3>{_escape(paragraphs[0])}</h3>" + "".join(f"<p>{_escape(p)}</p>" for p in paragraphs[1:])
    css = ("* {font-family: sans-serif; font-size: 11pt; line-height: 1.4;} p {margin-bottom: 6pt;}"
           " h3 {font-size: 13pt; margin-bottom: 8pt;}")
    # running header and page numbers, as real theses have (the extractor must drop them)
    pdf = pymupdf.open("pdf", html_to_pdf(story_html, css, 72))
    for page in pdf:
        page.insert_font(fontname="dv", fontfile=FONT)
        page.insert_text((72, 40), header or title, fontname="dv", fontsize=8)
        page.insert_text((290, 810), str(page.number + 1), fontname="dv", fontsize=9)
    stamp = "D:20250101000000Z"
    pdf.set_metadata({"title": title, "author": AUTHOR, "creator": "corpus/build_samples.py",
                      "producer": "PyMuPDF", "creationDate": stamp, "modDate": stamp})
    pdf.subset_fonts()  # the whole DejaVu Sans would add 400 KB to every file
    data = pdf.tobytes(garbage=3, deflate=True, no_new_id=True)
    pdf.close()
    path.write_bytes(data)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_docx(path: Path, paragraphs: list[str], title: str) -> None:
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = title
    document.add_heading(paragraphs[0], level=1)
    for p in paragraphs[1:]:
        document.add_paragraph(p)
    core = document.core_properties
    core.author, core.title, core.last_modified_by = AUTHOR, title, AUTHOR
    core.created = core.modified = FIXED_DATE
    core.revision = 1
    document.save(path)
    _fix_zip_dates(path)


def _fix_zip_dates(path: Path) -> None:
    """Rewrite a zip (DOCX) with fixed member dates, so that the bytes do not depend on the clock."""
    import zipfile

    with zipfile.ZipFile(path) as old:
        members = [(info, old.read(info)) for info in old.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for info, data in members:
            fixed = zipfile.ZipInfo(info.filename, date_time=(2025, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            new.writestr(fixed, data)


def _slug(path: Path) -> str:
    return path.stem.split("-", 1)[-1][:40]


def build(out: Path = HERE) -> list[Path]:
    rng = random.Random(2026)
    samples = out / "samples"
    theses = out / "theses"
    samples.mkdir(parents=True, exist_ok=True)
    theses.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    chosen: dict[str, list[tuple[dict, list[str]]]] = {}
    written = []
    for language in LANGUAGES:
        files = _texts(language)
        if len(files) < SOURCES_PER_LANGUAGE + OWN_PER_LANGUAGE:
            raise SystemExit(f"{TEXTS / language}: {len(files)} texts, need {SOURCES_PER_LANGUAGE + OWN_PER_LANGUAGE}")
        chosen[language] = []
        for k, text_path in enumerate(files[:SOURCES_PER_LANGUAGE]):
            paragraphs = _paragraphs(text_path)
            fmt = FORMATS[k % len(FORMATS)]
            name = f"{language}-{k + 1:02d}-{_slug(text_path)}.{fmt}"
            title = paragraphs[0]
            target = samples / name
            if fmt == "pdf":
                write_pdf(target, paragraphs, title)
            elif fmt == "docx":
                write_docx(target, paragraphs, title)
            else:
                target.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
            row = {"file": name, "title": title, "author": AUTHOR, "year": 2013 + len(rows),
                   "department": "Sample corpus", "language": language}
            rows.append(row)
            chosen[language].append((row, paragraphs))
            written.append(target)
    with open(samples / "metadata.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["file", "title", "author", "year", "department", "language"],
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)

    # The sample thesis: original text from texts that are not in the corpus, with reuse inside.
    own = {language: [_paragraphs(path) for path in
                      _texts(language)[SOURCES_PER_LANGUAGE:SOURCES_PER_LANGUAGE + OWN_PER_LANGUAGE]]
           for language in LANGUAGES}
    copied_kk = _longest(chosen["kk"][COPIED["kk"]][1])
    copied_ru = _homoglyphs(_longest(chosen["ru"][COPIED["ru"]][1]), rng)
    en_paragraphs = chosen["en"][COPIED["en"]][1]
    k = en_paragraphs.index(_longest(en_paragraphs))
    copied_en = en_paragraphs[k:k + 2]
    quoted_row, quoted_paragraphs = chosen[QUOTED[0]][QUOTED[1]]
    quoted = _leading_sentences(_longest(quoted_paragraphs), 30)
    quote = ("Значение анализа уроков для становления молодого учителя подчёркивается и в методической "
             f"литературе: «{quoted.rstrip('.')}» [1, с. 3]. С этим положением трудно не согласиться.")

    def section(paragraphs: list[str], inserted: list[str], after: int) -> list[str]:
        """A section: its title, then its paragraphs with ``inserted`` after paragraph ``after``."""
        body = paragraphs[1:]
        return [paragraphs[0]] + body[:after] + inserted + body[after:]

    body = (section(own["kk"][0], [copied_kk], 2) + section(own["kk"][1], [], 0)
            + section(own["ru"][0], [copied_ru], 1) + section(own["ru"][1], [quote], 2)
            + section(own["en"][0], [], 0) + section(own["en"][1], copied_en, 1))
    bibliography = ["Список использованных источников"] + [
        f"{n}. {_gost(row)}" for n, row in enumerate(
            [quoted_row, chosen["kk"][1][0], chosen["en"][0][0], chosen["ru"][3][0]], start=1)]
    thesis = theses / "sample-thesis.pdf"
    title = "Дипломдық жұмыс / Дипломная работа / Thesis (sample)"
    write_pdf(thesis, [title] + body + bibliography, title, header="Sample thesis — plagcheck")
    written.append(thesis)
    return written


def _longest(paragraphs: list[str]) -> str:
    return max(paragraphs[1:], key=lambda p: len(p.split()))


def _leading_sentences(paragraph: str, min_words: int) -> str:
    """The paragraph's first sentences, at least ``min_words`` words."""
    out = []
    for sentence in re.split(r"(?<=[.!?])\s+", paragraph):
        out.append(sentence)
        if len(" ".join(out).split()) >= min_words:
            break
    return " ".join(out)


def _gost(row: dict) -> str:
    """A GOST 7.1-style entry for a sample (no author heading: the project is the responsible body)."""
    if row["language"] == "kk":
        return f"{row['title']} : үлгі мәтін / plagcheck жобасы. – Алматы, {row['year']}. – 4 б."
    if row["language"] == "ru":
        return f"{row['title']} : образец текста / проект plagcheck. – Алматы, {row['year']}. – 4 с."
    return f"{row['title']} : sample text / plagcheck project. – Almaty, {row['year']}. – 4 p."


def _homoglyphs(text: str, rng: random.Random) -> str:
    swap = {"а": "a", "е": "e", "о": "o", "р": "p", "с": "c"}
    return "".join(swap[c] if c in swap and rng.random() < 0.4 else c for c in text)


if __name__ == "__main__":
    for path in build():
        print(path.relative_to(HERE.parent))
