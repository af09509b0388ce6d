"""Extraction from real PDF, DOCX and TXT files built in the test's folder."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from plagcheck.errors import ExtractionError
from plagcheck.extract import ExtractionLimits, extract, extract_bytes, read_file
from plagcheck.normalize import tokenize
from tests.builders import make_docx, make_docx_bomb, make_pdf, wrap

ROOT = Path(__file__).resolve().parent.parent
KAZAKH = "Бұл жұмыста мектептегі білім беру жүйесінің ерекшеліктері қарастырылады: әңгіме, ғылым, қоғам, өнер, ұлт, үміт, һижра."


def test_pdf_joins_line_end_hyphenation_and_keeps_pages(tmp_path):
    path = make_pdf(tmp_path / "t.pdf", [
        ["Коллектив, руко-", "водимый профессором, изучает методику."],
        ["Вторая страница о педаго-", "гическом образовании."],
    ])
    doc = extract(path)
    assert "руководимый профессором" in doc.text
    assert "педагогическом образовании" in doc.text
    assert "руко-" not in doc.text
    assert [p.page for p in doc.pages] == [1, 2]
    assert doc.page_of(doc.text.index("педагогическом")) == 2
    assert doc.page_of(doc.text.index("руководимый")) == 1


def test_pdf_drops_running_headers_and_page_numbers(tmp_path):
    body = [[f"Содержательный текст страницы номер {n} о методике преподавания."] for n in range(1, 6)]
    path = make_pdf(tmp_path / "h.pdf", body, header="Казахский национальный педагогический университет",
                    footer_numbers=True)
    doc = extract(path)
    assert "педагогический университет" not in doc.text
    assert "Казахский национальный" in doc.furniture
    for n in range(1, 6):
        assert f"страницы номер {n}" in doc.text
    # page numbers are gone: no line of the text is just a number
    assert not any(line.strip().isdigit() for line in doc.text.splitlines())


def test_pdf_keeps_kazakh_letters_and_flags_white_and_tiny_text(tmp_path):
    path = make_pdf(tmp_path / "k.pdf", [wrap(KAZAKH, 60)], white="жасырын ақ мәтін", tiny="микроскопиялық мәтін")
    doc = extract(path)
    for letter in "әғқңөұүһі":
        assert letter in doc.text
    kinds = {a.kind for a in doc.alerts}
    assert {"white_text", "microscopic_text"} <= kinds
    white = next(a for a in doc.alerts if a.kind == "white_text")
    assert doc.text[white.start:white.end] == "жасырын ақ мәтін"
    assert white.page == 1


def test_docx_body_tables_and_headers_apart(tmp_path):
    path = make_docx(tmp_path / "d.docx", ["Первый абзац работы.", KAZAKH],
                     header="Колонтитул университета", table=[["Ячейка один", "Ячейка два"]],
                     white="скрытый белый текст")
    doc = extract(path)
    assert doc.text.index("Первый абзац") < doc.text.index("Бұл жұмыста") < doc.text.index("Ячейка один")
    assert "Ячейка два" in doc.text
    assert "Колонтитул" not in doc.text and "Колонтитул университета" in doc.furniture
    white = next(a for a in doc.alerts if a.kind == "white_text")
    assert doc.text[white.start:white.end] == "скрытый белый текст"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251", "utf-16"])
def test_txt_encodings_detected(tmp_path, encoding):
    text = "Диссертация посвящена истории образования в Казахстане.\r\nВторая строка."
    path = tmp_path / f"{encoding}.txt"
    path.write_bytes(text.encode(encoding))
    assert extract(path).text == text


# Kazakh saved as Windows-1251: the letters the code page lacks typed as their Russian look-alikes
KAZAKH_CP1251 = KAZAKH.translate(str.maketrans("әғқңөұүһӘҒҚҢӨҰҮҺ", "агкноууhАГКНОУУH"))
CP1251_TEXTS = {
    "kk": KAZAKH_CP1251,
    "ru with English": "The author cites «Образование и наука в Казахстане» (Алматы, 2019) as a source.",
    # a homoglyph attack: Latin a, o, e, p, c in Russian words is the student's doing, not the code page's
    "ru with Latin letters": "Плaгиaт в диссеpтaции oбнapужен: пpoцесс пpoвеpки paбoты пpoшёл успешнo.",
}
LATIN1_TEXTS = {
    "fr": "Le résumé préparé par l'étudiant présente une thèse élaborée à l'université de Lyon.",
    "de": "Die Prüfung der Übersetzung für die Straße war schwieriger als erwartet, größer und länger.",
    "en": "The café served crème brûlée.",
}


@pytest.mark.parametrize("language", CP1251_TEXTS)
def test_txt_cp1251_read_as_cyrillic(tmp_path, language):
    path = tmp_path / "cp1251.txt"
    path.write_bytes(CP1251_TEXTS[language].encode("cp1251"))
    assert extract(path).text == CP1251_TEXTS[language]


@pytest.mark.parametrize("language", LATIN1_TEXTS)
def test_txt_latin1_is_an_unknown_encoding_not_cyrillic(tmp_path, language):
    """Latin-1 bytes decode as CP1251 without error ("préparé" as "prйparй"): the Cyrillic letters
    sitting inside Latin words give the wrong guess away, and the file is refused, not garbled."""
    path = tmp_path / "latin1.txt"
    path.write_bytes(LATIN1_TEXTS[language].encode("latin-1"))
    with pytest.raises(ExtractionError) as info:
        extract(path)
    assert str(info.value) == f"{path}: unknown text encoding: save the file as UTF-8"


def test_txt_kazakh_utf8_kept_exactly(tmp_path):
    path = tmp_path / "kk.txt"
    path.write_text(KAZAKH, encoding="utf-8")
    assert extract(path).text == KAZAKH


BAD_FILES = [
    ("empty.pdf", b"", "empty file"),
    ("empty.txt", b"   \n\t ", "empty document"),
    ("broken.docx", b"PK\x03\x04 this is not a zip", "corrupt DOCX"),
    ("broken.pdf", b"%PDF-1.4 garbage garbage", "PDF"),
    ("thesis.doc", b"\xd0\xcf\x11\xe0", "corrupt .doc file: not a Word document"),
    ("notes.xyz", b"hello", "unsupported file type .xyz"),
    ("binary.txt", bytes(range(256)) * 4, "text"),
]


@pytest.mark.parametrize("name, content, reason", BAD_FILES)
def test_bad_files_raise_one_line_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ExtractionError) as info:
        extract(path)
    message = str(info.value)
    assert message.startswith(str(path) + ": ")
    assert reason in message
    assert "\n" not in message


@pytest.mark.parametrize("name, content, reason", BAD_FILES)
def test_bytes_fail_as_the_file_does_under_its_own_name(tmp_path, name, content, reason):
    """A file sent as bytes (a job, the check service) fails with the message the file itself
    gives, naming the file as submitted, never the temporary copy."""
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ExtractionError) as local:
        extract(path)
    submitted = f"dept/{name}"
    with pytest.raises(ExtractionError) as sent:
        extract_bytes(content, submitted)
    assert str(sent.value) == str(local.value).replace(str(path), submitted)
    assert sent.value.path == submitted
    if reason in ("empty file", "unsupported file type .xyz"):  # refused before reading
        with pytest.raises(ExtractionError) as read:
            read_file(path)
        assert str(read.value) == str(local.value)


def test_bytes_extracted_under_the_submitted_name(tmp_path, en_text):
    doc = extract_bytes(en_text.encode("utf-8"), "theses/Thesis.TXT")
    assert (doc.path, doc.format, doc.text) == ("theses/Thesis.TXT", "txt", en_text)
    (tmp_path / "folder.pdf").mkdir()
    with pytest.raises(ExtractionError, match="folder.pdf: a folder, not a file"):
        extract(tmp_path / "folder.pdf")
    with pytest.raises(ExtractionError, match="folder.pdf: a folder, not a file"):
        read_file(tmp_path / "folder.pdf")


def test_encrypted_pdf(tmp_path):
    path = make_pdf(tmp_path / "secret.pdf", [["Секретный текст диссертации."]], encrypt="pw")
    with pytest.raises(ExtractionError, match="encrypted PDF"):
        extract(path)


def test_pdf_without_text_layer(tmp_path):
    import pymupdf

    pdf = pymupdf.open()
    page = pdf.new_page()
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 50, 50), False)
    pix.clear_with(200)
    page.insert_image(page.rect, pixmap=pix)
    pdf.save(tmp_path / "scan.pdf")
    with pytest.raises(ExtractionError, match="no text layer"):
        extract(tmp_path / "scan.pdf")


def test_docx_that_is_a_zip_of_something_else(tmp_path):
    path = tmp_path / "fake.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "not word")
    with pytest.raises(ExtractionError, match="corrupt DOCX"):
        extract(path)


def test_missing_file(tmp_path):
    with pytest.raises(ExtractionError, match="file not found"):
        extract(tmp_path / "gone.pdf")


def test_pdf_offsets_map_back_to_original(tmp_path):
    path = make_pdf(tmp_path / "o.pdf", [["Руко-", "водство по педагогике и психологии."]])
    doc = extract(path)
    tokens = tokenize(doc.text)
    for word, start, end in zip(tokens.words, tokens.starts, tokens.ends):
        assert doc.text[start:end].casefold() == word


SAMPLE_PDF = ROOT / "corpus" / "theses" / "sample-thesis.pdf"


@pytest.mark.parametrize("share", [0.01, 0.05, 0.10, 0.25, 0.50, 0.90, 0.99])
def test_truncated_pdf_is_a_one_line_error_or_a_document(tmp_path, share):
    """A PDF cut short (an interrupted upload) fails with one line naming it, or, where MuPDF can
    repair it, gives the text it still holds; never a traceback (10%: page_count itself raised)."""
    data = SAMPLE_PDF.read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[:int(len(data) * share)])
    try:
        doc = extract(path)
    except ExtractionError as error:
        message = str(error)
        assert message.startswith(f"{path}: ") and "\n" not in message
        assert "PDF" in message or "empty document" in message
    else:
        assert doc.text.strip() and doc.format == "pdf"


def test_mupdf_messages_go_to_the_log_not_to_the_json(tmp_path):
    """A damaged PDF makes MuPDF complain at length; the complaints go to the log (stderr) as one
    warning, and stdout carries the check JSON alone. A PDF that fails is one line on stderr."""
    from plagcheck.store import Store

    data = SAMPLE_PDF.read_bytes()
    Store(tmp_path / "c.db").close()

    def check(share: float) -> tuple[Path, subprocess.CompletedProcess]:
        path = tmp_path / f"cut-{share}.pdf"
        path.write_bytes(data[:int(len(data) * share)])
        return path, subprocess.run([sys.executable, "-m", "plagcheck", "check", str(path), "--format", "json",
                                     "--db", str(tmp_path / "c.db")], cwd=ROOT, capture_output=True, text=True,
                                    timeout=120)

    path, run = check(0.5)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["document"]["path"] == str(path)
    assert "format error" not in run.stdout.replace("the first: format error", "")  # MuPDF's own printing
    warnings = [line for line in run.stderr.splitlines() if "MuPDF" in line]
    assert len(warnings) == 1 and f"{path}: MuPDF reported" in warnings[0] and "incomplete" in warnings[0]
    # and the check itself says so: a figure for a partly read file is not one for the whole
    (damaged,) = [a for a in json.loads(run.stdout)["alerts"] if a["kind"] == "damaged_file"]
    assert damaged["message"].startswith("the PDF is damaged (MuPDF reported ") and "incomplete" in damaged["message"]

    path, run = check(0.1)
    assert (run.returncode, run.stdout) == (1, "")
    assert run.stderr.startswith(f"Error: {path}: corrupt or unreadable PDF (") and run.stderr.count("\n") == 1


BOMB_SCRIPT = """
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, resource.RLIM_INFINITY))  # spares the machine if it fails
from plagcheck.errors import ExtractionError
from plagcheck.extract import extract
start = time.perf_counter()
try:
    extract(sys.argv[1])
    message = "extracted"
