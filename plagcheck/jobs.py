"""The job queue: submitted theses wait in the corpus database until a worker checks them.

A submission copies the file's bytes into the database in one transaction, so nothing is lost if
the original is moved or a worker dies. Workers *lease* a job; a lease that expires (its worker
was killed) makes the job available again, and a job whose workers died too often fails with
that reason instead of blocking the queue. Completion is idempotent.
"""

from __future__ import annotations

import hashlib
import json
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from plagcheck import defaults
from plagcheck.extract import unsupported_reason
from plagcheck.extract.archive import member_problem, read_member
from plagcheck.ingest import SIDECAR_SUFFIXES, iter_files, mark_refused, metadata_for
from plagcheck.store import Store

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


@dataclass(frozen=True)
class Job:
    id: int
    name: str
    metadata: dict
    no_index: bool
    attempts: int
    data: bytes
    doc_id: int | None = None  # the corpus document an earlier attempt of this job added, if any


@dataclass(frozen=True)
class JobStatus:
    id: int
    name: str
    state: str
    attempts: int
    error: str | None
    report_html: str | None
    report_json: str | None
    doc_id: int | None
    similarity: float | None
    created_at: str
    finished_at: str | None
    metadata: dict = field(default_factory=dict)  # the metadata CSV's row: title, author, department, ...

    @property
    def report_pdf(self) -> str | None:
        """The certificate the worker writes beside the HTML report (same name, ``.pdf``)."""
        return str(Path(self.report_html).with_suffix(".pdf")) if self.report_html else None

    def to_dict(self) -> dict:
        return {**self.__dict__, "report_pdf": self.report_pdf}


@dataclass(frozen=True)
class Submission:
    """What :func:`submit` did: the jobs queued, the inputs refused with their reasons, the files
    not queued because the same thesis already waits (``already_queued``), and the files queued
    although a waiting job has the same bytes under another name or metadata (``same_bytes``: an
    identical copy by another student, checked as a submission of its own); the last two with
    the earlier job's id and name."""

    ids: list[int] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    already_queued: list[tuple[str, int, str]] = field(default_factory=list)
    same_bytes: list[tuple[str, int, str]] = field(default_factory=list)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def ensure_schema(store: Store) -> None:
    store.db.execute("""CREATE TABLE IF NOT EXISTS jobs (
        id INTEGER PRIMARY KEY, name TEXT NOT NULL, data BLOB NOT NULL, metadata TEXT NOT NULL,
        no_index INTEGER NOT NULL DEFAULT 0, state TEXT NOT NULL DEFAULT 'queued',
        attempts INTEGER NOT NULL DEFAULT 0, lease_owner TEXT, lease_expires REAL, error TEXT,
        report_html TEXT, report_json TEXT, doc_id INTEGER, similarity REAL,
        created_at TEXT NOT NULL, finished_at TEXT)""")
    store.db.execute("CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state, lease_expires)")
    # The SHA-256 of the submitted bytes: a thesis submitted again while its first submission still
    # waits is named, not queued twice. Queues made before the column get it, filled for the jobs
    # still waiting (the only ones it is compared with).
    if "sha256" not in {row[1] for row in store.db.execute("PRAGMA table_info(jobs)")}:
        with store.transaction():
            if "sha256" not in {row[1] for row in store.db.execute("PRAGMA table_info(jobs)")}:
                store.db.execute("ALTER TABLE jobs ADD COLUMN sha256 TEXT")
                waiting = store.db.execute("SELECT id, data FROM jobs WHERE state IN (?, ?)", [QUEUED, RUNNING])
                store.db.conn.executemany("UPDATE jobs SET sha256 = ? WHERE id = ?",
                                          [(hashlib.sha256(data).hexdigest(), job_id) for job_id, data in waiting])
    store.db.execute("CREATE INDEX IF NOT EXISTS jobs_sha256 ON jobs(sha256, state)")


