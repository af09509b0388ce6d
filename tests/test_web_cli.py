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
