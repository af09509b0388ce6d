"""Uploading through the cabinet: zips and folders with Excel's CSVs, the review step that names
mismatched rows and files before anything is queued, size limits, refused types, drafts."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest

pytest.importorskip("django")

from tests import web_support as ws  # noqa: E402


@pytest.fixture(scope="module")
def secretary(web_database):
    ws.cabinet(web_database)
    dept = ws.department()
    return dept, ws.user("secretary", [dept])


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_a_zip_with_a_windows_1251_csv_is_reviewed_then_queued_with_its_metadata(secretary):
    from plagcheck.web.models import JobLink, QueueJob

    dept, account = secretary
    client = ws.client_of(account)
    theses = _zip({"2025/aliyev.txt": ws.thesis_text("Алиев").encode(), "2025/bekova.txt": b"Bekova's own text " * 50,
                   "notes.xls": b"sheet", "../escape.txt": b"outside"})
    rows = [{"Файл": "aliyev.txt", "Тема": "Методика обучения", "ФИО": "Алиев Арман", "Год": "2025",
             "Научный руководитель": "Сейткали А."},
            {"Файл": "missing.txt", "Тема": "Нет файла", "ФИО": "Никто", "Год": "2025", "Научный руководитель": ""}]
    csv_bytes = ws.metadata_csv(rows, delimiter=";", encoding="cp1251")
    response = ws.upload(client, {"batch.zip": theses}, department=dept, csv_bytes=csv_bytes)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    # Listed before anything is queued: the row naming no file, the file without a row, refused members.
    assert re.search(r'id="unused-rows">.*line 3: missing.txt', page, re.S)
    assert re.search(r'id="unlisted">.*batch.zip/2025/bekova.txt', page, re.S)
    refused = re.search(r'id="refused">(.*?)</ul>', page, re.S).group(1)
    assert "batch.zip/notes.xls" in refused and "unsupported file type .xls" in refused
    assert "escape.txt" in refused and "unsafe path" in refused
    assert "Методика обучения" in page and "Алиев Арман" in page
    assert not JobLink.objects.filter(uploaded_by=account).exists()  # nothing queued yet

    assert client.post(response["Location"] + "confirm").status_code == 302
    links = list(JobLink.objects.filter(uploaded_by=account).select_related("job").order_by("job_id"))
    assert [link.job.name for link in links] == ["batch.zip/2025/aliyev.txt", "batch.zip/2025/bekova.txt"]
    aliyev = json.loads(links[0].job.metadata)
    assert aliyev["title"] == "Методика обучения" and aliyev["author"] == "Алиев Арман" and aliyev["year"] == 2025
    assert aliyev["department"] == dept.name and aliyev["научный руководитель"] == "Сейткали А."
    assert links[0].supervisor_name == "Сейткали А." and links[0].year == 2025 and not links[0].draft
    assert json.loads(links[1].job.metadata) == {"department": dept.name}  # no row: the batch's department
    assert all(link.department == dept for link in links)
    assert not QueueJob.objects.filter(name__contains="escape").exists()
    # The staged files are gone once queued; the batch cannot be queued twice.
    assert client.post(response["Location"] + "confirm").status_code == 404


def test_a_row_naming_another_department_is_filed_under_the_upload_and_the_review_says_so(secretary):
    from plagcheck.web.models import JobLink

    dept, account = secretary
    client = ws.client_of(account)
    rows = [{"Файл": "kuanysh.txt", "Тема": "История края", "ФИО": "Куаныш А.", "Год": "2025", "Кафедра": "История"}]
    response = ws.upload(client, {"kuanysh.txt": ws.thesis_text("Қуаныш").encode()}, department=dept,
                         csv_bytes=ws.metadata_csv(rows, delimiter=";", encoding="cp1251"))
    page = client.get(response["Location"]).content.decode()
    assert "department &#x27;История&#x27; is not the upload&#x27;s" in page or "department 'История' is not the upload's" in page
    assert client.post(response["Location"] + "confirm").status_code == 302
    (link,) = JobLink.objects.filter(uploaded_by=account, job__name="kuanysh.txt").select_related("job")
    assert link.department == dept and json.loads(link.job.metadata)["department"] == dept.name


def test_folders_keep_their_paths_and_a_utf8_bom_comma_csv_matches_them(secretary):
    from plagcheck.web.models import JobLink

    dept, account = secretary
    client = ws.client_of(account)
    csv_bytes = ws.metadata_csv([{"file": "group1/a.txt", "title": "Group one", "author": "A"},
                                 {"file": "group2/a.txt", "title": "Group two", "author": "B"}],
                                delimiter=",", encoding="utf-8-sig")
    links = ws.upload_and_queue(client, {"theses/group1/a.txt": b"first thesis text " * 40,
                                         "theses/group2/a.txt": b"second thesis text " * 40},
                                department=dept, csv_bytes=csv_bytes)
    assert [(link.job.name, link.title) for link in links] == [("theses/group1/a.txt", "Group one"),
                                                               ("theses/group2/a.txt", "Group two")]
    assert JobLink.objects.filter(uploaded_by=account, title="Group two").exists()


def test_bad_files_and_csvs_are_named_at_upload_time(secretary):
    dept, account = secretary
    client = ws.client_of(account)
    response = ws.upload(client, {"big.pdf": b"%PDF-1.4 " + b"x" * (2 * 2**20), "old.xls": b"x", "ok.txt": b"fine " * 9},
                         department=dept)
    page = client.get(response["Location"]).content.decode()
    assert "big.pdf</b>: file over 2 MiB: not uploaded" in page
    assert "old.xls</b>: unsupported file type .xls" in page
    assert "ok.txt" in page and 'id="confirm"' in page
    # An Excel workbook given as the CSV: the CSV's own one-line reason, and nothing to confirm.
    response = ws.upload(client, {"ok.txt": b"fine " * 9}, department=dept, csv_bytes=b"PK\x03\x04workbook")
    page = client.get(response["Location"]).content.decode()
    assert 'id="csv-error"' in page and "an Excel workbook, not a CSV" in page and 'id="confirm"' not in page
    assert client.post(response["Location"] + "confirm").status_code == 302  # back to the review, nothing queued
    # A batch over the limit is refused whole.
    too_big = {f"t{k}.txt": b"y" * (2**20 + 2**19) for k in range(5)}
    refused = ws.upload(client, too_big, department=dept)
    assert refused.status_code == 400 and "over 6 MiB" in refused.content.decode()


def test_the_single_thesis_form_gives_one_file_its_metadata(secretary):
    dept, account = secretary
    links = ws.upload_and_queue(ws.client_of(account), {"diploma.txt": b"my own thesis words " * 30}, department=dept,
                                fields={"title": "A single thesis", "author": "Dana K.", "year": "2024",
                                        "supervisor": "Prof. X", "language": "en"})
    metadata = json.loads(links[0].job.metadata)
    assert metadata == {"title": "A single thesis", "author": "Dana K.", "year": 2024, "supervisor": "Prof. X",
                        "language": "en", "department": dept.name}
    assert links[0].supervisor_name == "Prof. X"


def test_add_to_corpus_unchecked_is_a_draft_and_a_supervisor_only_checks_drafts(secretary):
    from plagcheck.store import Store

    dept, account = secretary
    draft, = ws.upload_and_queue(ws.client_of(account), {"draft.txt": ws.thesis_text("draft one").encode()},
                                 department=dept, add_to_corpus=False)
    supervisor = ws.user("supervisor", [dept], full_name="Marat Ospanov")
    own, = ws.upload_and_queue(ws.client_of(supervisor), {"student-draft.txt": ws.thesis_text("draft two").encode()},
                               department=dept, add_to_corpus=True)  # asked, but a supervisor's check is a draft
    assert draft.draft and own.draft and own.supervisor_id == supervisor.pk
    cab = ws.active()
    ws.run_worker(cab)
    with Store(cab.database) as store:
        paths = {document.path for document in store.documents()}
    for link in (draft, own):
        link.job.refresh_from_db()
        assert link.job.state == "done" and link.job.doc_id is None  # checked, not added to the corpus
        assert link.job.name not in paths
    assert ws.client_of(supervisor).get(f"/j/{own.token}/").status_code == 200


def test_jobs_queued_with_the_cli_appear_for_the_department_they_name(secretary, tmp_path):
    """``plagcheck submit`` on the same database: the cabinet links the job to the department its
    metadata names (its secretary sees it), or to none (only an admin sees it)."""
    from plagcheck import jobs
    from plagcheck.store import Store

    dept, account = secretary
    other = ws.department()
    thesis = tmp_path / "cli.txt"
    thesis.write_text("a thesis queued from the command line " * 20, encoding="utf-8")
    stray = tmp_path / "stray.txt"
    stray.write_text("a thesis of no department the cabinet knows " * 20, encoding="utf-8")
    with Store(ws.active().database, create=False) as store:
        jobs.submit(store, [thesis], {"cli.txt": {"title": "From the CLI", "department": f"  {dept.name.upper()} "}})
        jobs.submit(store, [stray], {"stray.txt": {"title": "Stray thesis", "department": "Nowhere"}})
    page = ws.client_of(account).get("/jobs/").content.decode()
    assert "From the CLI" in page and "Stray thesis" not in page
    assert "From the CLI" not in ws.client_of(ws.user("secretary", [other])).get("/jobs/").content.decode()
    assert "Stray thesis" in ws.client_of(ws.user("admin")).get("/jobs/").content.decode()


def test_an_upload_is_queued_once_and_an_abandoned_one_is_discarded(secretary):
    from datetime import timedelta

    from django.utils import timezone

    from plagcheck.web import conf
    from plagcheck.web.models import JobLink, UploadBatch

    dept, account = secretary
    client = ws.client_of(account)
    review = ws.upload(client, {"once.txt": b"queued only once " * 30}, department=dept)["Location"]
    assert client.post(review + "confirm").status_code == 302
    assert client.post(review + "confirm").status_code == 404  # a second click queues nothing
    assert JobLink.objects.filter(uploaded_by=account, job__name="once.txt").count() == 1

    left = ws.upload(client, {"left.txt": b"never confirmed " * 30}, department=dept)["Location"]
    token = left.rstrip("/").rsplit("/", 1)[-1]
    staged = conf.staging_dir(ws.active().options) / token
    assert (staged / "files" / "left.txt").exists()
    UploadBatch.objects.filter(token=token).update(created_at=timezone.now() - timedelta(hours=25))
    ws.upload(client, {"next.txt": b"the next upload " * 30}, department=dept)
    assert not staged.exists() and not UploadBatch.objects.filter(token=token).exists()
    assert client.get(left).status_code == 404