def enqueue(store: Store, name: str, data: bytes, metadata: dict | None = None, no_index: bool = False) -> int:
    """Queue one file's bytes; returns the job id."""
    ensure_schema(store)
    with store.transaction():
        cur = store.db.execute(
            "INSERT INTO jobs (name, data, metadata, no_index, created_at, sha256) VALUES (?,?,?,?,?,?)",
            [name, data, json.dumps(metadata or {}, ensure_ascii=False), int(no_index), _now(),
             hashlib.sha256(data).hexdigest()])
    return cur.lastrowid


def waiting_with_bytes(store: Store, data: bytes) -> list[tuple[int, str, dict]]:
    """The (id, name, metadata) of each queued or running job with exactly these bytes."""
    ensure_schema(store)
    rows = store.db.execute("SELECT id, name, metadata FROM jobs WHERE sha256 = ? AND state IN (?, ?) ORDER BY id",
                            [hashlib.sha256(data).hexdigest(), QUEUED, RUNNING])
    return [(job_id, name, json.loads(metadata)) for job_id, name, metadata in rows]


def _file_name(name: str) -> str:
    return PurePosixPath(name.replace("\\", "/")).name


def _same_thesis(name: str, metadata: dict, other_name: str, other_metadata: dict) -> bool:
    """Two submissions of the same bytes are the same thesis when they also have the same file
    name (from whatever folder) and metadata; otherwise they are two students' submissions."""
    return _file_name(name) == _file_name(other_name) and metadata == other_metadata


def safe_zip_members(archive: zipfile.ZipFile, zip_name: str) -> tuple[list[zipfile.ZipInfo], list[tuple[str, str]]]:
    """The members of a zip that may be extracted, and the rejected ones with the reason.

    Rejected: absolute paths and ``..`` (path traversal), symbolic links, password-protected
    members, unsupported types, members over the size limit or compressed suspiciously well, and
    everything past the total uncompressed limit (zip bombs).
    """
    accepted, rejected = [], []
    total = 0
    for info in archive.infolist():
        if info.is_dir():
            continue
        name = f"{zip_name}/{info.filename}"  # as the job of an accepted member is named
        path = PurePosixPath(info.filename.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or (len(info.filename) > 1 and info.filename[1] == ":"):
            rejected.append((name, "unsafe path in zip (absolute or '..'): not extracted"))
        elif (info.external_attr >> 16) & 0o170000 == 0o120000:
            rejected.append((name, "symbolic link in zip: not extracted"))
        elif info.flag_bits & 0x1:
            rejected.append((name, "password-protected file in zip: not extracted"))
        elif (reason := unsupported_reason(path)) is not None:
            rejected.append((name, reason))
        elif problem := member_problem(info, total, max_member_bytes=defaults.ZIP_MAX_MEMBER_BYTES,
                                       max_total_bytes=defaults.ZIP_MAX_TOTAL_BYTES, max_ratio=defaults.ZIP_MAX_RATIO):
            rejected.append((name, f"file in zip {problem}: not extracted"))
        else:
            total += info.file_size
            accepted.append(info)
    return accepted, rejected


def submit(store: Store, paths, metadata: dict[str, dict] | None = None, no_index: bool = False,
           again: bool = False, root: Path | None = None) -> Submission:
    """Queue files, folders (recursively) and zip archives. Files of a type the worker cannot read
    (``.doc``) are refused at once with the reason; bad *content* is not judged here: the worker
    reports it.

    ``root``: files under it are named (job, report, metadata lookup) by their path relative to
    it — the web cabinet's staging folder of an upload, whose absolute path means nothing to the
    secretary who uploaded ``2025/aliyev.pdf``.

    The same thesis submitted again while its job still waits — the same bytes (SHA-256), file
    name and metadata — is not queued twice unless ``again``. The same bytes under another name
    or metadata are another student's submission: queued (every submission keeps its own record;
    the worker reports it as an identical copy) and returned in ``same_bytes``."""
    done = Submission()

    def queue(name: str, data: bytes, meta: dict) -> None:
        waiting = [] if again else waiting_with_bytes(store, data)
        repeat = next(((job_id, earlier) for job_id, earlier, earlier_meta in waiting
                       if _same_thesis(name, meta, earlier, earlier_meta)), None)
        if repeat is not None:
            done.already_queued.append((name, *repeat))
            return
        done.ids.append(enqueue(store, name, data, meta, no_index))
        if waiting:
            done.same_bytes.append((name, waiting[0][0], waiting[0][1]))

    def named(path: Path) -> Path:
        if root is not None and path.is_relative_to(root):
            return path.relative_to(root)
        return path

    for path in iter_files(paths):
        suffix = path.suffix.lower()
        try:
            if suffix == ".zip":
                # A zip's members are named after it: its name, or its path under ``root``.
                zip_name = named(path).as_posix() if root is not None else path.name
                with zipfile.ZipFile(path) as archive:
                    accepted, refused = safe_zip_members(archive, zip_name)
                    done.rejected.extend(refused)
                    for name, _ in refused:
                        mark_refused(PurePosixPath(name), metadata or {})
                    for info in accepted:
                        try:
                            data = read_member(archive, info)
                        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError, zlib.error) as error:
                            # One damaged member (bad CRC, lying header, unknown compression) is
                            # named; the archive's other members are still queued.
                            done.rejected.append((f"{zip_name}/{info.filename}", f"cannot unpack from zip ({error})"))
                            continue
                        name = f"{zip_name}/{info.filename}"
                        queue(name, data, metadata_for(PurePosixPath(name), metadata or {}))
            elif suffix in SIDECAR_SUFFIXES:
                continue
            elif not path.exists():
                done.rejected.append((str(named(path)), "no such file or folder"))
            elif (reason := unsupported_reason(path)) is not None:
                done.rejected.append((str(named(path)), reason))
                mark_refused(named(path), metadata or {})
            else:
                queue(str(named(path)), path.read_bytes(), metadata_for(named(path), metadata or {}))
        except FileNotFoundError:
            done.rejected.append((str(named(path)), "file not found (moved or deleted before it was submitted)"))
        except zipfile.BadZipFile:
            done.rejected.append((str(named(path)), "corrupt zip archive"))
        except OSError as error:
            done.rejected.append((str(named(path)), f"cannot read the file ({error.strerror})"))
    return done


