"""The corpus store: persistence, parameters checked on open, transactions, idempotent adds."""

from __future__ import annotations

import pytest

from plagcheck.errors import StoreError
from plagcheck.ingest import add_document
from plagcheck.models import Document
from plagcheck.settings import IndexParams
from plagcheck.store import Store


def test_index_parameters_are_stored_and_checked_on_open(db_path, ru_text):
    with Store(db_path, IndexParams(passage_words=30)) as store:
        add_document(store, Document("a.txt", "txt", ru_text))
    with Store(db_path) as store:  # no parameters given: the stored ones are used
        assert store.params.passage_words == 30
    with pytest.raises(StoreError, match="reindex --full"):
        Store(db_path, IndexParams(passage_words=40))


def test_same_content_twice_is_a_no_op(store, ru_text):
    first = add_document(store, Document("a.txt", "txt", ru_text))
    second = add_document(store, Document("copy-of-a.txt", "txt", ru_text))
    assert (first.status, second.status) == ("added", "duplicate")
    assert second.doc_id == first.doc_id
    assert store.document_count() == 1


def test_failed_write_leaves_nothing_behind(store, ru_text, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "insert_index_rows", broken)
    with pytest.raises(RuntimeError):
        add_document(store, Document("a.txt", "txt", ru_text))
    assert store.document_count() == 0
    assert store.db.execute("SELECT COUNT(*) FROM texts").fetchone()[0] == 0


def test_text_round_trips_compressed_and_survives_reopen(db_path, ru_text):
    with Store(db_path) as store:
        doc_id = add_document(store, Document("a.txt", "txt", ru_text), {"author": "Ә. Автор", "year": 2020}).doc_id
    with Store(db_path) as store:
        assert store.document_text(doc_id) == ru_text
        doc = store.document(doc_id)
        assert (doc.author, doc.year, doc.language) == ("Ә. Автор", 2020, "ru")
        assert store.state().passages > 0


def test_not_a_database(tmp_path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a usable plagcheck database"):
        Store(path)
