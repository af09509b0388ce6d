"""The job queue: submitted theses wait in the corpus database until a worker checks them.

A submission copies the file's bytes into the database in one transaction, so nothing is lost if
the original is moved or a worker dies. Workers *lease* a job; a lease that expires (its worker
was killed) makes the job available again, and a job whose workers died too often fails with
that reason instead of blocking the queue. Completion is idempotent.
"""

from __future__ import annotations

import hashlib
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from plagcheck import defaults
from plagcheck.extract import unsupported_reason
from plagcheck.extract.archive import member_problem, read_member
from plagcheck.ingest import SIDECAR_SUFFIXES, iter_files, mark_refused, metadata_for
from plagcheck.errors import WorkerEnvironmentError
from plagcheck.storage import Store, is_postgres, sqlite_path
from plagcheck.storage.records import DONE, FAILED, QUEUED, RUNNING, Job, JobStatus  # noqa: F401  (re-exported)


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


def ensure_schema(store: Store) -> None:
    """Make sure the queue's table exists (the web cabinet reads it through Django)."""
    store.ensure_jobs_schema()


def enqueue(store: Store, name: str, data: bytes, metadata: dict | None = None, no_index: bool = False) -> int:
    """Queue one file's bytes; returns the job id."""
    return store.enqueue_job(name, data, metadata or {}, no_index)


def waiting_with_bytes(store: Store, data: bytes) -> list[tuple[int, str, dict]]:
    """The (id, name, metadata) of each queued or running job with exactly these bytes."""
    return store.waiting_jobs_with_hash(hashlib.sha256(data).hexdigest())


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
    """Take the oldest queued job, or one whose lease expired; None when there is nothing to do.
    Jobs whose workers died too often fail instead of killing the next worker too."""
    return store.lease_job(owner, seconds)


def renew(store: Store, job_id: int, owner: str, seconds: float = defaults.JOB_LEASE_SECONDS) -> bool:
    """Extend the lease of a job in hand (its worker is alive); False if the job is no longer ours."""
    return store.renew_lease(job_id, owner, seconds)


def complete(store: Store, job_id: int, owner: str, *, report_html: str | None, report_json: str | None,
             doc_id: int | None, similarity: float) -> bool:
    """Record success. Only the lease holder can complete, and only once."""
    return store.complete_job(job_id, owner, report_html=report_html, report_json=report_json, doc_id=doc_id,
                              similarity=similarity)


def fail(store: Store, job_id: int, owner: str, reason: str) -> bool:
    """Record a failure with its one-line reason (the queue goes on)."""
    return store.fail_job(job_id, owner, reason)


def earlier_entry(store: Store, job: Job) -> tuple[int, int] | None:
    """``(doc_id, job_id)`` of the corpus entry that an earlier job of the same thesis added —
    the same bytes under the same file name (from any folder) and metadata, i.e. a recheck — if
    it is still in the corpus.
    That entry is the thesis itself, not a source: an identical thesis by another student comes
    with another name or other metadata, and is checked against it."""
    return next(((doc_id, job_id) for doc_id, job_id, name, metadata in store.earlier_jobs_of(job.id)
                 if _same_thesis(job.name, job.metadata, name, metadata)), None)


def record_document(store: Store, job_id: int, doc_id: int) -> None:
    """Record that ``job_id`` added corpus document ``doc_id``; call inside the transaction that
    added it, so that an attempt taken again after a crash knows the document is the thesis
    itself and not an identical earlier thesis."""
    store.record_job_document(job_id, doc_id)


def release(store: Store, job_id: int, owner: str) -> None:
    """Give a job back untouched (a worker asked to stop before it started on it)."""
    store.release_job(job_id, owner)


def statuses(store: Store) -> list[JobStatus]:
    return store.job_statuses()


def live_leases(store: Store) -> int:
    """Running jobs whose lease has not run out: a worker is alive and on them."""
    return store.live_leases()


def pending(store: Store) -> int:
    """Jobs not yet finished (queued or running)."""
    return store.pending_jobs()


def submitted_documents(store: Store) -> set[int]:
    """Corpus documents recorded by a finished job: the submitted bytes are their source, so the
    nightly reindex does not look for their files (a zip member never had one)."""
    return store.submitted_documents()


def default_reports_dir(database) -> Path:
    """``<name>-reports/`` beside a SQLite database ``<name>.db``, absolute: a job records where its
    reports are, not where they are relative to the folder its worker was started from; and two
    databases in one folder never write the same report file (job 1 of each was
    ``reports/000001-thesis.html``, the second overwriting the first's). A PostgreSQL database has
    no folder of its own: its workers must be told where the reports go."""
    if is_postgres(database):
        raise WorkerEnvironmentError("a PostgreSQL corpus has no folder for reports: give one with --reports "
                                     "(a folder every machine's workers and readers share)")
    path = sqlite_path(database).resolve()
    return path.parent / f"{path.stem}-reports"
