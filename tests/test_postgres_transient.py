"""PostgreSQL's transient errors, provoked for real on the test server: a deadlock between two
writers is broken by the server and the aborted transaction runs again; a pooled connection the
server dropped is replaced before it is used."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from plagcheck.ingest import prepare_document, store_many
from plagcheck.models import Document
from plagcheck.store import Store


def test_a_deadlock_between_two_writers_is_broken_and_the_aborted_one_runs_again(pg_url, ru_text, en_text, caplog):
    """Machine 1 adds A then B in one transaction, machine 2 adds B (the same thesis submitted
    twice): 1 holds the passage-id counter and wants B's content lock, 2 holds that lock and
    wants the counter. The server aborts one of them (40P01); it is run again and both end well."""
    with Store(pg_url) as setup:
        params = setup.params
    one, two = Store(pg_url, params), Store(pg_url, params)
    prepared = {name: prepare_document(Document(path=f"{name}.txt", format="txt", text=text), params, {})
                for name, text in (("A", ru_text), ("B", en_text))}
    one_has_counter, two_has_lock = threading.Event(), threading.Event()

    register = one.register_passages

    def register_then_wait(*args, **kwargs):  # 1: the counter is held; let 2 take B's content lock
        first = register(*args, **kwargs)
        if not one_has_counter.is_set():
            one_has_counter.set()
            two_has_lock.wait(30)
            time.sleep(0.3)  # 2 goes on to wait for the counter
        return first

    find = two.find_by_hash

    def find_then_signal(content_hash):  # 2: B's content lock is held
        found = find(content_hash)
        two_has_lock.set()
        return found

    one.register_passages, two.find_by_hash = register_then_wait, find_then_signal
    outcomes, errors = {}, []

    def run(name, store, items, wait_for=None):
        try:
            if wait_for is not None:
                wait_for.wait(30)
            outcomes[name] = [o.status for o in store_many(store, items)]
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    caplog.set_level(logging.WARNING, logger="plagcheck.storage.postgresql")
    threads = [threading.Thread(target=run, args=("one", one, [prepared["A"], prepared["B"]])),
               threading.Thread(target=run, args=("two", two, [prepared["B"]], one_has_counter))]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    finally:
        one.close()
        two.close()
    assert errors == []
    assert any("40P01" in r.getMessage() for r in caplog.records), "no deadlock happened: the test arranged none"
    # Whichever was aborted: each thesis is in the corpus once, with its index.
    assert sorted(outcomes["one"] + outcomes["two"]) == ["added", "added", "duplicate"]
    with Store(pg_url) as store:
        assert sorted(d.path for d in store.documents()) == ["A.txt", "B.txt"]
        assert store.state().passages == len(prepared["A"].passages) + len(prepared["B"].passages)


def test_a_transaction_aborted_every_time_fails_after_a_bounded_number_of_runs(pg_url, monkeypatch):
    from psycopg import errors as pg_errors

    from plagcheck.storage import postgresql

    monkeypatch.setattr(postgresql.time, "sleep", lambda seconds: None)
    runs = []

    def body():
        runs.append(1)
        raise pg_errors.SerializationFailure("could not serialize access")

    with Store(pg_url) as store, pytest.raises(pg_errors.SerializationFailure):
        store.run_transaction(body)
    assert len(runs) == postgresql.TRANSIENT_ATTEMPTS


def test_a_connection_the_server_dropped_is_replaced_before_use(pg_url):
    import psycopg

    with Store(pg_url) as store:
        assert store.document_count() == 0
        with psycopg.connect(pg_url, autocommit=True) as admin:  # a restart, a failover: the server ends them
            ended = admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  "WHERE datname = current_database() AND pid <> pg_backend_pid()").fetchall()
        assert ended and all(row[0] for row in ended)
        assert store.document_count() == 0
        assert store.lease_job("worker", 60) is None
