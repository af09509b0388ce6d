"""``plagcheck db migrate``: a SQLite corpus copied into PostgreSQL, stopped half-way and resumed."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

from plagcheck import jobs
from plagcheck.anchors import anchor_pairs, text_anchors
from plagcheck.check import check_document
from plagcheck.cli import cli
from plagcheck.errors import StoreError
from plagcheck.ingest import add_document
from plagcheck.models import Document
from plagcheck.storage import migrate as migration
from plagcheck.store import ANCHORS, Store


def _corpus(path, ru_text, en_text, en_text2):
    with Store(path) as store:
        for name, text in (("ru", ru_text), ("en", en_text), ("en2", en_text2)):
            add_document(store, Document(f"/theses/{name}.txt", "txt", text), {"author": f"A. {name}", "year": 2024})
        done = jobs.enqueue(store, "done.txt", b"checked bytes")
        assert jobs.lease(store, "w").id == done
        jobs.complete(store, done, "w", report_html="/r/x.html", report_json="/r/x.json", doc_id=1, similarity=0.5)
        jobs.enqueue(store, "queued.txt", b"waiting bytes", {"title": "T"})


def test_migrate_stopped_half_way_goes_on_and_gives_the_same_corpus(tmp_path, pg_url, ru_text, en_text, en_text2,
                                                                    monkeypatch):
    source = tmp_path / "corpus.db"
    _corpus(source, ru_text, en_text, en_text2)
    real_copy = migration._copy_table

    def stopped_in_the_index(src, dst, table, batch, progress):
        def interrupted(name, done, total):
            progress(name, done, total)
            if name.startswith("spans_") and done == 2:
                raise KeyboardInterrupt  # Ctrl-C half-way through a table
        return real_copy(src, dst, table, 1, interrupted)  # one row to a batch

    monkeypatch.setattr(migration, "_copy_table", stopped_in_the_index)
    stopped = CliRunner().invoke(cli, ["db", "migrate", str(source), pg_url])
    assert stopped.exit_code == 1  # click: "Aborted!"
    with Store(pg_url) as half, Store(source) as old:
        assert half.document_count() == 3 and 0 < half.state().passages < old.state().passages  # 2 of 3 documents
    monkeypatch.setattr(migration, "_copy_table", real_copy)
    result = CliRunner().invoke(cli, ["db", "migrate", str(source), pg_url])
    assert result.exit_code == 0, result.output
    assert "3 documents and 2 jobs in postgresql://" in result.stdout

    thesis = Document("q.txt", "txt", "Введение.\n" + ru_text[:2500] + "\n" + en_text[:1500])
    with Store(source) as old, Store(pg_url) as new:
        assert new.documents() == old.documents()
        assert [new.document_text(d.id) for d in new.documents()] == [old.document_text(d.id) for d in old.documents()]
        assert new.state().passages == old.state().passages
        anchor_keys = np.concatenate([anchor_pairs(text_anchors(old.document_text(d.id)))[0] for d in old.documents()])
        copied = sorted(new.lookup_buckets(anchor_keys, table=ANCHORS))  # the translation anchors
        assert copied and copied == sorted(old.lookup_buckets(anchor_keys, table=ANCHORS))
        assert jobs.statuses(new) == jobs.statuses(old)
        before, after = check_document(old, thesis), check_document(new, thesis)
        assert after.matches and after.matches == before.matches and after.similarity == before.similarity
        # ids go on after the copied ones, in the corpus and in the queue
        added = add_document(new, Document("/theses/new.txt", "txt", en_text[:1200] + " новый текст"))
        assert added.doc_id == 4
        assert jobs.enqueue(new, "next.txt", b"more") == 3
        assert jobs.lease(new, "w2").name == "queued.txt"

    again = CliRunner().invoke(cli, ["db", "migrate", str(tmp_path / "other.db"), pg_url])
    assert again.exit_code == 1  # another source into a migrated database is refused


def test_migrate_refuses_a_target_with_a_corpus_of_its_own(tmp_path, ru_text, en_text, en_text2):
    _corpus(tmp_path / "a.db", ru_text, en_text, en_text2)
    with Store(tmp_path / "b.db") as other:
        add_document(other, Document("/x.txt", "txt", en_text))
    with Store(tmp_path / "a.db") as source, Store(tmp_path / "b.db") as target:
        with pytest.raises(StoreError, match="already holds a corpus"):
            migration.migrate(source, target)
