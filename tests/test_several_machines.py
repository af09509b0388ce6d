"""Several machines on one PostgreSQL corpus: worker processes, each with its own connections,
share one queue while some are killed (SIGKILL) mid-job; every job is done exactly once and the
corpus holds each thesis once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from plagcheck import jobs
from plagcheck.store import Store

ROOT = Path(__file__).resolve().parent.parent
TEXTS = ROOT / "corpus" / "texts"
THESES, WORKERS, KILLS = 200, 4, 6

pytestmark = pytest.mark.slow


def _theses(folder: Path, count: int) -> list[Path]:
    """``count`` distinct short theses: words of the bundled texts drawn with a seed per thesis."""
    words = [w for path in sorted(TEXTS.glob("*/*.txt")) for w in path.read_text(encoding="utf-8").split()]
    folder.mkdir()
    paths = []
    for i in range(count):
        draw = random.Random(i)
        start = draw.randrange(len(words) - 200)
        body = words[start:start + 120] + draw.sample(words, 40)  # a real passage, and words of its own
        path = folder / f"thesis-{i:03d}.txt"
        path.write_text(f"Thesis {i}\n\n" + " ".join(body), encoding="utf-8")
        paths.append(path)
    return paths


def _start_worker(url: str, reports: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "plagcheck", "worker", "--db", url, "--reports", str(reports),
                             "--lease", "6", "--no-semantic", "--no-ocr"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_workers_killed_at_random_on_one_postgresql_queue_do_every_job_exactly_once(pg_url, tmp_path):
    _theses(tmp_path / "batch", THESES)
    reports = tmp_path / "reports"
    Store(pg_url).close()
    submitted = subprocess.run([sys.executable, "-m", "plagcheck", "submit", str(tmp_path / "batch"), "--db", pg_url],
                               cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert submitted.returncode == 0, submitted.stderr
    workers = [_start_worker(pg_url, reports) for _ in range(WORKERS)]
    chance, killed, deadline = random.Random(14), [], time.time() + 600
    try:
        with Store(pg_url) as store:
            while jobs.pending(store) and time.time() < deadline:
                time.sleep(chance.uniform(0.5, 2.0))
                if len(killed) == KILLS:
                    continue
                # A worker with a job in hand (its lease names its pid) is killed: no goodbye, no cleanup.
                owners = [row[0] for row in store._q("SELECT lease_owner FROM jobs WHERE state = 'running' "
                                                     "AND lease_owner IS NOT NULL")]
                pids = {int(owner.rsplit(":", 1)[1]) for owner in owners} & {w.pid for w in workers}
                if not pids:
                    continue
                chosen = chance.choice(sorted(pids))
                victim = next(w for w in workers if w.pid == chosen)
                victim.send_signal(signal.SIGKILL)
                victim.wait()
                killed.append(victim.pid)
                workers[workers.index(victim)] = _start_worker(pg_url, reports)  # the machine comes back
            assert not jobs.pending(store), "the queue did not drain in time"
            statuses = jobs.statuses(store)
            documents = store.documents()
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=60)
    assert len(killed) == KILLS
    # (a lease of 6 s: on a loaded machine a 2 s lease ran out under a live worker three times)
    assert len(statuses) == THESES and {s.state for s in statuses} == {jobs.DONE}, \
        [(s.name, s.attempts, s.error) for s in statuses if s.state != jobs.DONE]
    assert sum(s.attempts > 1 for s in statuses) >= 1  # jobs in hand of a killed worker were taken again
    # Exactly once: every job added its own thesis, no thesis is in the corpus twice.
    assert len(documents) == THESES
    assert sorted(s.doc_id for s in statuses) == sorted(d.id for d in documents)
    assert len({d.content_hash for d in documents}) == THESES
    assert all(os.path.exists(s.report_html) and os.path.exists(s.report_json) for s in statuses)
    assert len(list(reports.glob("*.json"))) == THESES  # one report per job, none written twice under two names


def _check_json(db) -> dict:
    from click.testing import CliRunner

    from plagcheck.cli import cli

    result = CliRunner().invoke(cli, ["check", str(THESIS), "--db", str(db), "--format", "json", "--no-semantic"])
    assert result.exit_code == 0, result.output
    import json

    return json.loads(result.stdout)


SAMPLES = ROOT / "corpus" / "samples"
THESIS = ROOT / "corpus" / "theses" / "sample-thesis.pdf"


def test_a_check_on_postgresql_gives_the_sqlite_figures_and_is_served(pg_url, tmp_path):
    """The same corpus and thesis on both backends: the same matches, sources and figures. The
    check service runs on the PostgreSQL corpus with its socket where it is told."""
    from click.testing import CliRunner

    from plagcheck.cli import cli
    from tests.test_service import Service

    for db in (tmp_path / "corpus.db", pg_url):
        added = CliRunner().invoke(cli, ["corpus", "add", str(SAMPLES), "--metadata", str(SAMPLES / "metadata.csv"),
                                         "--db", str(db), "-j", "1", "--no-ocr"])
        assert added.exit_code == 0, added.output
    on_sqlite, on_postgres = _check_json(tmp_path / "corpus.db"), _check_json(pg_url)
    assert on_postgres["matches"] and on_postgres["similarity"] > 0.1
    for key in ("similarity", "matches", "sources"):
        assert on_postgres[key] == on_sqlite[key], key

    served = Service(pg_url, tmp_path / "pg.sock").wait_until_listening()
    try:
        result = CliRunner().invoke(cli, ["check", str(THESIS), "--server", str(served.socket), "--format", "json",
                                          "--no-semantic"])
        assert result.exit_code == 0, result.output
        import json

        assert json.loads(result.stdout)["matches"] == on_postgres["matches"]
    finally:
        served.stop()


def test_what_has_no_folder_on_postgresql_must_be_given_one(pg_url):
    from click.testing import CliRunner

    from plagcheck.cli import cli

    Store(pg_url).close()
    worker = CliRunner().invoke(cli, ["worker", "--once", "--db", pg_url])
    assert worker.exit_code != 0 and "give one with --reports" in worker.output
    serve = CliRunner().invoke(cli, ["serve", "--db", pg_url])
    assert serve.exit_code == 2 and "give one with --socket" in serve.output
    web = CliRunner().invoke(cli, ["web", "--db", pg_url])  # like the worker: one line, exit code 1
    assert web.exit_code == 1 and "give one with --data-dir" in web.output
    from tests.conftest import _with_dbname

    missing = CliRunner().invoke(cli, ["check", str(THESIS), "--db", _with_dbname(pg_url, "no_such_db")])
    assert missing.exit_code == 1 and "cannot connect to the PostgreSQL database" in missing.output
