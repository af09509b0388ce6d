"""Batch submission, the worker (including a SIGKILL mid-batch) and the nightly reindex."""

from __future__ import annotations

import json
from pathlib import Path
import os
import signal
import subprocess
import sys
import time
import zipfile

import pytest
from click.testing import CliRunner

from plagcheck import jobs
from plagcheck.cli import cli
from plagcheck.store import Store
from tests.builders import make_docx, make_docx_bomb, make_pdf, paragraphs, wrap

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _theses(folder, ru_text, en_text, en_text2):
    folder.mkdir()
    make_pdf(folder / "ru-thesis.pdf", [wrap(ru_text[:2000]), wrap(ru_text[2000:4000])])
    make_docx(folder / "en-thesis.docx", paragraphs(en_text))
    (folder / "memo.txt").write_text(en_text2, encoding="utf-8")
    return folder


def _run(args, env=None, **kwargs):
    return subprocess.run([sys.executable, "-m", "plagcheck", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, **kwargs)


def _slowed(stage: str, seconds: float, marker=None) -> tuple[list[str], dict[str, str]]:
    """Command prefix and environment for plagcheck with a stage slowed down (tests/slow_plagcheck.py)."""
    env = {**os.environ, "SLOW_STAGE": stage, "SLOW_SECONDS": str(seconds)}
    if marker:
        env["SLOW_MARKER"] = str(marker)
    return [sys.executable, "-m", "tests.slow_plagcheck"], env


def _wait_for(path, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while not path.exists():
        assert time.time() < deadline, f"{path.name} never appeared"
        time.sleep(0.05)


def test_submit_folder_and_zip_then_worker_once(tmp_path, ru_text, en_text, en_text2):
    folder = _theses(tmp_path / "batch", ru_text, en_text, en_text2)
    make_pdf(folder / "locked.pdf", [["Закрытый текст."]], encrypt="pw")
    (folder / "broken.docx").write_bytes(b"PK\x03\x04broken")
    with zipfile.ZipFile(tmp_path / "dept.zip", "w") as archive:
        archive.writestr("theses/copy.txt", ru_text[1000:3000])
        archive.writestr("../../evil.txt", "path traversal")
        archive.writestr("notes.exe", "binary")
    db = tmp_path / "c.db"
    Store(db).close()  # an empty corpus: submit and worker refuse a missing database
    runner = CliRunner()
    result = runner.invoke(cli, ["submit", str(folder), str(tmp_path / "dept.zip"), "--db", str(db)])
    assert result.exit_code == 2, result.output  # the unsafe and unsupported zip members are named
    assert "6 jobs queued" in result.stdout
    assert "evil.txt: unsafe path in zip" in result.stderr and "notes.exe: unsupported file type" in result.stderr

    (folder / "memo.txt").unlink()  # moved after submission: the queued bytes are still there
    result = runner.invoke(cli, ["worker", "--once", "--db", str(db)])
    assert result.exit_code == 0, result.output

    listed = json.loads(runner.invoke(cli, ["jobs", "--db", str(db), "--format", "json"]).stdout)
    by_name = {os.path.basename(j["name"]): j for j in listed}
    for name in ("ru-thesis.pdf", "en-thesis.docx", "memo.txt", "copy.txt"):
        job = by_name[name]
        assert job["state"] == "done", job
        assert os.path.exists(job["report_html"]) and os.path.exists(job["report_json"])
        assert os.path.exists(job["report_pdf"]) and job["report_pdf"].endswith(".pdf")
        assert job["doc_id"] is not None
    assert by_name["locked.pdf"]["state"] == "failed" and "encrypted PDF" in by_name["locked.pdf"]["error"]
    assert by_name["broken.docx"]["state"] == "failed" and "corrupt DOCX" in by_name["broken.docx"]["error"]
    # the zip's copy of the Russian thesis was checked after the thesis itself was indexed
    copy_report = json.loads(open(by_name["copy.txt"]["report_json"], encoding="utf-8").read())
    assert copy_report["similarity"] > 0.8
    with Store(db) as store:
        assert store.document_count() == 4


def test_no_index_checks_without_adding(tmp_path, ru_text):
    db = tmp_path / "c.db"
    Store(db).close()  # an empty corpus: submit and worker refuse a missing database
    (tmp_path / "draft.txt").write_text(ru_text, encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(cli, ["submit", str(tmp_path / "draft.txt"), "--no-index", "--db", str(db)]).exit_code == 0
    assert runner.invoke(cli, ["worker", "--once", "--db", str(db)]).exit_code == 0
    with Store(db) as store:
        (status,) = jobs.statuses(store)
        assert status.state == "done" and status.doc_id is None
        assert store.document_count() == 0


def test_killed_worker_leaves_no_job_lost_or_doubled(database, tmp_path, ru_text, en_text, en_text2):
    folder = _theses(tmp_path / "batch", ru_text, en_text, en_text2)
    (folder / "ru-part.txt").write_text(ru_text[3000:], encoding="utf-8")
    db = database  # a SQLite file, or a PostgreSQL database (whose reports need a folder of their own)
    reports = ["--reports", str(tmp_path / "reports")]
    Store(db).close()  # an empty corpus: submit and worker refuse a missing database
    assert _run(["submit", str(folder), "--db", str(db)]).returncode == 0
    command, env = _slowed("worker", 1.5)
    slow = subprocess.Popen([*command, "worker", "--db", str(db), "--lease", "2", *reports], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    with Store(db) as store:
        while time.time() < deadline:  # kill it once it has finished one job and is inside the next
            states = [s.state for s in jobs.statuses(store)]
            if states.count("done") >= 1 and "running" in states:
                break
            time.sleep(0.1)
    slow.send_signal(signal.SIGKILL)
    slow.wait()
    time.sleep(2.1)  # let the dead worker's lease expire
    result = _run(["worker", "--once", "--db", str(db), *reports])
    assert result.returncode == 0, result.stderr
    with Store(db) as store:
        statuses = jobs.statuses(store)
        assert [s.state for s in statuses] == ["done"] * 4
        assert any(s.attempts == 2 for s in statuses)  # the job in hand was taken again
        assert store.document_count() == 4
        assert len({s.doc_id for s in statuses}) == 4


def test_sigterm_finishes_the_job_in_hand(tmp_path, ru_text):
    db = tmp_path / "c.db"
    Store(db).close()  # an empty corpus: submit and worker refuse a missing database
    (tmp_path / "a.txt").write_text(ru_text, encoding="utf-8")
    assert _run(["submit", str(tmp_path / "a.txt"), "--db", str(db)]).returncode == 0
    command, env = _slowed("worker", 1.0, marker=tmp_path / "in-hand")
    proc = subprocess.Popen([*command, "worker", "--db", str(db)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with Store(db) as store:
        _wait_for(tmp_path / "in-hand")  # the job is extracted; a second of work remains
        assert jobs.statuses(store)[0].state == "running"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
        assert jobs.statuses(store)[0].state == "done"


def test_zip_bomb_and_symlink_rejected(tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("big.txt", "a" * 5_000_000)
        info = zipfile.ZipInfo("link.txt")
        info.external_attr = (0o120777 << 16)
        archive.writestr(info, "/etc/passwd")
    with zipfile.ZipFile(path) as archive:
        accepted, rejected = jobs.safe_zip_members(archive, "bomb.zip")
    assert accepted == []
    reasons = dict(rejected)
    assert "zip bomb" in reasons["bomb.zip/big.txt"]
    assert "symbolic link" in reasons["bomb.zip/link.txt"]


CHECK_LOOP = """
import sys, time
from plagcheck.check import check_document
from plagcheck.extract import extract
from plagcheck.store import Store
store = Store(sys.argv[1])
document = extract(sys.argv[2])
failures = found = 0
end = time.time() + float(sys.argv[3])
while time.time() < end:
    try:
        result = check_document(store, document)
        found += bool(result.matches)
    except Exception as error:
        failures += 1
        print("FAIL", type(error).__name__, error, file=sys.stderr)
print(failures, found)
"""


def test_full_reindex_while_checking_and_killed_reindex(database, tmp_path, ru_text, en_text, en_text2):
    folder = _theses(tmp_path / "corpus", ru_text, en_text, en_text2)
    db = database
    assert _run(["corpus", "add", str(folder), "--db", str(db)]).returncode == 0
    thesis = tmp_path / "thesis.txt"
    thesis.write_text(en_text[:1500] + "\n" + " ".join(ru_text.split()[100:250]), encoding="utf-8")

    checker = subprocess.Popen([sys.executable, "-c", CHECK_LOOP, str(db), str(thesis), "8"], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    for words in (30, 40):  # two rebuilds with new parameters while checks run
        result = _run(["reindex", "--full", "--passage-words", str(words), "--db", str(db)])
        assert result.returncode == 0, result.stderr
    out, err = checker.communicate(timeout=120)
    failures, found = map(int, out.split())
    assert failures == 0, err
    assert found > 0
    with Store(db) as store:
        assert store.params.passage_words == 40 and store.generation == 3

    # A full reindex killed mid-build leaves the previous index in use and intact.
    command, env = _slowed("reindex", 30, marker=tmp_path / "mid-build")
    slow = subprocess.Popen([*command, "reindex", "--full", "--passage-words", "30", "--db", str(db)], cwd=ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_for(tmp_path / "mid-build")  # the first document is written into the new generation
    with Store(db) as store:
        assert len(store.index_generations()) == 2  # the new generation was being built
    slow.send_signal(signal.SIGKILL)
    slow.wait()
    result = _run(["check", str(thesis), "--db", str(db), "--format", "json"])
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["matches"]
    with Store(db) as store:
        assert store.generation == 3 and store.params.passage_words == 40
    # the next full reindex cleans up the half-built generation
    assert _run(["reindex", "--full", "--db", str(db)]).returncode == 0
    with Store(db) as store:
        assert store.index_generations() == [store.generation]


def test_incremental_reindex_replaces_changed_and_adds_new(tmp_path, ru_text, en_text, en_text2):
    folder = _theses(tmp_path / "corpus", ru_text, en_text, en_text2)
    db = tmp_path / "c.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["corpus", "add", str(folder), "--db", str(db)]).exit_code == 0
    (folder / "memo.txt").write_text(en_text2 + "\nA new closing paragraph was added by the author.", encoding="utf-8")
    (folder / "new.txt").write_text(ru_text[:3000], encoding="utf-8")
    (folder / "en-thesis.docx").unlink()
    result = runner.invoke(cli, ["reindex", str(folder), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "1 unchanged, 1 replaced, 1 added, 0 dropped; 4 documents" in result.stdout
    assert "en-thesis.docx (kept" in result.stderr
    result = runner.invoke(cli, ["reindex", "--drop-missing", "--db", str(db)])
    assert result.exit_code == 1 and "refused to drop 1 of 4 documents" in result.output, result.output  # a quarter
    result = runner.invoke(cli, ["reindex", "--drop-missing", "--force", "--db", str(db)])
    assert result.exit_code == 0 and "1 dropped; 3 documents" in result.stdout


def test_worker_processes_share_the_queue_and_keep_long_jobs_leased(tmp_path, ru_text, en_text, en_text2):
    folder = _theses(tmp_path / "batch", ru_text, en_text, en_text2)
    db = tmp_path / "c.db"
    Store(db).close()  # an empty corpus: submit and worker refuse a missing database
    assert _run(["submit", str(folder), "--db", str(db)]).returncode == 0
    # Each job takes longer than its lease: the lease must be renewed, or the other process takes
    # the job in hand again as if its worker had died.
    command, env = _slowed("worker", 1.5)
    result = subprocess.run([*command, "worker", "--once", "--processes", "2", "--lease", "1", "--db", str(db)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    with Store(db) as store:
        statuses = jobs.statuses(store)
        assert [(s.state, s.attempts) for s in statuses] == [("done", 1)] * 3
        assert store.document_count() == 3


def test_second_submission_of_the_same_thesis_is_reported_identical_and_keeps_its_metadata(tmp_path, ru_text):
    """A thesis resubmitted under another name and author is a 100% copy of the first, not a duplicate
    that inherits the first one's figures and record."""
    first, second = tmp_path / "a" / "ivanova.pdf", tmp_path / "b" / "petrov.pdf"
    for path in (first, second):
        path.parent.mkdir()
    make_pdf(first, [wrap(ru_text[:2500]), wrap(ru_text[2500:5000])])
    second.write_bytes(first.read_bytes())
    (tmp_path / "a.csv").write_text("file,author,title\nivanova.pdf,Иванова А.,Первая работа\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("file,author,title\npetrov.pdf,Петров Б.,Вторая работа\n", encoding="utf-8")
    db = tmp_path / "c.db"
    Store(db).close()
    runner = CliRunner()
    for path, meta in ((first, "a.csv"), (second, "b.csv")):
        result = runner.invoke(cli, ["submit", str(path), "--metadata", str(tmp_path / meta), "--db", str(db)])
        assert result.exit_code == 0, result.output
    assert runner.invoke(cli, ["worker", "--once", "--db", str(db)]).exit_code == 0
    with Store(db) as store:
        one, two = jobs.statuses(store)
        assert store.document_count() == 1  # the index holds the text once
    assert one.state == two.state == "done"
    assert one.doc_id is not None and two.doc_id is None and one.similarity == 0.0
    assert two.similarity == 1.0
    report = json.loads(open(two.report_json, encoding="utf-8").read())
    assert report["document"]["author"] == "Петров Б." and report["document"]["title"] == "Вторая работа"
    assert report["sources"][0]["id"] == one.doc_id and report["sources"][0]["author"] == "Иванова А."
    (alert,) = [a for a in report["alerts"] if a["kind"] == "identical_document"]
    assert f"identical to document {one.doc_id} (Иванова А., «Первая работа», added " in alert["message"]


def test_a_job_taken_again_after_adding_its_thesis_is_not_its_own_source(tmp_path, ru_text):
    """A worker killed between adding the thesis and recording the job: the next attempt must not
    report the thesis as identical to itself."""
    (tmp_path / "thesis.txt").write_text(ru_text, encoding="utf-8")
    db = tmp_path / "c.db"
    Store(db).close()
    runner = CliRunner()
    assert runner.invoke(cli, ["submit", str(tmp_path / "thesis.txt"), "--db", str(db)]).exit_code == 0
    with Store(db) as store:
        from plagcheck.extract import extract
        from plagcheck.ingest import add_document

        job = jobs.lease(store, "dead-worker", 60)
        added = add_document(store, extract(tmp_path / "thesis.txt"),
                             on_added=lambda doc_id: jobs.record_document(store, job.id, doc_id))
        with store.transaction():  # the lease runs out: the job is queued again
            store.db.execute("UPDATE jobs SET lease_expires = 0 WHERE id = ?", [job.id])
    assert runner.invoke(cli, ["worker", "--once", "--db", str(db)]).exit_code == 0
    with Store(db) as store:
        (status,) = jobs.statuses(store)
        assert store.document_count() == 1
    assert status.state == "done" and status.doc_id == added.doc_id and status.similarity == 0.0


def test_a_docx_bomb_in_a_zip_fails_its_job_in_seconds(tmp_path):
    """A DOCX bomb stored in a zip compresses 1:1 there, so submit's checks pass it; the worker
    refuses it before unpacking its parts, and goes on with the next job."""
    bomb = make_docx_bomb(tmp_path / "bomb.docx", 160 * 2**20)
    with zipfile.ZipFile(tmp_path / "dept.zip", "w") as archive:
        archive.write(bomb, "theses/bomb.docx")
        archive.writestr("theses/fine.txt", "Обычная диссертация о методике преподавания в школе. " * 40)
    db = tmp_path / "c.db"
    with Store(db) as store:
        submission = jobs.submit(store, [tmp_path / "dept.zip"])
    assert len(submission.ids) == 2 and not submission.rejected
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["worker", "--once", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started < 30
    with Store(db) as store:
        states = {s.name: (s.state, s.error) for s in jobs.statuses(store)}
    assert states["dept.zip/theses/fine.txt"] == ("done", None)
    state, error = states["dept.zip/theses/bomb.docx"]
    assert state == "failed" and "\n" not in error
    assert error.startswith("dept.zip/theses/bomb.docx: DOCX refused: its part word/document.xml is larger than")


THESIS = ("Digital services changed the way schools talk to parents. Teachers publish marks online, parents "
          "answer messages in the evening, and pupils submit homework through a portal. ") * 8


def test_worker_once_prints_a_one_line_summary(tmp_path):
    db = tmp_path / "c.db"
    Store(db).close()
    (tmp_path / "good.txt").write_text(THESIS, encoding="utf-8")
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04broken")
    runner = CliRunner()
    assert runner.invoke(cli, ["submit", str(tmp_path / "good.txt"), str(tmp_path / "broken.docx"),
                               "--db", str(db)]).exit_code == 0
    result = runner.invoke(cli, ["worker", "--once", "--db", str(db)])
    assert (result.exit_code, result.stdout) == (0, "1 done, 1 failed\n"), result.output
    result = runner.invoke(cli, ["worker", "--once", "--db", str(db)])
    assert (result.exit_code, result.stdout) == (0, "0 done, 0 failed\n"), result.output


def test_jobs_watch_says_that_no_worker_is_running_and_goes_on_watching(tmp_path):
    db = tmp_path / "c.db"
    Store(db).close()
    (tmp_path / "a.txt").write_text(THESIS, encoding="utf-8")
    assert _run(["submit", str(tmp_path / "a.txt"), "--db", str(db)]).returncode == 0
    with open(tmp_path / "out", "w") as out, open(tmp_path / "err", "w") as err:
        watch = subprocess.Popen([sys.executable, "-m", "plagcheck", "jobs", "--watch", "--patience", "0.5",
                                  "--db", str(db)], cwd=ROOT, stdout=out, stderr=err)
    try:
        deadline = time.time() + 30
        while time.time() < deadline and "no worker is running" not in (tmp_path / "err").read_text():
            time.sleep(0.1)
        (line,) = [x for x in (tmp_path / "err").read_text().splitlines() if "no worker" in x]
        assert line == (f"no worker is running: 1 job waits; start 'plagcheck worker --db {db}' "
                        "(still watching; Ctrl-C stops)")
        assert watch.poll() is None  # still watching
        assert _run(["worker", "--once", "--db", str(db)]).returncode == 0
        assert watch.wait(timeout=30) == 0  # the job is done: the watch ends with the table
        assert "1 done" in (tmp_path / "out").read_text()
    finally:
        if watch.poll() is None:
            watch.kill()
            watch.wait()


def _queued_jobs(tmp_path, names):
    db = tmp_path / "c.db"
    Store(db).close()
    for name in names:
        (tmp_path / name).write_text(f"{name}: " + THESIS, encoding="utf-8")
    assert CliRunner().invoke(cli, ["submit", *(str(tmp_path / n) for n in names), "--db", str(db)]).exit_code == 0
    return db


def _states(db):
    with Store(db) as store:
        return [(s.state, s.attempts, s.error) for s in jobs.statuses(store)]


def test_worker_refuses_to_start_without_a_writable_reports_folder(tmp_path):
    db = _queued_jobs(tmp_path, ["a.txt"])
    (tmp_path / "file.txt").write_text("a file, not a folder", encoding="utf-8")
    reports = tmp_path / "file.txt" / "reports"  # cannot be created, not even by root
    for processes in ("1", "2"):
        result = _run(["worker", "--once", "--processes", processes, "--reports", str(reports), "--db", str(db)])
        assert result.returncode == 1, result.stderr
        assert result.stdout == ""
        (line,) = result.stderr.splitlines()
        assert line == (f"Error: cannot write reports to {reports}: Not a directory; the worker did not start "
                        "(give a folder it can write to with --reports)")
        assert _states(db) == [("queued", 0, None)]  # the thesis is not to blame


def test_a_report_that_cannot_be_written_mid_run_gives_the_job_back_and_stops_the_worker(tmp_path):
    db = _queued_jobs(tmp_path, ["a.txt", "b.txt"])
    reports = tmp_path / "reports"
    blocker = reports / "000001-a.html.tmp"
    blocker.mkdir(parents=True)  # the report's temporary file cannot be written, not even by root
    result = _run(["worker", "--once", "--reports", str(reports), "--db", str(db)])
    assert result.returncode == 1, result.stderr
    (line,) = result.stderr.splitlines()
    assert line == (f"Error: cannot write {blocker}: Is a directory; job 1 (a.txt) was put back in the queue "
                    "and the worker stopped").replace("a.txt", str(tmp_path / "a.txt"))
    assert _states(db) == [("queued", 0, None), ("queued", 0, None)]  # none failed, none taken after it
    blocker.rmdir()
    result = _run(["worker", "--once", "--reports", str(reports), "--db", str(db)])
    assert (result.returncode, result.stdout) == (0, "2 done, 0 failed\n"), result.stderr


def test_a_recheck_of_the_same_submission_is_not_its_own_source(tmp_path, ru_text):
    """The secretary submits the same thesis again (same file, name and metadata) after it was
    checked and indexed: its earlier entry is the thesis itself, left out with a trace."""
    for folder in ("first", "again"):  # the same file, submitted from another folder the second time
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "thesis.txt").write_text(ru_text, encoding="utf-8")
    db = tmp_path / "c.db"
    Store(db).close()
    runner = CliRunner()
    for folder in ("first", "again"):
        assert runner.invoke(cli, ["submit", str(tmp_path / folder / "thesis.txt"), "--again", "--db", str(db)]).exit_code == 0
        assert runner.invoke(cli, ["worker", "--once", "--db", str(db)]).exit_code == 0
    with Store(db) as store:
        first, second = jobs.statuses(store)
        assert store.document_count() == 1
    assert first.doc_id is not None and second.state == "done" and second.similarity == 0.0
    report = json.loads(open(second.report_json, encoding="utf-8").read())
    assert [d["id"] for d in report["excluded_documents"]] == [first.doc_id]
    assert report["excluded_documents"][0]["share"] == 1.0


def test_report_paths_are_absolute_when_the_database_is_named_relative(tmp_path, monkeypatch, ru_text):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "thesis.txt").write_text(ru_text, encoding="utf-8")
    Store(tmp_path / "c.db").close()
    runner = CliRunner()
    assert runner.invoke(cli, ["submit", "thesis.txt", "--db", "c.db"]).exit_code == 0
    assert runner.invoke(cli, ["worker", "--once", "--db", "c.db", "--no-semantic"]).exit_code == 0
    (job,) = json.loads(runner.invoke(cli, ["jobs", "--db", "c.db", "--format", "json"]).stdout)
    assert job["report_html"] == str(tmp_path / "c-reports" / "000001-thesis.html")


def test_two_databases_in_one_folder_keep_their_own_reports(tmp_path, monkeypatch, ru_text):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "thesis.txt").write_text(ru_text, encoding="utf-8")
    (tmp_path / "other.txt").write_text("An English thesis about something else entirely. " * 40, encoding="utf-8")
    runner = CliRunner()
    reports = {}
    for db, thesis in (("pedagogy.db", "thesis.txt"), ("history.db", "other.txt")):
        Store(tmp_path / db).close()
        assert runner.invoke(cli, ["submit", thesis, "--db", db]).exit_code == 0
        assert runner.invoke(cli, ["worker", "--once", "--db", db, "--no-semantic"]).exit_code == 0
        (job,) = json.loads(runner.invoke(cli, ["jobs", "--db", db, "--format", "json"]).stdout)
        reports[db] = Path(job["report_json"])
    assert reports["pedagogy.db"] != reports["history.db"]
    assert json.loads(reports["pedagogy.db"].read_text(encoding="utf-8"))["document"]["path"].endswith("thesis.txt")
