"""The web cabinet end to end in a real browser: Playwright driving Debian's Chromium against the
real ``plagcheck web`` server (a subprocess on a free port) and the real worker (``plagcheck
worker --once``, a subprocess on the same database).

A secretary logs in, uploads a zip and a Windows-1251 metadata CSV, reviews and confirms the
batch, watches the jobs finish, opens a report, clicks a match, excludes a source and sees the
figure change, saves the decision, downloads the certificate and the summary XLSX, and switches
the interface to Kazakh. Screenshots are checked by their pixels, not by their existence.

Skipped only when Chromium or Playwright is absent on a developer machine; under CI (``CI`` set)
a missing browser is a failure.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pymupdf
import pytest

from tests import web_support as ws

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
pytestmark = pytest.mark.slow


def _under_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false")


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if _under_ci():
        pytest.fail("chromium is not installed (CI must install Debian's chromium package: see .ci/run)")
    pytest.skip("chromium is not installed (apt-get install chromium)")


def _plagcheck(*args: str, stdin: str | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "plagcheck", *args], cwd=ROOT, input=stdin, capture_output=True,
                            text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def assert_not_blank(png: bytes, *, min_dark: int = 3_000, min_colours: int = 20) -> None:
    """A screenshot shows a page: enough dark (text) pixels, and more than a few colours."""
    pix = pymupdf.Pixmap(png)
    rgb = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, pix.n)[..., :3]
    dark = int((rgb.max(axis=2) < 100).sum())
    colours = len(np.unique(rgb.reshape(-1, 3)[::7], axis=0))
    assert dark >= min_dark and colours >= min_colours, f"a blank page? {dark} dark pixels, {colours} colours"


def test_the_pixel_check_fails_on_a_blank_screenshot():
    blank = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 800, 600), False)
    blank.set_rect(blank.irect, (246, 246, 248))
    with pytest.raises(AssertionError, match="blank page"):
        assert_not_blank(blank.tobytes("png"))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request, tmp_path_factory):
    """A corpus, a department, a secretary, and ``plagcheck web`` serving them on a free port: on a
    SQLite file, or on a PostgreSQL database (with the data folder and reports folder it needs)."""
    from tests.conftest import fresh_pg_database

    folder = tmp_path_factory.mktemp(f"web-e2e-{request.param}")
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            db, served, worker = str(folder / "cabinet.db"), [], []
        else:
            db = stack.enter_context(fresh_pg_database(request.getfixturevalue("pg_server")))
            served, worker = ["--data-dir", str(folder / "data")], ["--reports", str(folder / "reports")]
        sources = folder / "sources"
        sources.mkdir()
        for source in ws.SOURCES:
            shutil.copy(source, sources / source.name)
        _plagcheck("corpus", "add", str(sources), "--processes", "1", "--db", db)
        _plagcheck("department", "add", "Педагогика и психология", "--threshold", "25", "--db", db)
        _plagcheck("user", "add", "dana", "--role", "secretary", "--department", "Педагогика и психология",
                   "--full-name", "Dana Seitova", "--password-stdin", "--db", db, stdin=ws.PASSWORD + "\n")
        port = _free_port()
        process = subprocess.Popen([sys.executable, "-m", "plagcheck", "web", "--db", db, "--port", str(port),
                                    "--institution", "Test Pedagogical University", *served],
                                   cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        line = process.stdout.readline()
        assert "web cabinet on" in line, line + process.stdout.read() if process.poll() is not None else line
        yield {"url": f"http://127.0.0.1:{port}", "db": db, "folder": folder, "worker": ["--db", db, *worker]}
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _batch(folder: Path) -> tuple[Path, Path]:
    archive = folder / "kafedra-2025.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("2025/aliyev.txt", ws.thesis_text("<script>alert('x')</script>"))
        out.writestr("2025/bekova.txt", ws.OTHER)
    csv_path = folder / "список.csv"
    csv_path.write_bytes(ws.metadata_csv(
        [{"Файл": "aliyev.txt", "Тема": "Методика обучения письму", "ФИО": "Алиев Арман", "Год": "2025"},
         {"Файл": "bekova.txt", "Тема": "Одарённые дети", "ФИО": "Бекова Айгерим", "Год": "2025"},
         {"Файл": "nurlanov.txt", "Тема": "Нет файла", "ФИО": "Нурланов", "Год": "2025"}],
        delimiter=";", encoding="cp1251"))
    return archive, csv_path


def _log_in_as_dana(page, url: str) -> None:
    """Fill the login form the page shows with the secretary's account and wait for her jobs page."""
    page.fill("#id_username", "dana")
    page.fill("#id_password", ws.PASSWORD)
    page.click("#login")
    page.wait_for_url(url + "/jobs/")


