"""Shared fixtures: real PDF, DOCX and TXT files built in a temporary folder, and a corpus on disk."""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
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


PG_HOWTO = ("PostgreSQL tests skipped: set PLAGCHECK_TEST_PG=postgresql://USER@/postgres?host=SOCKET_DIR "
            "(a server this user may create databases on; .ci/run starts one)")


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The URL of a PostgreSQL server for the tests (``$PLAGCHECK_TEST_PG``): skipped without one
    on a developer's machine, a failure under CI (which must start one)."""
    url = os.environ.get("PLAGCHECK_TEST_PG")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but PLAGCHECK_TEST_PG is not set: .ci/run must start PostgreSQL")
        pytest.skip(PG_HOWTO)
    return url


@contextmanager
def fresh_pg_database(server: str):
    """The URL of a new, empty database on the PostgreSQL server ``server``, dropped on exit."""
    import psycopg

    name = f"plagcheck_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield _with_dbname(server, name)
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def pg_url(pg_server):
    """A fresh, empty PostgreSQL database on the test server, dropped afterwards."""
    with fresh_pg_database(pg_server) as url:
        yield url


def _with_dbname(url: str, name: str) -> str:
    """``url`` with its database name replaced (``postgresql://user@host/db?params``)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    """The corpus database of a storage-level test, once per backend: a SQLite file's path, or the
    URL of a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return tmp_path / "corpus.db"
    return request.getfixturevalue("pg_url")


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def web_database(request, tmp_path_factory):
    """The web cabinet's corpus database, once per backend (tests/web_support.py makes it the
    process's Django database while a test that asks for it runs). Session-wide: pytest runs the
    tests of one backend together, and each backend's corpus is built once."""
    from tests.web_support import Place

    folder = tmp_path_factory.mktemp(f"cabinet-{request.param}")
    if request.param == "sqlite":
        yield Place(folder / "cabinet.db", folder)
        return
    with fresh_pg_database(request.getfixturevalue("pg_server")) as url:
        yield Place(url, folder)


@pytest.fixture(autouse=True)
def _web_cabinet_of_the_test(request):
    """A web test runs on the cabinet of its backend: Django's database is switched to it."""
    if "web_database" in request.fixturenames:
        from tests import web_support

        web_support.cabinet(request.getfixturevalue("web_database"))


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
