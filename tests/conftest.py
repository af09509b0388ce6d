"""Shared fixtures: real PDF, DOCX and TXT files built in a temporary folder, and a corpus on disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.builders import EVAL_TEXTS, make_docx, make_pdf, paragraphs  # noqa: F401


@pytest.fixture(autouse=True)
def _no_check_service(monkeypatch):
    """Commands run here, never on a check service that the developer's shell names."""
    monkeypatch.delenv("PLAGCHECK_SERVER", raising=False)


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "corpus.db"


@pytest.fixture
def store(db_path):
    from plagcheck.store import Store

    with Store(db_path) as s:
        yield s


@pytest.fixture(scope="session")
def ru_text() -> str:
    return (EVAL_TEXTS / "ru-kazinform-universities.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def en_text() -> str:
    return (EVAL_TEXTS / "en-kaznpu-online-meeting.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def en_text2() -> str:
    return (EVAL_TEXTS / "en-kaznpu-memorandum.txt").read_text(encoding="utf-8")
