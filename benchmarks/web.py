"""Response times of the web cabinet with many jobs in the database.

    python -m benchmarks.web                    # 10,000 jobs, 30 requests a page
    python -m benchmarks.web --jobs 300 --requests 5 --json    # the tests' tiny run
    python -m benchmarks.web --postgres postgresql://USER@/postgres?host=SOCKET_DIR   # on PostgreSQL

A corpus database gets ``--jobs`` jobs queued through :func:`plagcheck.jobs.enqueue` and finished
through the queue's own lease/complete/fail (97% done, 2% failed, 1% waiting), spread over five
departments, five years and twenty supervisors, each linked for the cabinet as an upload links it.
One thesis (about 5,000 words, with copied passages) is checked for real by the worker; every done
job points at its report, so that each report page reads and renders a real report.

The real ``plagcheck web`` server (waitress) is started on a free port and asked over HTTP by a
logged-in secretary of one department (a fifth of the jobs) and by the administrator (all of
them): the median and 90th percentile of each page's response time, the whole response read.
Target (issue #13): the jobs page and a report page under 200 ms at 10,000 jobs.
"""

from __future__ import annotations

import argparse
import contextlib
import http.cookiejar
import json
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "benchmark-password-42"
DEPARTMENTS = 5


def _thesis_text() -> str:
    """About 5,000 words: every bundled text, with two corpus passages copied in."""
    texts = sorted((ROOT / "corpus" / "texts").glob("*/*.txt"))
    own = [path.read_text(encoding="utf-8").strip() for path in texts[2:]]
    copied = [" ".join(path.read_text(encoding="utf-8").split()[20:180]) for path in texts[:2]]
    return "\n\n".join(own[:6] + copied[:1] + own[6:12] + copied[1:] + own[12:]) + "\n"