except ExtractionError as error:
    message = str(error)
peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))  # (ru_maxrss counts
print(json.dumps({"message": message, "seconds": time.perf_counter() - start,  # the forked pytest too)
                  "max_rss_mib": int(peak.split()[1]) / 1024}))
"""


@pytest.mark.parametrize("declared, reason", [(None, "DOCX refused: its part word/document.xml is larger than"),
                                              (4096, "corrupt DOCX")], ids=["honest", "lying"])
def test_docx_zip_bomb_fails_in_seconds_in_bounded_memory(tmp_path, declared, reason):
    """A 0.5 MB DOCX whose document.xml unpacks to 160 MiB of paragraphs (a parse tree of
    gigabytes) is refused on its declared size before python-docx reads it; one that declares 4 KB
    and holds 160 MiB is read in 1 MiB steps and fails at the lie, never holding the 160 MiB."""
    path = make_docx_bomb(tmp_path / "bomb.docx", 160 * 2**20, declared_bytes=declared)
    run = subprocess.run([sys.executable, "-c", BOMB_SCRIPT, str(path)], cwd=ROOT, capture_output=True,
                         text=True, timeout=30)
    assert run.returncode == 0, run.stderr
    outcome = json.loads(run.stdout)
    assert outcome["message"].startswith(f"{path}: {reason}") and "\n" not in outcome["message"]
    assert outcome["seconds"] < 5
    assert outcome["max_rss_mib"] < 150  # the interpreter and the extractors take about 40-80


@pytest.mark.parametrize("name, content, reason", BAD_FILES)
def test_limited_extraction_fails_as_the_file_does(name, content, reason):
    """Extraction in a child process under limits (the service, the worker) gives the same
    one-line errors, under the submitted name."""
    with pytest.raises(ExtractionError) as here:
        extract_bytes(content, f"dept/{name}")
    with pytest.raises(ExtractionError) as limited:
        extract_bytes(content, f"dept/{name}", limits=ExtractionLimits())
    assert str(limited.value) == str(here.value)


def test_limited_extraction_gives_the_same_document_and_logs_under_the_submitted_name(tmp_path, caplog):
    data = SAMPLE_PDF.read_bytes()
    assert extract_bytes(data, "t.pdf", limits=ExtractionLimits()) == extract_bytes(data, "t.pdf")
    docx_data = make_docx(tmp_path / "d.docx", ["Первый абзац работы.", KAZAKH], white="скрытый текст").read_bytes()
    assert extract_bytes(docx_data, "d.docx", limits=ExtractionLimits()) == extract_bytes(docx_data, "d.docx")
    with caplog.at_level(logging.WARNING):
        document = extract_bytes(data[:len(data) // 2], "half.pdf", limits=ExtractionLimits())
    assert document.path == "half.pdf" and document.text
    assert [r.getMessage().split(":")[0] for r in caplog.records if "MuPDF" in r.getMessage()] == ["half.pdf"]


def test_limited_extraction_stops_at_its_deadline(tmp_path):
    """A DOCX of 200,000 tiny paragraphs passes the zip bounds (8 MiB unpacked) and takes python-docx
    a minute; under a 0.5 s limit its child is killed and the file fails with one line."""
    data = make_docx_bomb(tmp_path / "slow.docx", 8 * 2**20).read_bytes()
    started = time.perf_counter()
    with pytest.raises(ExtractionError) as info:
        extract_bytes(data, "dept/slow.docx", limits=ExtractionLimits(seconds=0.5))
    assert time.perf_counter() - started < 5  # (the first call also starts the fork server)
    assert str(info.value) == ("dept/slow.docx: extraction took longer than 0.5 s: the file is too large or "
                               "too complex to check")


def test_limited_extraction_refuses_past_its_memory_limit(tmp_path):
    """Past the memory limit the file fails with that reason, never with a partial text or a
    misleading "corrupt" (MuPDF skips what it cannot allocate; lxml says "Memory allocation failed")."""
    with pytest.raises(ExtractionError) as pdf:
        extract_bytes(SAMPLE_PDF.read_bytes(), "t.pdf", limits=ExtractionLimits(memory_mib=0))
    assert str(pdf.value) == "t.pdf: extraction needed more than 0 MiB of memory: the file is too large or too complex to check"
    data = make_docx_bomb(tmp_path / "big.docx", 8 * 2**20).read_bytes()
    started = time.perf_counter()
    with pytest.raises(ExtractionError, match=r"^big.docx: extraction needed more than 64 MiB of memory"):
        extract_bytes(data, "big.docx", limits=ExtractionLimits(memory_mib=64))
    assert time.perf_counter() - started < 10


def test_limited_extraction_works_from_a_folder_holding_a_plagcheck_folder(tmp_path):
    """The worker or the service started in a folder that holds a folder named ``plagcheck`` --
    README's own layout, ``cd /srv && plagcheck worker --db /srv/plagcheck/corpus.db`` -- must
    still extract: the fork server imported its preloaded ``plagcheck`` from the current folder
    (an empty namespace package) and every job failed as "the file is damaged"."""
    import subprocess
    import sys

    work = tmp_path / "srv"
    (work / "plagcheck").mkdir(parents=True)  # a data folder: corpus.db, reports/, no __init__.py
    script = tmp_path / "bin" / "run.py"  # not in `work`, so that only the fork server sees `work`
    script.parent.mkdir()
    script.write_text(
        "from plagcheck.cli import cli  # as the console script plagcheck does: the child runs this again\n"
        "from plagcheck.extract import ExtractionLimits, extract_bytes\n"
        "if __name__ == '__main__':\n"
        "    doc = extract_bytes('Ahmet Baitursynuly wrote a primer for Kazakh schools.'.encode(), 'a.txt',\n"
        "                        limits=ExtractionLimits())\n"
        "    print(len(doc.text.split()))\n", encoding="utf-8")
    result = subprocess.run([sys.executable, str(script)], cwd=work, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "8"
