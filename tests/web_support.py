"""The web cabinet under test: one corpus database and one Django configuration per test process
(Django's settings are process-wide), with helpers to make accounts, upload through the cabinet's
own views and run the real worker."""

from __future__ import annotations

import csv
import io
import itertools
from dataclasses import dataclass
from pathlib import Path

from tests.builders import TEXTS, bundled_text

ROOT = Path(__file__).resolve().parent.parent
# Corpus sources: two English texts. A thesis copies a paragraph of the first.
SOURCES = [TEXTS / "en" / "01-reflective-practice.txt", TEXTS / "en" / "02-critical-thinking-history.txt"]
OWN = bundled_text("en", "05-gifted-learners", "06-academic-writing-integrity")
COPIED = " ".join(SOURCES[0].read_text(encoding="utf-8").split()[30:190])  # 160 words of it
OTHER = bundled_text("ru", "05-word-problems")  # a thesis of its own: no source in the corpus
PASSWORD = "correct-horse-battery-9"
_names = itertools.count(1)


@dataclass(frozen=True)
class Cabinet:
    db_path: Path
    folder: Path


_CABINET: list[Cabinet] = []


def cabinet(tmp_path_factory) -> Cabinet:
    """The process's cabinet: a corpus of :data:`SOURCES`, Django configured over it, migrated."""
    if _CABINET:
        return _CABINET[0]
    from plagcheck.ingest import add_file
    from plagcheck.store import Store
    from plagcheck.web.conf import CabinetOptions, configure, migrate

    folder = tmp_path_factory.mktemp("cabinet")
    db_path = folder / "cabinet.db"
    with Store(db_path) as store:
        for source in SOURCES:
            add_file(store, source, {"title": source.stem, "author": "corpus"})
    configure(CabinetOptions(db_path=db_path, institution="Test Pedagogical University",
                             max_file_bytes=2 * 2**20, max_batch_bytes=6 * 2**20,
                             allowed_hosts=("testserver", "127.0.0.1", "localhost")))
    migrate()
    _CABINET.append(Cabinet(db_path, folder))
    return _CABINET[0]


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_names)}"


def department(name: str | None = None, threshold: float = 30):
    from plagcheck.web.accounts import add_department

    return add_department(name or unique("Department"), threshold)[0]


def user(role: str = "secretary", departments=(), *, full_name: str = "", username: str | None = None):
    from plagcheck.web.accounts import add_user

    return add_user(username or unique(role), PASSWORD, role=role, departments=[d.name for d in departments],
                    full_name=full_name)


def client_of(account, *, csrf: bool = False):
    from django.test import Client

    client = Client(enforce_csrf_checks=csrf)
    client.force_login(account)
    return client


def thesis_text(marker: str = "") -> str:
    """A thesis: own prose with one copied paragraph of the first corpus source."""
    paragraphs = OWN.split("\n\n")
    return "\n\n".join([paragraphs[0], COPIED, *paragraphs[1:], marker]).strip() + "\n"


def metadata_csv(rows: list[dict], *, delimiter: str = ";", encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def upload(client, files: dict[str, bytes], *, department=None, csv_bytes: bytes | None = None,
           add_to_corpus: bool = True, fields: dict | None = None):
    """Post an upload as the page does (files with their relative paths); returns the response."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"files": [SimpleUploadedFile(Path(name).name, content) for name, content in files.items()],
            "paths": list(files), **(fields or {})}
    if department is not None:
        data["department"] = str(department.pk)
    if add_to_corpus:
        data["add_to_corpus"] = "on"
    if csv_bytes is not None:
        data["metadata"] = SimpleUploadedFile("metadata.csv", csv_bytes)
    return client.post("/upload/", data)


def upload_and_queue(client, files: dict[str, bytes], **kwargs) -> list:
    """Upload, confirm, and return the new jobs' links (newest last)."""
    from plagcheck.web.models import JobLink

    before = JobLink.objects.order_by("-job_id").values_list("job_id", flat=True).first() or 0
    response = upload(client, files, **kwargs)
    assert response.status_code == 302, response.content.decode()[:2000]
    preview = response["Location"]
    confirmed = client.post(preview + "confirm")
    assert confirmed.status_code == 302 and confirmed["Location"] == "/jobs/"
    return list(JobLink.objects.filter(job_id__gt=before).order_by("job_id"))


def run_worker(cab: Cabinet) -> dict:
    """The real worker, in this process, until the queue is empty (no semantic layer: fast)."""
    from workers.worker import run_worker as run

    return run(cab.db_path, once=True, install_signals=False, semantic=False)
