"""The web cabinet under test: a corpus database per backend (SQLite, PostgreSQL) and one Django
configuration per test process (Django's settings are process-wide) switched between them, with
helpers to make accounts, upload through the cabinet's own views and run the real worker."""

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
class Place:
    """Where a test cabinet lives: its corpus database (a SQLite file's path or a postgresql://
    URL) and a folder of its own (data folder and reports on PostgreSQL)."""

    database: Path | str
    folder: Path


@dataclass(frozen=True)
class Cabinet:
    database: Path | str
    folder: Path
    options: object  # plagcheck.web.conf.CabinetOptions, as configured
    reports: Path | None  # the worker's --reports (None: its default beside a SQLite database)

    @property
    def on_postgres(self) -> bool:
        return self.options.on_postgres


_CABINETS: dict[str, Cabinet] = {}
_ACTIVE: list[Cabinet] = []


def cabinet(place: Place) -> Cabinet:
    """The cabinet over ``place``: on first use a corpus of :data:`SOURCES` and Django's tables;
    then (and on every later call) Django's database is switched to it. Django's settings are
    process-wide, so the tests of both backends share one configuration whose database and
    :class:`~plagcheck.web.conf.CabinetOptions` are swapped here, between tests."""
    from plagcheck.ingest import add_file
    from plagcheck.storage import open_store
    from plagcheck.web.conf import CabinetOptions, migrate

    key = str(place.database)
    if key in _CABINETS:
        _activate(_CABINETS[key])
        return _CABINETS[key]
    with open_store(place.database) as store:
        for source in SOURCES:
            add_file(store, source, {"title": source.stem, "author": "corpus"})
    options = CabinetOptions(database=place.database, institution="Test Pedagogical University",
                             max_file_bytes=2 * 2**20, max_batch_bytes=6 * 2**20,
                             allowed_hosts=("testserver", "127.0.0.1", "localhost"))
    reports = None
    if options.on_postgres:  # no file to keep the secret key, uploads and reports beside
        options = CabinetOptions(**{**options.__dict__, "data_dir": place.folder / "data"})
        reports = place.folder / "reports"
    from plagcheck.web.conf import resolved

    made = Cabinet(place.database, place.folder, resolved(options), reports)
    _activate(made)
    migrate()
    _CABINETS[key] = made
    return made


def _activate(cab: Cabinet) -> None:
    """Make ``cab`` the database and options of this process's Django."""
    from django.conf import settings

    from plagcheck.web.conf import configure, database_settings

    if not settings.configured:
        configure(cab.options)
    elif _ACTIVE and _ACTIVE[0] is not cab:
        from django.contrib.contenttypes.models import ContentType
        from django.db import connections

        connections.close_all()
        chosen = database_settings(cab.options)
        settings.DATABASES["default"] = chosen
        connections.settings["default"] = connections.configure_settings({"default": dict(chosen)})["default"]
        del connections["default"]  # the next query connects with the new settings
        settings.PLAGCHECK = cab.options
        ContentType.objects.clear_cache()  # their ids are each database's own
    _ACTIVE[:] = [cab]


def active() -> Cabinet:
    """The cabinet Django is on now."""
    return _ACTIVE[0]


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


def run_worker(cab: Cabinet | None = None) -> dict:
    """The real worker, in this process, until the queue is empty (no semantic layer: fast)."""
    from workers.worker import run_worker as run

    cab = cab or active()
    return run(cab.database, once=True, install_signals=False, semantic=False, reports_dir=cab.reports)
