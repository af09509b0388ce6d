"""The corpus store: persistence, parameters checked on open, transactions, idempotent adds."""

from __future__ import annotations

import pytest

from plagcheck.errors import StoreError
from plagcheck.ingest import add_document
from plagcheck.models import Document
from plagcheck.settings import IndexParams
from plagcheck.store import Store

SQLITE_ONLY = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


@pytest.fixture
def db_path(database):
    """Every test here runs on both backends (``database``), unless marked SQLite-only."""
    return database


def _count(store, sql):
    """A figure straight from the database, by the backend's own statement runner."""
    return store._q(sql).fetchone()[0]


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
    assert _count(store, "SELECT COUNT(*) FROM texts") == 0


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


def _index_of(store, text):
    from plagcheck.index import analyze, index_document
    from plagcheck.normalize import tokenize

    return index_document(analyze(tokenize(text), store.params), store.params)


def test_packed_index_returns_each_documents_passages_and_spans(store, ru_text, en_text):
    a = add_document(store, Document("a.txt", "txt", ru_text)).doc_id
    b = add_document(store, Document("b.txt", "txt", en_text)).doc_id
    for doc_id, text in ((a, ru_text), (b, en_text)):
        passages, keys = _index_of(store, text)
        stored = store.document_passages(doc_id)
        assert [(p.first_word, p.words, p.start, p.end) for p in stored] == \
               [(p.first_word, p.words, p.start, p.end) for p in passages]
        ids = [p.id for p in stored]
        assert ids == list(range(ids[0], ids[0] + len(ids)))  # one contiguous range per document
        assert store.passages(ids) == {p.id: p for p in stored}
        # Every band key of every passage leads back to that passage, and to nothing of the other document.
        found = store.lookup_buckets(keys)
        owners = {pid: p.doc_id for pid, p in store.passages(pid for _, pid in found).items()}
        assert {pid for _, pid in found} == set(ids)
        assert set(owners.values()) == {doc_id}
        assert {key for key, _ in found} == set(keys.reshape(-1).tolist())
    assert store.state().passages == len(store.document_passages(a)) + len(store.document_passages(b))


def test_removing_a_document_removes_exactly_its_entries(store, ru_text, en_text):
    from plagcheck.ingest import remove_document

    a = add_document(store, Document("a.txt", "txt", ru_text)).doc_id
    b = add_document(store, Document("b.txt", "txt", en_text)).doc_id
    b_ids = {p.id for p in store.document_passages(b)}
    rows_before = store._q(f"SELECT COUNT(*) FROM buckets_g{store.generation}").fetchone()[0]
    with store.transaction():
        remove_document(store, a)
    _, a_keys = _index_of(store, ru_text)
    _, b_keys = _index_of(store, en_text)
    assert store.lookup_buckets(a_keys) == [] or {pid for _, pid in store.lookup_buckets(a_keys)} <= b_ids
    assert {pid for _, pid in store.lookup_buckets(b_keys)} == b_ids
    assert store.document_passages(a) == []
    # Rows left holding no entry are deleted, not kept empty.
    rows_after = store._q(f"SELECT COUNT(*) FROM buckets_g{store.generation}").fetchone()[0]
    assert 0 < rows_after < rows_before
    assert store._q(f"SELECT COUNT(*) FROM buckets_g{store.generation} WHERE LENGTH(entries) = 0").fetchone()[0] == 0
    # A re-added document gets new passage ids: an id is never reused.
    again = add_document(store, Document("a.txt", "txt", ru_text)).doc_id
    assert min(p.id for p in store.document_passages(again)) > max(b_ids)


@SQLITE_ONLY  # PostgreSQL corpora were never in that format
def test_index_of_an_older_format_asks_for_a_full_reindex(db_path, ru_text, en_text):
    import json

    from plagcheck.check import check_document
    from workers.reindex import reindex_full

    old_params = IndexParams(num_perm=64, lsh_bands=16, lsh_rows=4)
    with Store(db_path, old_params) as store:
        add_document(store, Document("a.txt", "txt", ru_text))
        # Turn generation 1 into what plagcheck 0.1 wrote: one row per bucket entry, a passages table.
        for statement in (
                "DROP TABLE buckets_g1", "DROP TABLE spans_g1", "DELETE FROM meta WHERE key = 'next_passage_g1'",
                'CREATE TABLE passages_g1 (id INTEGER PRIMARY KEY, doc_id INTEGER NOT NULL, first_word INTEGER NOT NULL, '
                'words INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL)',
                "CREATE INDEX passages_g1_doc ON passages_g1(doc_id)",
                "CREATE TABLE buckets_g1 (key INTEGER NOT NULL, passage_id INTEGER NOT NULL, "
                "PRIMARY KEY (key, passage_id)) WITHOUT ROWID",
                "INSERT INTO passages_g1 VALUES (1, 1, 0, 40, 0, 300)",
                "INSERT INTO buckets_g1 VALUES (-1234567890123, 1)"):
            store.db.execute(statement)
    with Store(db_path) as store:
        assert json.loads(store.meta("index_params"))["lsh_bands"] == 16
        with pytest.raises(StoreError, match="reindex --full"):
            check_document(store, Document("q.txt", "txt", ru_text))
        with pytest.raises(StoreError, match="reindex --full"):
            add_document(store, Document("b.txt", "txt", en_text))
        assert store.document_count() == 1
        reindex_full(store, IndexParams())
        tables = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert not {"passages_g1", "buckets_g1"} & tables
        result = check_document(store, Document("q.txt", "txt", "Введение к работе.\n" + ru_text))
        assert result.similarity > 0.9
        assert add_document(store, Document("b.txt", "txt", en_text)).status == "added"


