"""The batch worker: lease a job, extract → check → report → add to the corpus, record the outcome.

Thin on purpose: every step is a library function the CLI also uses. Running a job twice is
harmless (the corpus deduplicates by content hash and completion is idempotent), so a job taken
again after its worker was killed cannot produce a second corpus entry.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import signal
import socket
import sys
import threading
import time
from pathlib import Path, PurePosixPath

from plagcheck import jobs
from plagcheck.errors import ExtractionError, PlagcheckError, WorkerEnvironmentError
from plagcheck.extract import ExtractionLimits, extract_bytes
from plagcheck.ingest import add_document
from plagcheck.report import build_report, render_html, render_json, render_pdf
from plagcheck.storage import Store, open_store

log = logging.getLogger(__name__)
POLL_SECONDS = 2.0


class _StopFlag:
    """Set by SIGTERM/SIGINT: finish the job in hand, take no new one."""

    def __init__(self):
        self.stop = False

    def install(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._handle)

    def _handle(self, signum, frame):
        log.info("signal %d: stopping after the current job", signum)
        self.stop = True


class _LeaseKeeper:
    """Renews the lease of the job in hand while it runs, from a thread with its own connection.

    A job may take longer than its lease (a long PDF, a slow disk); without renewal another worker
    would take it as if this one had died, and count an attempt. A killed worker stops renewing,
    so its job is taken again once the lease runs out.
    """

    def __init__(self, db_path: Path | str, job_id: int, owner: str, seconds: float):
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(db_path, job_id, owner, seconds),
                                        name=f"lease-{job_id}", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stopped.set()
        self._thread.join()
        return False

    def _run(self, db_path: Path | str, job_id: int, owner: str, seconds: float) -> None:
        store = None
        try:
            while not self._stopped.wait(seconds / 3):
                store = store or open_store(db_path)
                if not jobs.renew(store, job_id, owner, seconds) and not self._stopped.is_set():
                    log.warning("job %d: lease lost to another worker", job_id)
                    return
        except Exception:  # the job goes on; at worst its lease expires and it is done twice, harmlessly
            log.exception("job %d: lease renewal failed", job_id)
        finally:
            if store is not None:
                store.close()


def _report_stem(job: jobs.Job) -> str:
    name = PurePosixPath(job.name.replace("\\", "/")).stem
    return f"{job.id:06d}-" + (re.sub(r"[^\w.-]+", "_", name)[:80] or "thesis")


def process(store: Store, job: jobs.Job, owner: str, reports_dir: Path, semantic: bool = True,
            ocr: bool = True) -> str:
    """Run one leased job to its outcome (``done`` or ``failed``); returns the state."""
    try:  # reports and the corpus name the file as it was submitted, not a temporary copy
        document = extract_bytes(job.data, job.name, limits=ExtractionLimits(), ocr=ocr)  # in a child, bounded
    except ExtractionError as error:
        jobs.fail(store, job.id, owner, str(error))
        return jobs.FAILED
    try:
        # The job's own corpus entry (added by an earlier attempt) is the thesis itself; any other
        # document with the same text is a source, reported as identical.
        own = {job.doc_id} if job.doc_id is not None else set()
        if not own and (earlier := jobs.earlier_entry(store, job)) is not None:
            own = {earlier[0]}  # a recheck: the entry added by the earlier job of this same thesis
            log.info("job %d: rechecking job %d's thesis, corpus document %d left out as its own entry",
                     job.id, earlier[1], earlier[0])
        report = build_report(store, document, metadata=job.metadata, exclude_ids=own, semantic=semantic)
        reports_dir.mkdir(parents=True, exist_ok=True)
        stem = _report_stem(job)
        html_path, json_path = reports_dir / f"{stem}.html", reports_dir / f"{stem}.json"
        _write_atomic(html_path, render_html(report))
        _write_atomic(json_path, render_json(report))
        _write_atomic(reports_dir / f"{stem}.pdf", render_pdf(report))  # the printable certificate
        doc_id = job.doc_id
        if not job.no_index and doc_id is None:
            # Recorded with the document, in its transaction: a crash after this line leaves a job
            # that knows its own entry. Text already in the corpus (an identical thesis) is not
            # indexed twice; this job keeps its own metadata and record, and no doc_id.
            outcome = add_document(store, document, job.metadata,
                                   on_added=lambda added: jobs.record_document(store, job.id, added))
            doc_id = outcome.doc_id if outcome.status == "added" else None
    except PlagcheckError as error:
        jobs.fail(store, job.id, owner, f"{job.name}: {error}")
        return jobs.FAILED
    jobs.complete(store, job.id, owner, report_html=str(html_path), report_json=str(json_path),
                  doc_id=doc_id, similarity=report.similarity)
    log.info("job %d done: %s, %.1f%% similar", job.id, job.name, 100 * report.similarity)
    return jobs.DONE


def _write_atomic(path: Path, text: str | bytes) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    try:
        tmp.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):  # no half-written file left behind (a full disk)
            tmp.unlink()
        raise


def reports_folder(db_path: Path | str, reports_dir: Path | None) -> Path:
    """Where the reports go (``--reports``, else beside the database), absolute: a job records
    where its reports are, whatever folder 'jobs' is run from."""
    return Path(reports_dir or jobs.default_reports_dir(db_path)).resolve()


def check_reports_dir(reports_dir: Path) -> None:
    """Create the reports folder and write and remove a file in it, before any job is taken.

    Raises :class:`WorkerEnvironmentError` naming the folder and the system's reason: a folder the
    worker cannot write to is to be fixed, not a reason to fail every thesis in the queue.
    """
    probe = reports_dir / f".plagcheck-write-test-{os.getpid()}"
    try:
        reports_dir.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise WorkerEnvironmentError(f"cannot write reports to {reports_dir}: {error.strerror or error}; the worker "
                                     "did not start (give a folder it can write to with --reports)") from None


def run_worker(db_path: Path | str, *, once: bool = False, reports_dir: Path | None = None,
               lease_seconds: float | None = None, install_signals: bool = True,
               semantic: bool = True, ocr: bool = True) -> dict[str, int]:
    """Process jobs until the queue is empty (``once``) or until SIGTERM. Returns counts by outcome.

    Raises :class:`WorkerEnvironmentError` if the reports cannot be written, at start or on a job
    (which is then given back to the queue untouched: the fault is not the thesis')."""
    flag = _StopFlag()
    if install_signals:
        flag.install()
    owner = f"{socket.gethostname()}:{os.getpid()}"
    reports_dir = reports_folder(db_path, reports_dir)
    seconds = lease_seconds or jobs.defaults.JOB_LEASE_SECONDS
    check_reports_dir(reports_dir)
    counts = {jobs.DONE: 0, jobs.FAILED: 0}
    with open_store(db_path) as store:
        while not flag.stop:
            job = jobs.lease(store, owner, seconds)
            if job is None:
                if once:
                    break
                time.sleep(POLL_SECONDS)
                continue
            try:
                with _LeaseKeeper(db_path, job.id, owner, seconds):
                    state = process(store, job, owner, reports_dir, semantic, ocr)
            except OSError as error:  # a file the worker writes (a report), not the thesis: give it back, stop
                jobs.release(store, job.id, owner)
                raise WorkerEnvironmentError(
                    f"cannot write {error.filename or reports_dir}: {error.strerror or error}; job {job.id} "
                    f"({job.name}) was put back in the queue and the worker stopped") from None
            except Exception as error:  # a bug must not take the queue down: record it and go on
                log.exception("job %d crashed", job.id)
                jobs.fail(store, job.id, owner, f"{job.name}: internal error ({type(error).__name__}: {error})")
                state = jobs.FAILED
            counts[state] += 1
    return counts


def _worker_main(args) -> None:
    db_path, once, reports_dir, lease_seconds, semantic, ocr, results = args
    try:
        results.put(run_worker(db_path, once=once, reports_dir=reports_dir, lease_seconds=lease_seconds,
                               semantic=semantic, ocr=ocr))
    except WorkerEnvironmentError as error:  # the parent says it, once, in one line
        results.put({"error": str(error)})
        sys.exit(1)


def run_workers(db_path: Path | str, processes: int, *, once: bool = False, reports_dir: Path | None = None,
                lease_seconds: float | None = None, semantic: bool = True, ocr: bool = True) -> dict[str, int]:
    """Run ``processes`` workers sharing the queue; SIGTERM is passed on to each. Returns the
    jobs done and failed, all processes together.

    Raises :class:`PlagcheckError` if a worker process died (killed, crashed),
    :class:`StoreError` if there is no database at ``db_path`` (a mistyped --db must not start an
    empty corpus that every check then reports 0% against), and :class:`WorkerEnvironmentError`
    if the reports folder cannot be written, before any process starts or once one met it.
    """
    with open_store(db_path, create=False):
        pass
    if processes <= 1:
        return run_worker(db_path, once=once, reports_dir=reports_dir, lease_seconds=lease_seconds,
                          semantic=semantic, ocr=ocr)
    # Before any process starts: each would otherwise say the same thing.
    check_reports_dir(reports_folder(db_path, reports_dir))
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    results = context.SimpleQueue()  # each process's counts, for the summary
    children = [context.Process(target=_worker_main, args=((db_path, once, reports_dir, lease_seconds, semantic, ocr,
                                                                     results),))
                for _ in range(processes)]
    for child in children:
        child.start()

    def forward(signum, frame):
        for child in children:
            if child.is_alive():
                os.kill(child.pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    for child in children:
        child.join()
    counts, faults = {jobs.DONE: 0, jobs.FAILED: 0}, []
    while not results.empty():
        result = results.get()
        if "error" in result:
            faults.append(result["error"])
            continue
        for state, n in result.items():
            counts[state] += n
    if faults:  # the processes met the same fault, most likely: one line for all
        raise WorkerEnvironmentError(faults[0] + (f" ({len(faults)} processes stopped)" if len(faults) > 1 else ""))
    died = [child.exitcode for child in children if child.exitcode != 0]
    if died:  # their jobs are not lost: the leases expire and the jobs are taken again
        raise PlagcheckError(f"{len(died)} of {processes} worker processes ended abnormally "
                             f"(exit codes {', '.join(map(str, died))}); their jobs are retried when the leases expire")
    return counts
