"""The plain records the storage hands out: documents, passages, corpus state, jobs.

Every backend returns these, never its own rows, so nothing above ``plagcheck.storage`` depends on
which database is behind it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

METADATA_FIELDS = ("title", "author", "year", "department", "language")
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


@dataclass(frozen=True)
class StoredDocument:
    """A corpus document's row, without its text."""

    id: int
    content_hash: str
    path: str
    title: str | None
    author: str | None
    year: int | None
    department: str | None
    language: str | None
    format: str
    chars: int
    words: int
    added_at: str
    extra: dict = field(default_factory=dict)  # the metadata CSV's other columns (supervisor, group, ...)

    def to_dict(self) -> dict:
        return dict(self.__dict__)

    @classmethod
    def from_row(cls, row) -> StoredDocument:
        """A document from a ``SELECT {DOC_COLUMNS}`` row."""
        return cls(*row[:-1], extra=json.loads(row[-1]) if row[-1] else {})


DOC_COLUMNS = ("id, content_hash, path, title, author, year, department, language, format, chars, words, added_at, "
               "extra")


@dataclass(frozen=True)
class StoredPassage:
    id: int
    doc_id: int
    first_word: int
    words: int
    start: int
    end: int


@dataclass(frozen=True)
class CorpusState:
    """What a report records so that a check can be re-run against the same corpus."""

    documents: int
    passages: int
    generation: int
    engine_version: str
    index_params: dict
    layers: tuple[str, ...] = ("verbatim", "short")  # the detectors this generation's index serves
    semantic: dict | None = None  # coverage of the semantic layer: model, documents embedded of all

    def to_dict(self) -> dict:
        return dict(self.__dict__)


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
