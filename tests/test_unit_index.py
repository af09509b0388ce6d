"""The semantic candidate step's ANN index (plagcheck.unit_index): it finds what the flat scan
finds, documents added after it was built are scanned flat, removed ones are never returned, and
it lives with its index generation. On both storage backends.

The corpus is the one of test_semantic (a Russian source whose paragraph the checked text holds
in Kazakh) with a few more documents so that the index holds several of them.
"""

from __future__ import annotations

import numpy as np

from plagcheck.check import check_document
from plagcheck.ingest import add_document, remove_document
from plagcheck.models import Document
from plagcheck.semantic import default_lexicon, search, text_sentences, unit_set
from plagcheck.settings import Settings
from plagcheck.store import Store
from plagcheck.unit_index import (DIRECTORY, build_unit_index, ensure_unit_index, index_state, load_unit_index,
                                  read_directory)
from tests.test_semantic import KK_TRANSLATION, TEXTS, _corpus_text, _with_insert

OTHERS = [("en", TEXTS / "en" / "01-reflective-practice.txt"), ("kk", TEXTS / "kk" / "04-inclusive-education.txt"),
          ("ru", TEXTS / "ru" / "02-formative-assessment.txt")]


def _add(store, name: str, text: str, language: str) -> int:
    return add_document(store, Document(name, "txt", text), {"language": language}).doc_id


def _add_others(store) -> list[int]:
    return [_add(store, path.name, path.read_text(encoding="utf-8"), lang) for lang, path in OTHERS]


def _add_source(store) -> int:
    return _add(store, "ru-source.txt", _corpus_text(), "ru")


def _flat_scanned(store, monkeypatch) -> list:
    """Record the documents each flat scan reads (None: all of them)."""
    scanned = []
    real = store.sentence_heads

    def recording(model, batch=200, doc_ids=None):
        scanned.append(None if doc_ids is None else list(doc_ids))
        return real(model, batch, doc_ids)

    monkeypatch.setattr(store, "sentence_heads", recording)
    return scanned


def _translation_matches(store, settings: Settings | None = None):
    text, start = _with_insert(KK_TRANSLATION)
    result = check_document(store, Document("thesis.txt", "txt", text), settings)
    return result, [(m.kind, m.source_language, m.source_id, m.this_start, m.this_end, m.source_start, m.source_end)
                    for m in result.matches], start


def test_the_index_finds_the_translation_the_flat_scan_finds(database, monkeypatch):
    with Store(database) as store:
        _add_others(store)
        source = _add_source(store)
        built = build_unit_index(store, default_lexicon().name, min_units=0)
        assert built.documents == 4 and built.units == index_state(store, default_lexicon().name).held_units
        scanned = _flat_scanned(store, monkeypatch)
        with_index, found, start = _translation_matches(store)
        assert scanned == [[]]  # the index holds every document: nothing was scanned flat
        assert with_index.corpus["semantic"]["unit_index"] == {"generation": store.generation, "documents": 4}
        flat, flat_found, _ = _translation_matches(store, Settings(index=store.params, semantic_index=False))
        assert scanned[-1] is None and flat.corpus["semantic"]["unit_index"] is None
    assert found == flat_found
    ((kind, language, source_id, this_start, this_end, _, _),) = found
    assert (kind, language, source_id, this_start, this_end) == ("translation", "ru", source, start,
                                                                 start + len(KK_TRANSLATION))


def test_a_document_added_after_the_index_was_built_is_scanned_flat_and_found(database, monkeypatch):
    with Store(database) as store:
        _add_others(store)
        build_unit_index(store, default_lexicon().name, min_units=0)
        source = _add_source(store)
        state = index_state(store, default_lexicon().name)
        assert state.delta_units == store.sentence_documents(default_lexicon().name)[source][1] > 0
        scanned = _flat_scanned(store, monkeypatch)
        _, found, start = _translation_matches(store)
    assert scanned == [[source]]
    assert [(f[0], f[2], f[3]) for f in found] == [("translation", source, start)]


def test_removed_and_replaced_documents_are_never_returned(database, monkeypatch):
    lexicon = default_lexicon()
    with Store(database) as store:
        _add_others(store)
        source = _add_source(store)
        build_unit_index(store, lexicon.name, min_units=0)
        with store.transaction():
            remove_document(store, source)
        # SQLite gives the next document the removed one's id (it was the largest): the index
        # holds that id with other content, which must not be taken for the new document's
        replacement = _add(store, "kk-other.txt", (TEXTS / "kk" / "06-environmental-education.txt").read_text(
            encoding="utf-8"), "kk")
        index = load_unit_index(store, lexicon.name)
        assert source in index.documents
        text, _ = _with_insert(KK_TRANSLATION)
        units = unit_set(text, lexicon, "kk", text_sentences(text), stride=1)
        scanned = _flat_scanned(store, monkeypatch)
        best = search(store, lexicon.name, units, 8, index=index)
        assert scanned == [[replacement]]
        returned = {int(d) for b in best.values() for d in b.doc[np.isfinite(b.cos)].ravel()}
        assert source not in returned or replacement == source
        assert returned <= set(store.sentence_documents(lexicon.name))
        if replacement == source:  # the reused id's units come from the flat scan, with their new content
            new = store.sentence_documents(lexicon.name)[replacement][1]
            assert all(int(i) < new for b in best.values() for i in b.index[b.doc == replacement])
        state = index_state(store, lexicon.name)
        assert state.stale_units > 0 and state.delta_units > 0
        _, found, _ = _translation_matches(store)
    assert found == []


