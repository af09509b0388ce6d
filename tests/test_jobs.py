"""The job queue: leases, expiry, the attempt limit, idempotent completion, safe zip unpacking."""

from __future__ import annotations

import io
import json
import threading
import zipfile

import pytest
from click.testing import CliRunner

from plagcheck import defaults, jobs
from plagcheck.cli import cli
from plagcheck.store import Store


@pytest.fixture
def db_path(database):
    """The queue's own tests run on both backends; the CLI's below on SQLite."""
    return database


def _queue(store, n):
    return [jobs.enqueue(store, f"t{i}.txt", f"text {i}".encode()) for i in range(n)]


def _state(store, job_id):
    return next(s for s in jobs.statuses(store) if s.id == job_id)


def test_lease_takes_the_oldest_job_and_none_when_empty(store):
    first, second = _queue(store, 2)
    job = jobs.lease(store, "w1")
    assert (job.id, job.name, job.data, job.attempts) == (first, "t0.txt", b"text 0", 1)
    assert jobs.lease(store, "w2").id == second
    assert jobs.lease(store, "w3") is None  # both are held by live leases
    assert _state(store, first).state == jobs.RUNNING


def test_concurrent_workers_never_lease_the_same_job(db_path):
    with Store(db_path) as store:
        ids = _queue(store, 40)
    taken: list[list[int]] = [[] for _ in range(4)]

    def work(slot):
        with Store(db_path) as own:  # one connection per worker, as in separate processes
            while (job := jobs.lease(own, f"w{slot}")) is not None:
                taken[slot].append(job.id)
                assert jobs.complete(own, job.id, f"w{slot}", report_html=None, report_json=None, doc_id=None,
                                     similarity=0.0)

    threads = [threading.Thread(target=work, args=(slot,)) for slot in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    everything = [job_id for part in taken for job_id in part]
    assert sorted(everything) == ids  # each job exactly once
    with Store(db_path) as store:
        assert {s.state for s in jobs.statuses(store)} == {jobs.DONE}
        assert {s.attempts for s in jobs.statuses(store)} == {1}


def test_expired_lease_is_taken_again_and_a_killer_file_fails_after_max_attempts(store):
    (job_id,) = _queue(store, 1)
    for attempt in range(1, defaults.JOB_MAX_ATTEMPTS + 1):
        job = jobs.lease(store, f"dead-worker-{attempt}", seconds=-1)  # leased, then its worker "dies"
        assert (job.id, job.attempts) == (job_id, attempt)
    assert jobs.lease(store, "next-worker") is None  # the queue is not blocked by it
    status = _state(store, job_id)
    assert status.state == jobs.FAILED
    assert status.error == f"worker died {defaults.JOB_MAX_ATTEMPTS} times on this file"


def test_only_the_lease_holder_completes_and_only_once(store):
    (job_id,) = _queue(store, 1)
    jobs.lease(store, "old", seconds=-1)  # expired: another worker takes it over
    assert jobs.lease(store, "new").id == job_id
    assert not jobs.complete(store, job_id, "old", report_html="a", report_json="a", doc_id=1, similarity=0.5)
    assert not jobs.fail(store, job_id, "old", "late")
    assert jobs.complete(store, job_id, "new", report_html="b.html", report_json="b.json", doc_id=2, similarity=0.1)
    assert not jobs.complete(store, job_id, "new", report_html="c", report_json="c", doc_id=3, similarity=0.9)
    status = _state(store, job_id)
    assert (status.state, status.report_html, status.doc_id, status.similarity) == (jobs.DONE, "b.html", 2, 0.1)
    assert jobs.pending(store) == 0


def test_release_gives_the_job_back_without_counting_an_attempt(store):
    (job_id,) = _queue(store, 1)
    jobs.lease(store, "w")
    jobs.release(store, job_id, "w")
    assert _state(store, job_id).state == jobs.QUEUED
    assert jobs.lease(store, "w2").attempts == 1


def test_failed_job_keeps_its_reason(store):
    first, second = _queue(store, 2)
    jobs.fail(store, jobs.lease(store, "w").id, "w", "t0.txt: corrupt DOCX")
    assert jobs.lease(store, "w").id == second  # the queue goes on
    assert _state(store, first).error == "t0.txt: corrupt DOCX"


def test_submit_with_metadata_csv_and_no_index(tmp_path, en_text):
    (tmp_path / "theses").mkdir()
    (tmp_path / "theses" / "aliyev.txt").write_text(en_text, encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "dept.zip", "w") as archive:
        archive.writestr("2025/bekova.txt", en_text[:2000])
    (tmp_path / "meta.csv").write_text("file,author,title,year,department,language\n"
                                       "aliyev.txt,A. Aliyev,Online meetings,2025,Pedagogy,en\n"
                                       "bekova.txt,B. Bekova,Memoranda,2024,Law,en\n", encoding="utf-8")
    db = tmp_path / "c.db"
    Store(db).close()  # an empty corpus: submit and worker refuse a missing database
    result = CliRunner().invoke(cli, ["submit", str(tmp_path / "theses"), str(tmp_path / "dept.zip"), "--db", str(db),
                                      "--metadata", str(tmp_path / "meta.csv"), "--no-index"])
    assert result.exit_code == 0, result.output
    assert "2 jobs queued" in result.stdout
    with Store(db) as store:
        first, second = jobs.lease(store, "w"), jobs.lease(store, "w")
    assert first.metadata == {"author": "A. Aliyev", "title": "Online meetings", "year": 2025,
                              "department": "Pedagogy", "language": "en"}
    assert second.name == "dept.zip/2025/bekova.txt" and second.metadata["author"] == "B. Bekova"
    assert first.no_index and second.no_index
    assert first.data == en_text.encode("utf-8")  # the bytes themselves are queued


def _zip_bytes(members: dict[str, bytes], *, compression=zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_damaged_or_encrypted_zip_members_are_named_and_the_rest_queued(tmp_path):
    raw = bytearray(_zip_bytes({"good.txt": b"a good thesis " * 20, "bad.txt": b"a damaged thesis " * 20}))
    at = raw.index(b"a damaged thesis")
    raw[at:at + 8] = b"XXXXXXXX"  # the stored bytes no longer match the CRC
    (tmp_path / "damaged.zip").write_bytes(bytes(raw))
    encrypted = bytearray(_zip_bytes({"secret.txt": b"secret"}))
    for header in (b"PK\x03\x04", b"PK\x01\x02"):  # set the 'encrypted' flag bit in both headers
        at = encrypted.index(header)
        flag = at + (6 if header == b"PK\x03\x04" else 8)
        encrypted[flag] |= 0x1
    (tmp_path / "encrypted.zip").write_bytes(bytes(encrypted))
    (tmp_path / "not-a.zip").write_bytes(b"no zip at all")
    with Store(tmp_path / "c.db") as store:
        done = jobs.submit(store, [tmp_path / "damaged.zip", tmp_path / "encrypted.zip",
                                   tmp_path / "not-a.zip", tmp_path / "gone.txt"])
        assert [s.name for s in jobs.statuses(store) if s.id in done.ids] == ["damaged.zip/good.txt"]
    reasons = dict(done.rejected)
    assert "cannot unpack from zip" in reasons["damaged.zip/bad.txt"]
    assert "password-protected" in reasons["encrypted.zip/secret.txt"]
    assert reasons[str(tmp_path / "not-a.zip")] == "corrupt zip archive"
    assert reasons[str(tmp_path / "gone.txt")] == "no such file or folder"


def test_zip_traversal_and_lying_sizes_are_refused(tmp_path):
    with zipfile.ZipFile(tmp_path / "x.zip", "w") as archive:
        archive.writestr("/etc/cron.d/evil.txt", "absolute")
        archive.writestr("a/../../evil.txt", "traversal")
        archive.writestr("C:/evil.txt", "drive")
        archive.writestr("ok/nested/thesis.txt", "fine")
    with zipfile.ZipFile(tmp_path / "x.zip") as archive:
        accepted, rejected = jobs.safe_zip_members(archive, "x.zip")
    assert [i.filename for i in accepted] == ["ok/nested/thesis.txt"]
    assert len(rejected) == 3 and all("unsafe path" in reason for _, reason in rejected)


def test_jobs_command_lists_states_reasons_and_reports(tmp_path):
    db = tmp_path / "c.db"
    with Store(db) as store:
        done, failed, queued = _queue(store, 3)
        jobs.lease(store, "w")
        jobs.complete(store, done, "w", report_html="/r/1.html", report_json="/r/1.json", doc_id=1, similarity=0.25)
        jobs.lease(store, "w")
        jobs.fail(store, failed, "w", "t1.txt: encrypted PDF")
    runner = CliRunner()
    listed = json.loads(runner.invoke(cli, ["jobs", "--db", str(db), "--format", "json"]).stdout)
    assert [(j["id"], j["state"]) for j in listed] == [(done, "done"), (failed, "failed"), (queued, "queued")]
    assert listed[0]["report_html"] == "/r/1.html" and listed[1]["error"] == "t1.txt: encrypted PDF"
    table = runner.invoke(cli, ["jobs", "--db", str(db)]).stdout
    assert f"job {failed} failed: t1.txt: encrypted PDF\n" in table and f"job {done} report: /r/1.html\n" in table
    assert "1 queued, 0 running, 1 done, 1 failed" in table


THESIS = ("Digital services changed the way schools talk to parents. Teachers publish marks online, parents "
          "answer messages in the evening, and pupils submit homework through a portal. ") * 8


EXPECTED = "PDF, DOCX, DOC, DOCM, ODT, RTF or TXT"


def test_submit_refuses_types_the_worker_cannot_read_and_names_resubmissions(tmp_path):
    """An .xls fails at submit, not later in the worker (a .doc or .rtf is queued: the worker converts
    it); a thesis queued twice is said, not queued twice."""
    folder = tmp_path / "theses"
    folder.mkdir()
    (folder / "aliyev.txt").write_text(THESIS, encoding="utf-8")
    (folder / "marks.xls").write_bytes(b"\xd0\xcf\x11\xe0 a spreadsheet")
    (folder / "slides.pptx").write_bytes(b"PK\x03\x04 slides")
    (folder / "README").write_text("no extension", encoding="ascii")
    db = tmp_path / "c.db"
    Store(db).close()
    runner = CliRunner()
    result = runner.invoke(cli, ["submit", str(folder), "--db", str(db)])
    assert result.exit_code == 2, result.output
    assert result.stdout == "1 job queued: 1\n"
    assert sorted(result.stderr.splitlines()) == [
        f"error: {folder / 'README'}: unsupported file type (no extension): expected {EXPECTED}",
        f"error: {folder / 'marks.xls'}: unsupported file type .xls: expected {EXPECTED}",
        f"error: {folder / 'slides.pptx'}: unsupported file type .pptx: expected {EXPECTED}"]

    # The same thesis submitted again while its job still waits, from another folder: named, not queued.
    (tmp_path / "again").mkdir()
    (tmp_path / "again" / "aliyev.txt").write_text(THESIS, encoding="utf-8")
    repeat = runner.invoke(cli, ["submit", str(tmp_path / "again" / "aliyev.txt"), "--db", str(db)])
    assert (repeat.exit_code, repeat.stdout) == (0, "0 jobs queued; 1 already in the queue\n"), repeat.output
    assert repeat.stderr == (f"skipped: {tmp_path / 'again' / 'aliyev.txt'}: already queued as job 1 "
                             f"({folder / 'aliyev.txt'}); --again queues it once more\n")
    # The same bytes under another name are another student's submission: queued, and noted.
    (tmp_path / "bekov.txt").write_text(THESIS, encoding="utf-8")
    copy = runner.invoke(cli, ["submit", str(tmp_path / "bekov.txt"), "--db", str(db)])
    assert (copy.exit_code, copy.stdout) == (0, "1 job queued: 2\n"), copy.output
    assert copy.stderr == (f"note: {tmp_path / 'bekov.txt'}: the same bytes as job 1 ({folder / 'aliyev.txt'}), "
                           "which still waits; queued as a submission of its own\n")
    forced = runner.invoke(cli, ["submit", str(folder / "aliyev.txt"), "--again", "--db", str(db)])
    assert (forced.exit_code, forced.stdout, forced.stderr) == (0, "1 job queued: 3\n", "")
    with Store(db) as store:  # once checked, the same thesis may be submitted again (a recheck)
        for _ in range(3):
            job = jobs.lease(store, "w")
            jobs.complete(store, job.id, "w", report_html=None, report_json=None, doc_id=None, similarity=0.0)
    assert runner.invoke(cli, ["submit", str(folder / "aliyev.txt"), "--db", str(db)]).stdout == "1 job queued: 4\n"
    assert runner.invoke(cli, ["submit", str(tmp_path / "bekov.txt"), str(tmp_path / "again"),
                               "--db", str(db)]).stdout == "1 job queued: 5; 1 already in the queue\n"


def test_jobs_table_shows_metadata_and_whole_absolute_report_paths(tmp_path, monkeypatch):
    elsewhere = tmp_path / "a-rather-long-folder-name-for-the-department-of-pedagogy" / "spring-session-2026"
    elsewhere.mkdir(parents=True)
    (elsewhere / "aliyev.txt").write_text(THESIS, encoding="utf-8")
    (elsewhere / "meta.csv").write_text("file;author;title;department\naliyev.txt;A. Aliyev;Online meetings;"
                                        "Pedagogy\n", encoding="utf-8")
    Store(elsewhere / "c.db").close()
    monkeypatch.chdir(elsewhere)  # the worker runs here, with relative paths
    runner = CliRunner()
    assert runner.invoke(cli, ["submit", "aliyev.txt", "--metadata", "meta.csv", "--db", "c.db"]).exit_code == 0
    result = runner.invoke(cli, ["worker", "--once", "--db", "c.db", "--reports", "out"])
    assert result.exit_code == 0, result.output
    monkeypatch.chdir(tmp_path)  # and 'jobs' somewhere else
    report = elsewhere / "out" / "000001-aliyev.html"
    assert report.exists()
    narrow = runner.invoke(cli, ["jobs", "--db", str(elsewhere / "c.db")], env={"COLUMNS": "50"})
    assert narrow.exit_code == 0, narrow.output
    assert f"job 1 report: {report}\n" in narrow.stdout  # whole, on its own line, at 50 columns
    wide = runner.invoke(cli, ["jobs", "--db", str(elsewhere / "c.db")], env={"COLUMNS": "250"})
    assert all(value in wide.stdout for value in ("A. Aliyev", "Online meetings", "Pedagogy", "done"))
    (listed,) = json.loads(runner.invoke(cli, ["jobs", "--db", str(elsewhere / "c.db"), "--format", "json"]).stdout)
    assert listed["report_html"] == str(report) and listed["report_json"] == str(report.with_suffix(".json"))
    assert listed["metadata"] == {"author": "A. Aliyev", "title": "Online meetings", "department": "Pedagogy"}