def lease(store: Store, owner: str, seconds: float = defaults.JOB_LEASE_SECONDS) -> Job | None:
    """Take the oldest queued job, or one whose lease expired; None when there is nothing to do."""
    ensure_schema(store)
    now = time.time()
    with store.transaction():
        # Jobs whose workers died too often fail instead of killing the next worker too.
        store.db.execute(
            "UPDATE jobs SET state = ?, error = ?, finished_at = ?, lease_owner = NULL "
            "WHERE state = ? AND lease_expires < ? AND attempts >= ?",
            [FAILED, f"worker died {defaults.JOB_MAX_ATTEMPTS} times on this file", _now(), RUNNING, now,
             defaults.JOB_MAX_ATTEMPTS])
        row = store.db.execute(
            "UPDATE jobs SET state = ?, lease_owner = ?, lease_expires = ?, attempts = attempts + 1 "
            "WHERE id = (SELECT id FROM jobs WHERE state = ? OR (state = ? AND lease_expires < ?) ORDER BY id LIMIT 1) "
            "RETURNING id, name, metadata, no_index, attempts, data, doc_id",
            [RUNNING, owner, now + seconds, QUEUED, RUNNING, now]).fetchone()
    if row is None:
        return None
    return Job(row[0], row[1], json.loads(row[2]), bool(row[3]), row[4], row[5], row[6])


def renew(store: Store, job_id: int, owner: str, seconds: float = defaults.JOB_LEASE_SECONDS) -> bool:
    """Extend the lease of a job in hand (its worker is alive); False if the job is no longer ours."""
    with store.transaction():
        cur = store.db.execute("UPDATE jobs SET lease_expires = ? WHERE id = ? AND lease_owner = ? AND state = ?",
                               [time.time() + seconds, job_id, owner, RUNNING])
    return cur.rowcount == 1


