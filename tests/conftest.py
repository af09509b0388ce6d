"""Shared fixtures: real PDF, DOCX and TXT files built in a temporary folder, and a corpus on disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.builders import EN_TEXT, EN_TEXT2, RU_TEXT


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
    """Russian prose, ~550 words, not in the sample corpus (two bundled texts)."""
    return RU_TEXT


@pytest.fixture(scope="session")
def en_text() -> str:
    """English prose, ~570 words, not in the sample corpus (two bundled texts)."""
    return EN_TEXT


@pytest.fixture(scope="session")
def en_text2() -> str:
    """English prose, ~590 words, sharing no passage with :func:`en_text` (two bundled texts of the sample corpus)."""
    return EN_TEXT2
