"""The nightly reindex: the lock, atomic replacement, submitted theses, documents added mid-rebuild.

The end-to-end runs (``reindex --full`` while another process checks, a killed rebuild, the
incremental summary) are in ``test_worker.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path
from dataclasses import replace

import pytest
from click.testing import CliRunner

from plagcheck.check import check_document
from plagcheck.cli import cli
from plagcheck.errors import StoreError
from plagcheck.extract import extract
from plagcheck.ingest import add_file
from plagcheck.store import Store
from plagcheck.storage import sqlite as sqlite_backend  # the SQLite lock row: a pid check
from workers import reindex
from workers.reindex import reindex_full, reindex_incremental


SQLITE_ONLY = pytest.mark.parametrize("database", ["sqlite"], indirect=True)
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def db_path(database):
    """The tests on a ``store`` or ``db_path`` run on both backends; the CLI's on SQLite."""
    return database


def test_a_reindex_on_another_machine_exits_with_the_message_while_one_runs(db_path, tmp_path, ru_text):
    """Two reindexes at once, each in its own process with its own connection: the second says
    who holds the lock and exits 1; once the first is done, the next runs."""
    with Store(db_path) as store:
        add_file(store, _copy(tmp_path, ru_text, "ru"))
        with store.reindex_lock():
            second = subprocess.run([sys.executable, "-m", "plagcheck", "reindex", "--full", "--db", str(db_path)],
                                    cwd=ROOT, capture_output=True, text=True, timeout=120)
            assert second.returncode == 1
            assert "another reindex (" in second.stderr and "wait for it to finish" in second.stderr
            assert store.generation == 1 and store.index_generations() == [1]  # nothing was built
        after = subprocess.run([sys.executable, "-m", "plagcheck", "reindex", "--full", "--db", str(db_path)],
                               cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert after.returncode == 0, after.stderr
        store.refresh()
        assert store.generation == 2 and store.index_generations() == [2]


@SQLITE_ONLY  # the lock row naming a process; PostgreSQL's advisory lock ends with its session
def test_a_second_reindex_refuses_while_the_first_is_alive(store, tmp_path):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        with store.transaction():
            store.set_meta(sqlite_backend.LOCK_KEY, sqlite_backend._process_tag(sleeper.pid))
        with pytest.raises(StoreError, match=f"another reindex \\(process {sleeper.pid}\\) is running"):
            reindex_incremental(store)
        with pytest.raises(StoreError):
            reindex_full(store)
    finally:
        sleeper.kill()
        sleeper.wait()
    reindex_full(store)  # the holder died: its lock is taken over
    assert store.meta(sqlite_backend.LOCK_KEY) is None  # and released afterwards


@SQLITE_ONLY
def test_a_lock_left_by_a_reused_pid_is_taken_over(store):
    with store.transaction():  # our own pid, but another start time: the holder was another process
        store.set_meta(sqlite_backend.LOCK_KEY, f"{os.getppid()}:1")
    assert reindex_incremental(store).documents == 0


def test_a_changed_file_is_replaced_in_one_transaction(store, tmp_path, en_text, en_text2, monkeypatch):
    path = tmp_path / "thesis.txt"
    path.write_text(en_text, encoding="utf-8")
    old = add_file(store, path, {"author": "A. Author"}).doc_id
    old_hash = store.document(old).content_hash
    path.write_text(en_text2, encoding="utf-8")

    def crash(*args, **kwargs):
        raise OSError("disk full")

    with monkeypatch.context() as patch:  # a failure while writing the new version ...
        patch.setattr(store, "insert_index_rows", crash)
        with pytest.raises(OSError):
            reindex_incremental(store)
    # ... leaves the old version whole, still found by a check
    assert [d.id for d in store.documents()] == [old]
    assert check_document(store, extract(_plagiarism(tmp_path, en_text, "a"))).sources

    summary = reindex_incremental(store)
    assert (summary.replaced, summary.documents) == (1, 1)
    (new,) = store.documents()
    assert new.content_hash != old_hash and new.author == "A. Author"  # metadata carried over
    assert not check_document(store, extract(_plagiarism(tmp_path, en_text, "a"))).sources
    assert check_document(store, extract(_plagiarism(tmp_path, en_text2, "b"))).sources


def _copy(folder, text, name="copy"):
    path = folder / f"{name}.txt"
    path.write_text(text, encoding="utf-8")
    return path


def _plagiarism(folder, text, name):
    """A thesis that copies a long stretch of ``text`` (a whole copy would be the document itself)."""
    return _copy(folder, "My own introduction to the topic, written for this thesis.\n" + text[300:2500], name)


def test_submitted_theses_are_kept_although_their_files_are_gone(tmp_path, ru_text, en_text):
    db = tmp_path / "c.db"
    with zipfile.ZipFile(tmp_path / "dept.zip", "w") as archive:
        archive.writestr("theses/ru.txt", ru_text)
    (tmp_path / "en.txt").write_text(en_text, encoding="utf-8")
    Store(db).close()  # an empty corpus: submit and worker refuse a missing database
    runner = CliRunner()
    assert runner.invoke(cli, ["submit", str(tmp_path / "dept.zip"), str(tmp_path / "en.txt"),
                               "--db", str(db)]).exit_code == 0
    assert runner.invoke(cli, ["worker", "--once", "--db", str(db)]).exit_code == 0
    (tmp_path / "en.txt").unlink()
    result = runner.invoke(cli, ["reindex", "--drop-missing", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "2 unchanged, 0 replaced, 0 added, 0 dropped; 2 documents" in result.stdout
    assert "missing" not in result.stderr


def test_documents_added_during_a_full_rebuild_are_in_the_new_index(db_path, tmp_path, ru_text, en_text, en_text2):
    db = db_path
    with Store(db) as store:
        for name, text in (("ru", ru_text), ("en", en_text)):
            add_file(store, _copy(tmp_path, text, name))
    late = _copy(tmp_path, en_text2, "late")

    def add_meanwhile(done, total):  # another process adds a thesis while the rebuild runs
        with Store(db) as other:
            add_file(other, late)

    with Store(db) as store:
        params = replace(store.params, passage_words=40)
        summary = reindex_full(store, params, progress=add_meanwhile)
        assert (summary.documents, store.generation, store.params) == (3, 2, params)
        assert store.index_generations() == [2]
        result = check_document(store, extract(_plagiarism(tmp_path, en_text2, "check")))
        assert [s.path for s in result.sources] == [str(late)]


def test_only_files_whose_stamp_changed_are_read_again(store, tmp_path, en_text, en_text2, ru_text, monkeypatch):
    """Extraction is the costly part of a nightly reindex: a file keeping its size and modification
    time is not read again (as rsync and make judge it); --verify reads every file."""
    from plagcheck.ingest import add_files, file_stamp

    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text(en_text, encoding="utf-8")
    (folder / "b.txt").write_text(ru_text, encoding="utf-8")
    assert [o.status for o in add_files(store, sorted(folder.iterdir()), processes=1)] == ["added", "added"]
    loose = tmp_path / "loose.txt"  # added one by one: no stamp yet, so the first reindex reads it
    loose.write_text(en_text2, encoding="utf-8")
    add_file(store, loose)
    read = []

    def counting_extract(path):
        read.append(Path(path).name)
        return extract(path)

    monkeypatch.setattr(reindex, "extract", counting_extract)
    assert reindex_incremental(store).unchanged == 3 and read == ["loose.txt"]
    read.clear()
    assert reindex_incremental(store).unchanged == 3 and read == []  # its stamp is now recorded

    # b.txt rewritten to the same size and given its old modification time: its change time
    # (which cannot be set back) still tells
    b = folder / "b.txt"
    before = b.stat()
    b.write_text(ru_text.replace("а", "о", 5), encoding="utf-8")
    os.utime(b, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (b.stat().st_size, b.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    summary = reindex_incremental(store)
    assert (summary.unchanged, summary.replaced, read) == (2, 1, ["b.txt"])
    read.clear()
    # A change no stamp shows (as after an extractor upgrade): only --verify reads every file
    (folder / "a.txt").write_text(en_text.replace("the", "a", 3), encoding="utf-8")
    a_id = next(d.id for d in store.documents() if d.path.endswith("a.txt"))
    with store.transaction():
        store.set_file_stamp(a_id, file_stamp(folder / "a.txt"))
    summary = reindex_incremental(store)
    assert (summary.unchanged, summary.replaced, read) == (3, 0, [])
    summary = reindex_incremental(store, verify=True)
    assert (summary.unchanged, summary.replaced) == (2, 1) and sorted(read) == ["a.txt", "b.txt", "loose.txt"]
    read.clear()
    # an ordinary edit changes the stamp: read again and replaced
    (folder / "a.txt").write_text(en_text + "\n\nA new closing paragraph for the revised thesis.", encoding="utf-8")
    summary = reindex_incremental(store)
    assert (summary.replaced, read) == (1, ["a.txt"])
    read.clear()
    assert reindex_incremental(store).unchanged == 3 and read == []  # the replacement kept its stamp


def _corpus_folder(tmp_path, *texts) -> Path:
    folder = tmp_path / "theses"
    folder.mkdir()
    for k, text in enumerate(texts):
        (folder / f"t{k}.txt").write_text(text, encoding="utf-8")
    return folder


def test_nightly_reindex_from_root_finds_files_added_with_relative_paths(tmp_path, monkeypatch, ru_text, en_text):
    """The README's cron line runs in '/': paths typed relative at 'corpus add' must still be found."""
    _corpus_folder(tmp_path, ru_text, en_text)
    db = tmp_path / "c.db"
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(cli, ["corpus", "add", "theses", "--db", "c.db"]).exit_code == 0
    with Store(db) as store:
        assert all(Path(d.path).is_absolute() and Path(d.path).exists() for d in store.documents())
    monkeypatch.chdir("/")
    result = runner.invoke(cli, ["reindex", "--drop-missing", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "2 unchanged" in result.stdout and "0 dropped; 2 documents" in result.stdout


def test_relative_paths_of_an_older_database_are_made_absolute_on_open(tmp_path, monkeypatch, ru_text, en_text):
    folder = _corpus_folder(tmp_path, ru_text, en_text)
    db = tmp_path / "old.db"
    with Store(db) as store:
        for path in sorted(folder.iterdir()):
            add_file(store, path)
        with store.transaction():  # as plagcheck 0.2 stored them: as typed, from tmp_path
            store.db.execute("UPDATE documents SET path = 'theses/' || substr(path, length(path) - 5)")
            store.db.execute("DELETE FROM meta WHERE key = 'paths_absolute'")
    monkeypatch.chdir("/")  # cron: neither the folder it was added from nor beside the files
    runner = CliRunner()
    result = runner.invoke(cli, ["reindex", "--drop-missing", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "0 dropped; 2 documents" in result.stdout  # the database's folder resolves them
    with Store(db) as store:
        assert sorted(d.path for d in store.documents()) == [str(folder / "t0.txt"), str(folder / "t1.txt")]


def test_unresolvable_relative_paths_are_kept_not_dropped(tmp_path, monkeypatch, ru_text):
    folder = _corpus_folder(tmp_path, ru_text)
    db = tmp_path / "db" / "old.db"
    with Store(db) as store:
        add_file(store, folder / "t0.txt")
        with store.transaction():
            store.db.execute("UPDATE documents SET path = 'theses/t0.txt'")
            store.db.execute("DELETE FROM meta WHERE key = 'paths_absolute'")
    monkeypatch.chdir("/")
    result = CliRunner().invoke(cli, ["reindex", "--drop-missing", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "kept: theses/t0.txt: a relative path stored by an older plagcheck" in result.stderr
    monkeypatch.chdir(tmp_path)  # run once from the folder it was added from: migrated
    with Store(db) as store:
        assert [d.path for d in store.documents()] == [str(folder / "t0.txt")]


def test_drop_missing_refuses_to_drop_more_than_a_fifth_without_force(tmp_path, ru_text, en_text, en_text2):
    folder = _corpus_folder(tmp_path, ru_text, en_text, en_text2)
    db = tmp_path / "c.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["corpus", "add", str(folder), "--db", str(db)]).exit_code == 0
    folder.rename(tmp_path / "unmounted")  # the share is not mounted tonight
    result = runner.invoke(cli, ["reindex", "--drop-missing", "--db", str(db)])
    assert result.exit_code == 1
    assert "refused to drop 3 of 3 documents" in result.output and "--force" in result.output
    assert result.stderr.count("(would be dropped)") == 3
    with Store(db) as store:
        assert store.document_count() == 3
    (tmp_path / "unmounted").rename(folder)
    (folder / "t2.txt").unlink()  # one file of three really deleted: a third, still refused
    assert runner.invoke(cli, ["reindex", "--drop-missing", "--db", str(db)]).exit_code == 1
    result = runner.invoke(cli, ["reindex", "--drop-missing", "--force", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "1 dropped; 2 documents" in result.stdout and "(dropped)" in result.stderr


def test_drop_missing_drops_up_to_a_fifth_without_force(tmp_path, ru_text, en_text):
    words = (ru_text + " " + en_text).split()
    parts = [" ".join(words[k * 100:(k + 1) * 100]) for k in range(5)]
    folder = _corpus_folder(tmp_path, *parts)
    db = tmp_path / "c.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["corpus", "add", str(folder), "--db", str(db)]).exit_code == 0
    (folder / "t4.txt").unlink()
    result = runner.invoke(cli, ["reindex", "--drop-missing", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "1 dropped; 4 documents" in result.stdout