def test_bulk_writes_lose_only_the_open_transaction(store, ru_text, en_text, en_text2):
    from plagcheck.ingest import prepare_document, store_many

    docs = [prepare_document(Document(f"{k}.txt", "txt", text), store.params)
            for k, text in enumerate([ru_text, en_text, en_text2])]
    sqlite = hasattr(store, "db")
    cache = store.db.execute("PRAGMA cache_size").fetchone()[0] if sqlite else None

    def arriving():
        yield from (docs[0], docs[0], docs[1])  # the same content twice in one transaction
        raise RuntimeError("a worker died")

    outcomes = []
    with pytest.raises(RuntimeError):
        for outcome in store_many(store, arriving(), per_transaction=2):
            outcomes.append(outcome)
    # The first transaction (two documents, one a duplicate) is committed; the second, open when
    # the error came, is rolled back whole: docs[1] is not there, not even its text.
    assert [o.status for o in outcomes] == ["added", "duplicate"]
    assert store.document_count() == 1
    assert _count(store, "SELECT COUNT(*) FROM texts") == 1
    assert store.state().passages == len(store.document_passages(outcomes[0].doc_id))
    if sqlite:
        assert store.db.execute("PRAGMA cache_size").fetchone()[0] == cache  # the bulk page cache is given back
    assert [o.status for o in store_many(store, docs[1:])] == ["added", "added"]
    assert store.document_count() == 3


def test_removal_scans_the_whole_index_when_the_text_no_longer_gives_its_passages(store, ru_text, en_text):
    """If normalization changed since a document was indexed, its recomputed keys would miss some
    of its rows: removal then looks through every row rather than leave dead entries behind."""
    import numpy as np

    a = add_document(store, Document("a.txt", "txt", ru_text)).doc_id
    b = add_document(store, Document("b.txt", "txt", en_text)).doc_id
    a_ids = {p.id for p in store.document_passages(a)}
    b_ids = {p.id for p in store.document_passages(b)}
    with store.transaction():
        store.delete_index_rows(a, np.empty((0, store.params.lsh_bands), np.int64), [])
    left = set()
    for (blob,) in store._q(f"SELECT entries FROM buckets_g{store.generation}"):
        left |= set(np.frombuffer(blob, "<u4")[1::2].tolist())  # (suffix, passage) pairs
    assert left == b_ids and not left & a_ids


def test_an_unexpected_error_on_one_file_fails_that_file_only(store, tmp_path, ru_text, en_text, monkeypatch):
    import plagcheck.ingest as ingest

    for name, text in (("a.txt", ru_text), ("b.txt", "trigger"), ("c.txt", en_text)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    real_extract = ingest.extract

    def extract(path, **options):
        document = real_extract(path, **options)
        if document.text == "trigger":
            raise ValueError("library crashed\nwith a second line")
        return document

    monkeypatch.setattr(ingest, "extract", extract)
    outcomes = {o.path.rsplit("/", 1)[-1]: o for o in ingest.add_files(store, [tmp_path], processes=1)}
    assert outcomes["a.txt"].status == outcomes["c.txt"].status == "added"
    assert outcomes["b.txt"].status == "failed"
    assert outcomes["b.txt"].reason == "unexpected error: ValueError: library crashed"


def test_filing_no_bucket_entries_writes_nothing(store, ru_text):
    """A bulk load may have an empty key range to file (a kept benchmark workdir filled on by 0)."""
    import numpy as np

    add_document(store, Document(path="ru.txt", format="txt", text=ru_text))
    rows = store._q(f"SELECT COUNT(*), SUM(LENGTH(entries)) FROM buckets_g{store.generation}").fetchone()
    with store.transaction():
        store.append_bucket_entries(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.uint32))
    assert store._q(f"SELECT COUNT(*), SUM(LENGTH(entries)) FROM buckets_g{store.generation}").fetchone() == rows


def test_sizes_and_words_are_told_by_the_store(store, ru_text, en_text):
    """What the speed benchmark reports (database size, text bytes, bytes per table, words) comes
    from storage methods on either backend, and grows with what is added."""
    empty_words, empty_text = store.total_words(), store.text_bytes()
    assert (empty_words, empty_text) == (0, 0)
    for text, name in ((ru_text, "ru.txt"), (en_text, "en.txt")):
        add_document(store, Document(path=name, format="txt", text=text), {})
    assert store.total_words() == sum(d.words for d in store.documents()) > 0
    assert 0 < store.text_bytes() < len(ru_text.encode()) + len(en_text.encode())  # compressed
    tables = store.space_used()
    assert store.database_bytes() > store.text_bytes()
    if tables:  # SQLite without dbstat tells no tables apart
        assert any(name.startswith("buckets_g") for name in tables)
        assert all(size >= 0 for size in tables.values())
        assert sum(tables.values()) <= store.database_bytes()