def complete(store: Store, job_id: int, owner: str, *, report_html: str | None, report_json: str | None,
             doc_id: int | None, similarity: float) -> bool:
    """Record success. Only the lease holder can complete, and only once."""
    with store.transaction():
        cur = store.db.execute(
            "UPDATE jobs SET state = ?, report_html = ?, report_json = ?, doc_id = ?, similarity = ?, error = NULL, "
            "finished_at = ?, lease_owner = NULL WHERE id = ? AND lease_owner = ? AND state = ?",
            [DONE, report_html, report_json, doc_id, similarity, _now(), job_id, owner, RUNNING])
    return cur.rowcount == 1


def fail(store: Store, job_id: int, owner: str, reason: str) -> bool:
    """Record a failure with its one-line reason (the queue goes on)."""
    with store.transaction():
        cur = store.db.execute(
            "UPDATE jobs SET state = ?, error = ?, finished_at = ?, lease_owner = NULL "
            "WHERE id = ? AND lease_owner = ? AND state = ?", [FAILED, reason, _now(), job_id, owner, RUNNING])
    return cur.rowcount == 1


def earlier_entry(store: Store, job: Job) -> tuple[int, int] | None:
    """``(doc_id, job_id)`` of the corpus entry that an earlier job of the same thesis added —
    the same bytes under the same file name (from any folder) and metadata, i.e. a recheck — if
    it is still in the corpus.
    That entry is the thesis itself, not a source: an identical thesis by another student comes
    with another name or other metadata, and is checked against it."""
    rows = store.db.execute(  # the job's own hash, stored when it was queued
        "SELECT doc_id, id, name, metadata FROM jobs WHERE sha256 = (SELECT sha256 FROM jobs WHERE id = ?) "
        "AND id < ? AND doc_id IN (SELECT id FROM documents) ORDER BY id DESC", [job.id, job.id])
    return next(((doc_id, job_id) for doc_id, job_id, name, metadata in rows
                 if _same_thesis(job.name, job.metadata, name, json.loads(metadata))), None)


def record_document(store: Store, job_id: int, doc_id: int) -> None:
    """Record that ``job_id`` added corpus document ``doc_id``; call inside the transaction that
    added it, so that an attempt taken again after a crash knows the document is the thesis
    itself and not an identical earlier thesis."""
    store.db.execute("UPDATE jobs SET doc_id = ? WHERE id = ?", [doc_id, job_id])


def release(store: Store, job_id: int, owner: str) -> None:
    """Give a job back untouched (a worker asked to stop before it started on it)."""
    with store.transaction():
        store.db.execute("UPDATE jobs SET state = ?, lease_owner = NULL, lease_expires = NULL, "
                         "attempts = MAX(0, attempts - 1) WHERE id = ? AND lease_owner = ? AND state = ?",
                         [QUEUED, job_id, owner, RUNNING])


def statuses(store: Store) -> list[JobStatus]:
    ensure_schema(store)
    rows = store.db.execute("SELECT id, name, state, attempts, error, report_html, report_json, doc_id, similarity, "
                            "created_at, finished_at, metadata FROM jobs ORDER BY id").fetchall()
    return [JobStatus(*row[:-1], metadata=json.loads(row[-1] or "{}")) for row in rows]


def live_leases(store: Store) -> int:
    """Running jobs whose lease has not run out: a worker is alive and on them."""
    ensure_schema(store)
    return store.db.execute("SELECT COUNT(*) FROM jobs WHERE state = ? AND lease_expires >= ?",
                            [RUNNING, time.time()]).fetchone()[0]


def pending(store: Store) -> int:
    """Jobs not yet finished (queued or running)."""
    ensure_schema(store)
    return store.db.execute("SELECT COUNT(*) FROM jobs WHERE state IN (?, ?)", [QUEUED, RUNNING]).fetchone()[0]


def submitted_documents(store: Store) -> set[int]:
    """Corpus documents recorded by a finished job: the submitted bytes are their source, so the
    nightly reindex does not look for their files (a zip member never had one)."""
    ensure_schema(store)
    return {row[0] for row in store.db.execute("SELECT DISTINCT doc_id FROM jobs WHERE doc_id IS NOT NULL")}


def default_reports_dir(db_path: Path) -> Path:
    """``reports/`` beside the database, absolute: a job records where its reports are, not where
    they are relative to the folder its worker was started from."""
    return Path(db_path).resolve().parent / "reports"