def test_the_index_lives_with_its_generation_and_the_nightly_reindex_keeps_it_fresh(database):
    from workers.reindex import reindex_full, reindex_incremental

    model = default_lexicon().name
    with Store(database) as store:
        _add_others(store)
        first = store.generation
        summary = reindex_full(store, unit_index_min_units=0)
        assert summary.unit_index is not None and summary.unit_index.generation == store.generation == first + 1
        assert read_directory(store, first + 1, model) is not None
        assert read_directory(store, first, model) is None  # dropped with the old generation
        token = read_directory(store, store.generation, model)[0]["token"]
        assert reindex_incremental(store, unit_index_min_units=0).unit_index is None  # nothing changed
        _add_source(store)  # far more than 10% of the units it holds
        assert reindex_incremental(store, unit_index_min_units=0).unit_index is not None
        meta, documents, _ = read_directory(store, store.generation, model)
        assert meta["token"] != token and len(documents) == 4
        assert index_state(store, model).delta_units == 0
        _, found, _ = _translation_matches(store)
        assert [f[0] for f in found] == ["translation"]
        # below the threshold nothing is built, and a full reindex leaves the new generation without one
        assert reindex_full(store, unit_index_min_units=10**9).unit_index is None
        assert read_directory(store, store.generation, model) is None
        assert ensure_unit_index(store, model, min_units=10**9) is None


def test_index_blobs_round_trip_in_chunks_and_go_with_their_generation(database, monkeypatch):
    from plagcheck import unit_index

    with Store(database) as store:
        g = store.generation
        blob = bytes(range(256)) * 1000
        with store.transaction():
            store.put_unit_index(g, "m", 1, (blob[i:i + 70_000] for i in range(0, len(blob), 70_000)))
            store.put_unit_index(g, "m", DIRECTORY, [b"dir"])
        assert b"".join(store.unit_index_chunks(g, "m", 1)) == blob
        assert len(list(store.unit_index_chunks(g, "m", 1))) == 4
        reader = unit_index._ChunkReader(store.unit_index_chunks(g, "m", 1))
        assert reader(10) + reader(200_000) + reader(10**6) == blob and reader(5) == b""
        assert list(store.unit_index_chunks(g, "other", 1)) == []
        with store.transaction():
            store.put_unit_index(g, "m", 1, [b"short"])
        assert b"".join(store.unit_index_chunks(g, "m", 1)) == b"short"
        current, new = store.start_generation()
        with store.transaction():
            store.swap_generation(current, new, store.params)
        store.refresh()
        assert list(store.unit_index_chunks(g, "m", 1)) == [] and list(store.unit_index_chunks(g, "m", DIRECTORY)) == []


def test_an_index_in_shards_read_at_each_search_answers_as_one_in_memory(database, monkeypatch):
    from plagcheck import unit_index

    lexicon = default_lexicon()
    text, _ = _with_insert(KK_TRANSLATION)
    units = unit_set(text, lexicon, "kk", text_sentences(text), stride=1)
    x = units.vectors.astype(np.float32) / np.linalg.norm(units.vectors.astype(np.float32), axis=1, keepdims=True)
    with Store(database) as store:
        _add_others(store)
        _add_source(store)
        build_unit_index(store, lexicon.name, min_units=0)
        whole = load_unit_index(store, lexicon.name)
        assert whole.resident and all(len(keys) == 1 for keys in whole.shards.values())
        expected = whole.shortlist(store, x, 10, 64)
        monkeypatch.setattr(unit_index, "SHARD_UNITS", 2)
        build_unit_index(store, lexicon.name, min_units=0)
        sharded = load_unit_index(store, lexicon.name, memory_mb=0)
        assert not sharded.resident and max(len(keys) for keys in sharded.shards.values()) > 1
        assert sum(1 for _ in store.unit_index_chunks(store.generation, lexicon.name, DIRECTORY)) == 1
        got = sharded.shortlist(store, x, 10, 64)
    assert set(got) == set(expected)
    for language in expected:
        for row in range(len(x)):
            pairs = lambda found: {(d, u) for d, u in zip(found[0][row].tolist(), found[1][row].tolist())}  # noqa: E731
            assert pairs(got[language]) == pairs(expected[language])


def test_the_nightly_rebuild_also_comes_after_a_number_of_changed_units(database):
    model = default_lexicon().name
    with Store(database) as store:
        _add_others(store)
        build_unit_index(store, model, min_units=0)
        _add_source(store)
        assert ensure_unit_index(store, model, min_units=0, stale_share=100.0, stale_units=10**9) is None
        rebuilt = ensure_unit_index(store, model, min_units=0, stale_share=100.0, stale_units=1)
        assert rebuilt is not None and rebuilt.documents == 4 and index_state(store, model).delta_units == 0