def test_a_secretary_does_a_batch_in_the_browser(server, browser, tmp_path):
    url = server["url"]
    context = browser.new_context(accept_downloads=True, locale="ru-RU", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    # Logged out, every page leads to the login page, in the browser's language (Russian here).
    page.goto(url + "/jobs/")
    assert re.search(r"/login/\?next=/jobs/$", page.url)
    assert page.locator("html").get_attribute("lang") == "ru"
    _log_in_as_dana(page, url)

    # Upload a zip and the CSV; the review lists the row naming no file before anything is queued.
    archive, csv_path = _batch(tmp_path)
    page.goto(url + "/upload/")
    # The zip is dropped on the drop zone (as from a file manager), with an .xls named at once.
    page.evaluate("""([files]) => {
      const dt = new DataTransfer();
      for (const [name, bytes] of files) dt.items.add(new File([new Uint8Array(bytes)], name));
      document.getElementById("dropzone").dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true,
                                                                                cancelable: true}));
    }""", [[[archive.name, list(archive.read_bytes())], ["old.xls", list(b"a workbook")]]])
    page.wait_for_selector("#chosen li.unsupported")
    assert archive.name in page.inner_text("#chosen") and "old.xls" in page.inner_text("#chosen li.unsupported")
    page.set_input_files("#metadata", str(csv_path))
    assert page.is_checked("#add_to_corpus")
    page.click("#upload-button")
    page.wait_for_selector("#to-queue")
    assert "nurlanov.txt" in page.inner_text("#unused-rows")
    assert "old.xls" in page.inner_text("#refused")
    assert page.locator("#to-queue tbody tr").count() == 2
    assert_not_blank(page.screenshot(full_page=True))
    page.click("#confirm")
    page.wait_for_url(url + "/jobs/")
    assert page.locator("#jobs tbody tr").count() == 2
    assert page.locator('#jobs tr[data-state="queued"]').count() == 2
    waiting = context.new_page()  # a thesis' own page, opened while it waits
    waiting.goto(url + page.locator("#jobs tbody tr .c-title a").first.get_attribute("href"))
    assert waiting.locator("#pending").count() == 1

    # The worker checks them; the open pages follow without a reload.
    _plagcheck("worker", "--once", "--no-semantic", *server["worker"])
    page.wait_for_selector('body[data-jobs-settled="1"]', timeout=30_000)
    waiting.wait_for_selector("#report-frame", timeout=30_000)
    waiting.close()
    assert page.locator('#jobs tr[data-state="done"]').count() == 2
    row = page.locator("#jobs tbody tr", has_text="Алиев Арман")
    assert re.fullmatch(r"\d+,\d%", row.locator(".c-similarity").inner_text())  # as the Russian report writes it
    assert_not_blank(page.screenshot(full_page=True))

    # The report: the thesis' <script> is text; a click on a match shows its source.
    row.locator(".c-title a").click()
    page.wait_for_selector('body[data-review-ready="1"]')
    borrowed = page.inner_text("#fig-borrowed")
    assert re.fullmatch(r"\d+,\d%", borrowed) and borrowed != "0,0%"
    frame = page.frame_locator("#report-frame")
    frame.locator('body[data-ready="1"]').wait_for()
    assert "<script>alert('x')</script>" in frame.locator("#doc").inner_text()
    mark = frame.locator("#doc mark.hl").first
    clicked = mark.get_attribute("data-m")
    mark.click()
    frame.locator(f'body[data-shown="{clicked}"]').wait_for()
    assert frame.locator(f"#panel-{clicked}").is_visible()
    assert_not_blank(page.screenshot())

    # Excluding the source moves its text to "cited": the figure changes at once...
    assert page.locator('input[name="source"]').count() == 1
    page.check('input[name="source"]')
    page.wait_for_function("document.getElementById('fig-borrowed').textContent === '0,0%'")
    assert page.inner_text("#fig-cited") != "0,0%"
    # ... and saved, it stays (recomputed on the server, who and when recorded).
    page.click("#save-decision")
    page.wait_for_selector("#saved-decision")
    assert "Dana Seitova" in page.inner_text("#saved-decision")
    assert page.inner_text("#fig-borrowed") == "0,0%"
    assert page.is_checked('input[name="source"]')

    # The certificate follows the decision, in the reader's language (Russian here).
    with page.expect_download() as download:
        page.click("#certificate")
    certificate = pymupdf.open(stream=Path(download.value.path()).read_bytes(), filetype="pdf")
    first = certificate[0].get_text()
    assert "Справка" in first and "Test Pedagogical University" in first and "Dana Seitova" in first
    assert "Методика обучения письму" in first

    # The department summary as Excel: both theses, their figures after decisions.
    import openpyxl

    page.goto(url + "/summary/")
    with page.expect_download() as download:
        page.click("#export-xlsx")
    assert download.value.suggested_filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    cells = [str(c) for row in rows for c in row if c is not None]
    assert "Алиев Арман" in cells and "Бекова Айгерим" in cells and len(rows) == 3

    # The language switch: Kazakh, kept from page to page.
    page.goto(url + "/jobs/")
    page.click("button.lang-kk")
    page.wait_for_selector("html[lang=kk]")
    assert page.inner_text("#nav-jobs") == "Жұмыстар"
    page.goto(url + "/upload/")
    assert page.locator("html").get_attribute("lang") == "kk"
    assert "Жұмыстарды жүктеу" in page.inner_text("h1")
    assert_not_blank(page.screenshot(full_page=True))
    assert not errors, errors  # no script error, no CSP violation
    context.close()


def test_the_upload_page_takes_the_formats_libreoffice_converts(server, browser, tmp_path):
    """.doc, .docm, .odt and .rtf are checked (through LibreOffice): the file chooser offers them and
    the list of chosen files does not mark them "will not be checked", as it marks an .xls."""
    url = server["url"]
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.goto(url + "/login/")
    _log_in_as_dana(page, url)
    page.goto(url + "/upload/")
    accept = page.locator("#files").get_attribute("accept").split(",")
    assert {".doc", ".docm", ".odt", ".rtf"} <= set(accept)
    names = ["thesis.doc", "thesis.docm", "thesis.odt", "thesis.rtf", "grades.xls"]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    page.set_input_files("#files", [str(tmp_path / name) for name in names])
    page.wait_for_selector("#chosen li.unsupported")
    assert page.locator("#chosen li").count() == 5
    assert [li.split(" (")[0] for li in page.locator("#chosen li.unsupported").all_inner_texts()] == ["grades.xls"]
    context.close()


def test_a_long_failure_reason_does_not_squeeze_the_jobs_table(server, browser):
    """A failure reason of 600 characters (a damaged PDF's detail, say) is folded: the table stays
    within the window, the title column keeps its room, and a click shows the whole reason."""
    from plagcheck import jobs
    from plagcheck.storage import open_store

    detail = "object 12 0 has a broken cross-reference table entry; " * 11
    with open_store(server["db"], create=False) as store:
        queued = jobs.enqueue(store, "damaged.pdf", b"%PDF-1.4 damaged", {"title": "Повреждённый файл",
                                                                         "department": "Педагогика и психология"})
        job = jobs.lease(store, "browser-test")
        assert job.id == queued
        jobs.fail(store, job.id, "browser-test", f"damaged.pdf: corrupt or unreadable PDF ({detail.strip()})")
    url = server["url"]
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(url + "/login/")
    _log_in_as_dana(page, url)
    row = page.locator("#jobs tbody tr", has_text="Повреждённый файл")
    reason = row.locator("details.reason")
    assert reason.count() == 1 and "повреждённый или нечитаемый PDF" in reason.locator("summary").inner_text()
    fits = page.evaluate("document.getElementById('jobs').getBoundingClientRect().right <= document.documentElement.clientWidth")
    title_width = row.locator(".c-title").bounding_box()["width"]
    state_width = row.locator(".c-state").bounding_box()["width"]
    assert fits and state_width <= 24 * 12 + 20 and title_width >= 100, (fits, state_width, title_width)
    reason.locator("summary").click()
    assert detail.strip() in reason.inner_text()
    assert page.evaluate("document.getElementById('jobs').getBoundingClientRect().right <= document.documentElement.clientWidth")
    context.close()
