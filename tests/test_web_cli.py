"""``plagcheck department add``, ``plagcheck user add`` and ``plagcheck web`` as an administrator
meets them: one line for each mistake, and no database made up for a mistyped --db."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("django")

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "plagcheck", *args], cwd=ROOT, input=stdin, capture_output=True,
                          text=True, timeout=120)


def test_accounts_are_bootstrapped_from_the_command_line_and_mistakes_are_one_line(tmp_path):
    from plagcheck.store import Store

    db = tmp_path / "corpus.db"
    missing = run("web", "--db", str(tmp_path / "mistyped.db"), "--port", "0")
    assert missing.returncode == 1 and "no corpus database at" in missing.stderr
    assert not (tmp_path / "mistyped.db").exists()
    Store(db).close()
    added = run("department", "add", "Кафедра\x1b[2J педагогики", "--threshold", "25", "--db", str(db))
    assert added.returncode == 0 and "\\x1b[2J" in added.stdout and "threshold 25" in added.stdout
    unknown = run("user", "add", "aliya", "--department", "No such", "--password-stdin", "--db", str(db),
                  stdin="a-good-long-password-1\n")
    assert unknown.returncode == 1 and "no department named 'No such'" in unknown.stderr
    weak = run("user", "add", "aliya", "--password-stdin", "--db", str(db), stdin="password\n")
    assert weak.returncode == 1 and "password refused" in weak.stderr and "Traceback" not in weak.stderr
    ok = run("user", "add", "aliya", "--role", "supervisor", "--full-name", "Aliya Bek", "--password-stdin",
             "--db", str(db), stdin="a-good-long-password-1\n")
    assert ok.returncode == 0 and "user aliya added (supervisor)" in ok.stdout
    again = run("user", "add", "aliya", "--password-stdin", "--db", str(db), stdin="another-long-password-2\n")
    assert again.returncode == 1 and "exists already" in again.stderr
    # Asked twice on a terminal; a mismatch is asked again, never stored.
    prompted = run("user", "add", "boss", "--role", "admin", "--db", str(db),
                   stdin="first-long-password-1\nsecond-long-password-2\nfirst-long-password-1\nfirst-long-password-1\n")
    assert prompted.returncode == 0, prompted.stderr
    import sqlite3

    with sqlite3.connect(db) as conn:
        rows = dict(conn.execute("SELECT username, password FROM auth_user"))
        role = conn.execute("SELECT role FROM web_profile JOIN auth_user ON auth_user.id = user_id "
                            "WHERE username = 'boss'").fetchone()
    assert set(rows) == {"aliya", "boss"} and all(h.startswith("pbkdf2_sha256$") for h in rows.values())
    assert role == ("admin",)


def test_on_postgresql_accounts_go_to_the_corpus_database_and_web_asks_for_a_data_folder(pg_url):
    """The same commands on a postgresql:// corpus (named by $PLAGCHECK_DB here): Django's tables
    beside the corpus's; ``web`` without --data-dir is one line; a database without a corpus is
    refused, never filled with the cabinet's tables."""
    import os

    import psycopg

    from plagcheck.storage import open_store

    env_run = lambda *args, stdin=None: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "plagcheck", *args], cwd=ROOT, input=stdin, capture_output=True, text=True,
        timeout=120, env={**os.environ, "PLAGCHECK_DB": pg_url})
    empty = env_run("department", "add", "Кафедра")
    assert empty.returncode == 1 and "no plagcheck corpus in" in empty.stderr and "Traceback" not in empty.stderr
    open_store(pg_url).close()
    assert env_run("department", "add", "Кафедра педагогики", "--threshold", "25").returncode == 0
    added = env_run("user", "add", "aliya", "--department", "Кафедра педагогики", "--password-stdin",
                    stdin="a-good-long-password-1\n")
    assert added.returncode == 0, added.stderr
    assert "user aliya added (secretary; Кафедра педагогики)" in added.stdout
    with psycopg.connect(pg_url) as conn:
        hashed = conn.execute("SELECT password FROM auth_user WHERE username = 'aliya'").fetchone()[0]
        member = conn.execute("SELECT d.name, d.threshold_percent FROM web_department d JOIN web_profile_departments m "
                              "ON m.department_id = d.id JOIN web_profile p ON p.id = m.profile_id").fetchone()
    assert hashed.startswith("pbkdf2_sha256$") and member == ("Кафедра педагогики", 25)
    served = env_run("web", "--port", "0")
    assert served.returncode == 1 and "give one with --data-dir" in served.stderr
    assert len(served.stderr.strip().splitlines()) == 1