def build(folder: Path, jobs_count: int, db: Path | str | None = None) -> dict:
    """The database (``db``, a PostgreSQL URL, else a SQLite file in ``folder``): corpus, one real
    report, ``jobs_count`` jobs with their links, the accounts."""
    from plagcheck import jobs
    from plagcheck.ingest import add_file
    from plagcheck.store import Store
    from workers.worker import run_worker

    db = db or folder / "bench.db"
    texts = sorted((ROOT / "corpus" / "texts").glob("*/*.txt"))
    with Store(db) as store:
        for path in texts[:2]:
            add_file(store, path, {"title": path.stem})
        jobs.enqueue(store, "thesis.txt", _thesis_text().encode(), {"title": "Benchmark thesis"}, no_index=True)
    run_worker(db, once=True, install_signals=False, semantic=False, reports_dir=folder / "reports")
    with Store(db) as store:
        real = jobs.statuses(store)[0]
        assert real.state == jobs.DONE, real.error
        started = time.perf_counter()
        for k in range(jobs_count - 1):
            jobs.enqueue(store, f"dept-{k % DEPARTMENTS}/thesis-{k:05d}.txt", f"thesis {k}".encode(),
                         {"title": f"Thesis number {k}", "author": f"Student {k}", "year": 2021 + (k // DEPARTMENTS) % 5})
        owner = "benchmark"
        for k in range(int(0.99 * (jobs_count - 1))):  # the last 1% stay queued
            job = jobs.lease(store, owner)
            if k % 50 == 7:
                jobs.fail(store, job.id, owner, f"{job.name}: empty document: no words found")
            else:
                jobs.complete(store, job.id, owner, report_html=real.report_html, report_json=real.report_json,
                              doc_id=None, similarity=(k % 37) / 100)
        seconds = time.perf_counter() - started
    return {"db": db, "queue_seconds": round(seconds, 1)}


def link_and_accounts(db: Path | str) -> None:
    """Cabinet side: departments, accounts and a link per job (as an upload makes them)."""
    from plagcheck.web.conf import CabinetOptions, configure, migrate

    configure(CabinetOptions(database=db))
    migrate()
    from plagcheck.web.accounts import add_department, add_user
    from plagcheck.web.models import JobLink, QueueJob

    departments = [add_department(f"Department {d}")[0] for d in range(DEPARTMENTS)]
    add_user("secretary", PASSWORD, role="secretary", departments=[departments[0].name])
    add_user("admin", PASSWORD, role="admin")
    links = []
    for job in QueueJob.objects.only("id", "name", "metadata").iterator(chunk_size=2000):
        metadata = json.loads(job.metadata)
        d = int(re.match(r"dept-(\d)", job.name).group(1)) if job.name.startswith("dept-") else 0
        links.append(JobLink(job_id=job.id, department=departments[d], author=metadata.get("author", ""),
                             title=metadata.get("title", ""), year=metadata.get("year"),
                             supervisor_name=f"Supervisor {job.id % 20}"))
    JobLink.objects.bulk_create(links, batch_size=2000)


class Session:
    """A logged-in browser, as far as the server can tell: cookies, the CSRF token, a login."""

    def __init__(self, base: str, username: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        page = self.get("/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token})
        request = urllib.request.Request(base + "/login/", data=body.encode(), headers={"Referer": base + "/login/"})
        with self.opener.open(request) as response:
            assert "/jobs/" in response.url, f"login as {username} failed"

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path) as response:
            return response.read().decode("utf-8")

    def timed(self, path: str, requests: int) -> dict:
        size = len(self.get(path).encode("utf-8"))  # warm: templates compiled, pages cached by SQLite
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            self.get(path)
            times.append(1000 * (time.perf_counter() - started))
        times.sort()
        return {"bytes": size, "median_ms": round(statistics.median(times), 1),
                "p90_ms": round(times[min(len(times) - 1, int(0.9 * len(times)))], 1)}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def measure(db: Path | str, requests: int, folder: Path) -> dict:
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "plagcheck", "web", "--db", str(db), "--port", str(port),
                               "--data-dir", str(folder / "web-data")],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = server.stdout.readline()
        if "web cabinet on" not in line:
            raise RuntimeError("plagcheck web did not start: " + line + server.stdout.read())
        base = f"http://127.0.0.1:{port}"
        results = {}
        for username in ("secretary", "admin"):
            session = Session(base, username)
            jobs_page = session.get("/jobs/")
            ids = re.findall(r'<tr data-id="(\d+)"', jobs_page)
            middle = session.get(f"/jobs/?before={ids[0]}&status=done")
            token = re.findall(r'href="/j/([^/"]+)/"', middle)[-1]  # a done job's report, well down the list
            deep = int(ids[0]) // 2
            pages = {
                "jobs page (first)": "/jobs/",
                "jobs page (deep, keyset)": f"/jobs/?before={deep}",
                "jobs page (done, one year)": "/jobs/?status=done&year=2024",
                "jobs status poll (50 ids)": "/jobs/status.json?ids=" + ",".join(ids),
                "report page": f"/j/{token}/",
                "report frame (HTML report)": f"/j/{token}/report.html",
            }
            results[username] = {name: session.timed(path, requests) for name, path in pages.items()}
        return results
    finally:
        server.terminate()
        server.wait(timeout=30)


@contextlib.contextmanager
def _database(server: str | None):
    """A fresh database on the PostgreSQL ``server``, dropped afterwards (None: SQLite, in the
    benchmark's folder)."""
    if server is None:
        yield None
        return
    from plagcheck.storage.postgresql import drop_database, fresh_database

    url = fresh_database(server, "plagcheck_bench_web")
    try:
        yield url
    finally:
        drop_database(server, "plagcheck_bench_web")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    parser.add_argument("--postgres", metavar="URL", help="A PostgreSQL server on which the benchmark may create "
                        "(and afterwards drops) a database of its own; without it, a SQLite file.")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="plagcheck-web-bench-") as tmp, _database(args.postgres) as db:
        built = build(Path(tmp), args.jobs, db)
        link_and_accounts(built["db"])
        results = measure(built["db"], args.requests, Path(tmp))
    figures = {"jobs": args.jobs, "requests": args.requests, "queue_seconds": built["queue_seconds"],
               "backend": "postgresql" if args.postgres else "sqlite", "pages": results}
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    from benchmarks import text_table

    rows = [[name, who, f"{t['bytes'] // 1024} KiB", f"{t['median_ms']:.1f}", f"{t['p90_ms']:.1f}"]
            for who, pages in results.items() for name, t in pages.items()]
    print(f"{args.jobs} jobs on {figures['backend']} ({built['queue_seconds']} s to queue and finish them), "
          f"{args.requests} requests a page")
    print("\n".join(text_table(["page", "user", "size", "median ms", "p90 ms"], rows)))


if __name__ == "__main__":
    main()
