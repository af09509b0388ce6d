"""An upload, from the browser to the queue, in two steps: the files are *staged* (kept in a
folder of their own, nothing queued) and *previewed* — which files will be queued with which
metadata row, which files have no row, which rows name no uploaded file, which files are refused
and why — and only the uploader's confirmation *queues* them, through
:func:`plagcheck.jobs.submit` (the same zip safety, type checks and repeat detection as
``plagcheck submit``).
"""

from __future__ import annotations

import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from plagcheck import jobs
from plagcheck.errors import PlagcheckError
from plagcheck.extract import unsupported_reason
from plagcheck.report.text import SUPERVISOR_KEYS
from plagcheck.ingest import SIDECAR_SUFFIXES, MetadataTable, iter_files, mark_refused, metadata_for, read_metadata

FILES, CSV = "files", "csv"


@dataclass
class Preview:
    """What confirming an upload would queue, and everything the uploader should hear first."""

    queued: list[tuple[str, dict]] = field(default_factory=list)   # (file name, metadata)
    unlisted: list[str] = field(default_factory=list)              # files without a CSV row
    unused_rows: list[tuple[int | str, str]] = field(default_factory=list)  # (CSV line, file named)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (file name, one-line reason)
    warnings: list[str] = field(default_factory=list)              # from reading the CSV
    error: str | None = None                                       # the CSV cannot be read: nothing can be queued
    csv_name: str | None = None


def safe_relative_path(name: str) -> PurePosixPath | None:
    """A browser-given file name or folder path as a relative path inside the staging folder, or
    None if it tries to leave it (``..``, an absolute or drive path) or names nothing."""
    parts = [part for part in name.replace("\\", "/").split("/") if part not in ("", ".")]
    if not parts or any(part == ".." or ":" in part or "\x00" in part for part in parts):
        return None
    if name.replace("\\", "/").startswith("/"):
        return None
    return PurePosixPath(*parts)


def stage(batch_dir: Path, files, csv_file=None, *, max_file_bytes: int) -> list[tuple[str, str]]:
    """Save uploaded files (``(relative path, Django UploadedFile)`` pairs) and the metadata CSV in
    ``batch_dir``; returns the files refused here (unsafe name, over the size limit)."""
    refused = []
    root = batch_dir / FILES
    root.mkdir(parents=True, exist_ok=True)
    for name, upload in files:
        rel = safe_relative_path(name)
        if rel is None:
            refused.append((name, "unsafe file name (absolute, or with '..'): not uploaded"))
            continue
        if upload.size > max_file_bytes:
            refused.append((str(rel), f"file over {max_file_bytes // 2**20} MiB: not uploaded"))
            continue
        target = root / rel
        if target.exists():
            refused.append((str(rel), "uploaded twice in this batch: the first copy is kept"))
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
    if csv_file is not None:
        rel = safe_relative_path(csv_file.name) or PurePosixPath("metadata.csv")
        (batch_dir / CSV).mkdir(exist_ok=True)
        with open(batch_dir / CSV / rel.name, "wb") as out:
            for chunk in csv_file.chunks():
                out.write(chunk)
    return refused


def _csv_path(batch_dir: Path) -> Path | None:
    found = sorted((batch_dir / CSV).glob("*")) if (batch_dir / CSV).is_dir() else []
    return found[0] if found else None


def _table(batch_dir: Path, form_metadata: dict, department: str | None) -> tuple[dict, Path | None]:
    """The metadata of the batch: its CSV (read as ``plagcheck submit`` reads one), else the
    single-thesis form's row for every file. Raises PlagcheckError for an unreadable CSV."""
    csv_path = _csv_path(batch_dir)
    if csv_path is not None:
        table = read_metadata(csv_path)
        if department:
            # The batch is filed under the department it was uploaded into: a row naming another
            # one is filed there too (its report says so as well), and the review page says it.
            for key, row in table.items():
                named = str(row.get("department") or "").strip()
                if named and named != department:
                    table.warnings.append(f"{csv_path} line {table.lines.get(key, '?')}: department {named!r} "
                                          f"is not the upload's; the thesis is filed under {department!r}")
                row["department"] = department
        return table, csv_path
    return {"*": {k: v for k, v in {**form_metadata, "department": department}.items() if v not in (None, "")}}, None


def _names(batch_dir: Path, table: dict, preview: Preview) -> list[str]:
    """The name of every thesis the batch holds (zip members as ``archive.zip/member``); refused
    files go to ``preview.rejected`` with the reason ``submit`` would give."""
    root = batch_dir / FILES
    names = []
    for path in iter_files([root]):
        rel = path.relative_to(root)
        suffix = path.suffix.lower()
        if suffix == ".zip":
            try:
                with zipfile.ZipFile(path) as archive:
                    accepted, refused = jobs.safe_zip_members(archive, rel.as_posix())
            except zipfile.BadZipFile:
                preview.rejected.append((rel.as_posix(), "corrupt zip archive"))
                continue
            preview.rejected.extend(refused)
            for name, _ in refused:
                mark_refused(PurePosixPath(name), table)
            names.extend(f"{rel.as_posix()}/{info.filename}" for info in accepted)
        elif suffix in SIDECAR_SUFFIXES:
            continue
        elif (reason := unsupported_reason(path)) is not None:
            preview.rejected.append((rel.as_posix(), reason))
            mark_refused(rel, table)
        else:
            names.append(rel.as_posix())
    return names


def preview(batch_dir: Path, form_metadata: dict, department: str | None) -> Preview:
    """What :func:`queue` would do with the staged batch."""
    result = Preview()
    try:
        table, csv_path = _table(batch_dir, form_metadata, department)
    except PlagcheckError as error:
        csv_path = _csv_path(batch_dir)
        result.error = str(error).replace(str(csv_path), csv_path.name) if csv_path else str(error)
        return result
    names = _names(batch_dir, table, result)
    if csv_path is None:
        result.queued = [(name, dict(table["*"])) for name in names]
        if len(names) > 1:  # a title and an author name one thesis, not a batch
            for _, meta in result.queued:
                meta.pop("title", None), meta.pop("author", None)
        return result
    result.csv_name = csv_path.name
    result.warnings = [w.replace(str(csv_path), csv_path.name) for w in table.warnings]
    result.queued = [(name, metadata_for(PurePosixPath(name), table)) for name in names]
    result.unlisted = list(table.unlisted)
    result.unused_rows = [(table.lines.get(key, "?"), key) for key in table.unused()]
    return result


def queue(store, batch_dir: Path, form_metadata: dict, department: str | None, *, no_index: bool) -> jobs.Submission:
    """Queue the staged batch with :func:`plagcheck.jobs.submit`: each file under its name in the
    upload, with its metadata row (a file without a row gets the batch's department)."""
    table, csv_path = _table(batch_dir, form_metadata, department)
    names = _names(batch_dir, MetadataTable(""), Preview())
    if csv_path is None:
        single = len(names) == 1
        row = {k: v for k, v in table["*"].items() if single or k not in ("title", "author")}
        table = {name: dict(row) for name in names}
    else:
        for name in names:
            if table.find(PurePosixPath(name)) is None:
                table[name] = {"department": department} if department else {}
    return jobs.submit(store, [batch_dir / FILES], table, no_index=no_index, root=batch_dir / FILES)


def supervisor_name(metadata: dict) -> str:
    return next((str(metadata[k]) for k in SUPERVISOR_KEYS if metadata.get(k)), "")


def discard(batch_dir: Path) -> None:
    shutil.rmtree(batch_dir, ignore_errors=True)
