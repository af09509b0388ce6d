"""What the cabinet's pages show, as a tester read them: failure reasons in the page's language
(file name and raw detail kept, made safe), shares written as the report writes them in that
language, long reasons folded, bidi and control characters in uploaded names shown as escapes,
and the language switch naming each language in its own words. On both backends."""

from __future__ import annotations

import html
import re

import pytest

from plagcheck.text_safety import printable

pytest.importorskip("django")

from tests import web_support as ws  # noqa: E402

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "Alice\u202egpj.exe" reads "Aliceexe.jpg"
RAW_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def page(client, url: str, lang: str) -> str:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = lang
    return client.get(url).content.decode()


@pytest.fixture(scope="module")
def failed(web_database):
    """A secretary's batch of an empty file and a broken PDF (its name with a right-to-left
    override), checked by the real worker: two failed jobs."""
    ws.cabinet(web_database)
    dept = ws.department()
    secretary = ws.user("secretary", [dept])
    empty, broken = ws.upload_and_queue(ws.client_of(secretary), {
        "empty.txt": b"", f"scan{RLO}fdp.pdf": b"%PDF-1.7\nnot really a PDF at all\n"}, department=dept)
    ws.run_worker()
    for link in (empty, broken):
        link.job.refresh_from_db()
        assert link.job.state == "failed", link.job.error
    return {"dept": dept, "secretary": secretary, "empty": empty, "broken": broken}


def test_failure_reasons_are_said_in_the_pages_language_with_the_file_name_kept_safe(failed):
    client = ws.client_of(failed["secretary"])
    english = page(client, "/jobs/", "en")
    assert "empty.txt: empty file (0 bytes)" in english
    assert "scan\\u202efdp.pdf: corrupt or unreadable PDF (" in english
    russian = page(client, "/jobs/", "ru")
    assert "empty.txt: пустой файл (0 байт)" in russian and "empty file" not in russian
    detail = re.search(r"scan\\u202efdp\.pdf: повреждённый или нечитаемый PDF \((.+?)\)</div>", russian)
    assert detail, russian[russian.find("scan"):][:300]
    # MuPDF's own words stay as it said them (in English: it is the evidence, not our sentence),
    # HTML-escaped and made printable like the name.
    assert html.unescape(detail.group(1)) in printable(failed["broken"].job.error)
    kazakh = page(client, f"/j/{failed['empty'].token}/", "kk")
    assert "бос файл (0 байт)" in kazakh
    for text in (english, russian, kazakh):
        assert not RAW_UNSAFE.search(text)
    # The live updates of the jobs page say the same.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"
    status = client.get(f"/jobs/status.json?ids={failed['broken'].job_id}").json()["jobs"][0]
    assert status["error"].startswith("scan\\u202efdp.pdf: повреждённый или нечитаемый PDF (")


def test_a_long_reason_is_folded_with_its_full_text_one_click_away(failed):
    from plagcheck import jobs
    from plagcheck.storage import open_store

    long_detail = "object 12 0 has a broken cross-reference; " * 12
    with open_store(ws.active().database, create=False) as store:
        queued = jobs.enqueue(store, "long.pdf", b"%PDF-1.4 whatever", {"department": failed["dept"].name})
        job = jobs.lease(store, "tester")
        assert job.id == queued
        jobs.fail(store, job.id, "tester", f"long.pdf: corrupt or unreadable PDF ({long_detail.strip()})")
    russian = page(ws.client_of(failed["secretary"]), "/jobs/", "ru")
    folded = re.search(r'<details class="reason"><summary>(.*?)</summary>(.*?)</details>', russian, re.S)
    assert folded, "the long reason is not folded"
    summary, full = folded.groups()
    assert summary.endswith("…") and len(summary) <= 121 and summary[:-1].strip() in full
    assert full.startswith("long.pdf: повреждённый или нечитаемый PDF (") and long_detail.strip() in full
    # The short reasons are shown whole, unfolded.
    assert '<div class="reason">empty.txt: пустой файл (0 байт)</div>' in russian
    css = ws.client_of(failed["secretary"]).get("/static/web/cabinet.css")
    assert re.search(r"\.reason\{[^}]*max-width", b"".join(css.streaming_content).decode())


def test_shares_are_written_as_the_report_writes_them_in_the_pages_language(web_database):
    ws.cabinet(web_database)
    dept = ws.department()
    secretary = ws.user("secretary", [dept])
    client = ws.client_of(secretary)
    link, = ws.upload_and_queue(client, {"shares.txt": ws.thesis_text("shares").encode()}, department=dept)
    ws.run_worker()
    for lang, mark in (("ru", ","), ("kk", ","), ("en", ".")):
        job = page(client, f"/j/{link.token}/", lang)
        report = page(client, f"/j/{link.token}/report.html", lang)
        borrowed = re.search(r'id="fig-borrowed">([^<]+)<', job).group(1)
        assert borrowed == re.search(r'id="fig-similarity">([^<]+)<', report).group(1), lang
        assert re.fullmatch(rf"\d+\{mark}\d%", borrowed), (lang, borrowed)
        listed = page(client, "/jobs/", lang)
        assert f'<td class="c-similarity">{borrowed}</td>' in listed, lang
        assert f"{dept.threshold_percent:g}".replace(".", mark) + "%" in job


def test_names_with_a_right_to_left_override_are_shown_as_escapes_on_every_page(web_database):
    ws.cabinet(web_database)
    dept = ws.department()
    client = ws.client_of(ws.user("secretary", [dept]))
    csv_bytes = ws.metadata_csv([{"file": "bidi.txt", "title": f"Title{RLO}txet", "author": f"Alice{RLO}gpj.exe",
                                  "supervisor": "Prof\x1b[2J Bek"}])
    review = ws.upload(client, {"bidi.txt": ws.thesis_text("bidi").encode()}, department=dept, csv_bytes=csv_bytes)
    preview = client.get(review["Location"]).content.decode()
    assert "Alice\\u202egpj.exe" in preview and "Title\\u202etxet" in preview and "Prof\\x1b[2J Bek" in preview
    assert not RAW_UNSAFE.search(preview)
    client.post(review["Location"] + "confirm")
    from plagcheck.web.models import JobLink

    link = JobLink.objects.get(job__name="bidi.txt", department=dept)
    assert link.author == f"Alice{RLO}gpj.exe"  # the data is kept as it came; only its display is made safe
    for url in ("/jobs/", f"/j/{link.token}/", "/summary/"):
        shown = client.get(url).content.decode()
        assert "Alice\\u202egpj.exe" in shown and not RAW_UNSAFE.search(shown), url


def test_the_language_switch_names_each_language_in_its_own_words(web_database):
    ws.cabinet(web_database)
    client = ws.client_of(ws.user("secretary", [ws.department()]))
    for lang in ("kk", "ru", "en"):
        html = page(client, "/jobs/", lang)
        labels = re.findall(r'<button type="submit" name="language" value="(\w+)" lang="(\w+)"[^>]*>([^<]+)</button>',
                            html)
        assert [(code, name) for code, _, name in labels] == [("kk", "Қазақша"), ("ru", "Русский"),
                                                              ("en", "English")], (lang, labels)
        assert all(code == own for code, own, _ in labels)
