"""Short exact copies: one copied sentence is found, located to the character and attributed,
in kk, ru and en, through homoglyphs, invisible characters and line-end hyphenation; the
fingerprints leave the index with their document and come back with a full reindex."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings as hsettings, strategies as st

from plagcheck.check import check_document
from plagcheck.index import analyze, document_prints, index_document
from plagcheck.ingest import add_file, prepare_document, remove_document, store_prepared
from plagcheck.models import Document
from plagcheck.normalize import tokenize
from plagcheck.passages import winnow
from plagcheck.settings import IndexParams, Settings
from plagcheck.store import Store

TEXTS = Path(__file__).resolve().parent.parent / "corpus" / "texts"  # CC0, in the repository
SOURCES = {"kk": "kk/02-altynsarin-school.txt", "ru": "ru/03-school-psychology.txt",
           "en": "en/04-career-guidance.txt"}
# Unrelated text in another language, into which a sentence is pasted.
OWN = {"kk": "en/01-reflective-practice.txt", "ru": "kk/05-trilingual-education.txt",
       "en": "ru/06-small-rural-schools.txt"}
SENTENCE_RE = re.compile(r"[^.!?\n]+[.!?]")


def _text(name: str) -> str:
    return (TEXTS / name).read_text(encoding="utf-8")


def _sentence(text: str, low: int, high: int) -> str:
    """The first sentence of ``text`` with ``low``..``high`` words (no hyphen or dash in it, so
    that its words are plain)."""
    for m in SENTENCE_RE.finditer(text):
        sentence = m.group().strip()
        if low <= len(sentence.split()) <= high and "-" not in sentence and "–" not in sentence:
            return sentence
    raise AssertionError(f"no sentence of {low}-{high} words")


def _paste(own: str, passage: str) -> tuple[str, int]:
    """``passage`` pasted between two paragraphs in the middle of ``own``; returns the text and
    where the passage starts."""
    cut = own.index("\n", len(own) // 2)
    text = own[:cut] + "\n" + passage + own[cut:]
    return text, cut + 1


@pytest.fixture
def corpus(tmp_path, store):
    """The three sources and a few more corpus texts (the unrelated ones stay out)."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    names = [*SOURCES.values(), "kk/01-abai-pedagogical-legacy.txt", "ru/01-teaching-practice.txt",
             "en/02-critical-thinking-history.txt"]
    ids = {}
    for name in names:
        path = folder / name.replace("/", "-")
        path.write_text(_text(name), encoding="utf-8")
        ids[name] = add_file(store, path).doc_id
    return ids


def _doc(text: str, name: str = "thesis.txt") -> Document:
    return Document(path=name, format="txt", text=text)


def _homoglyphs(sentence: str) -> str:
    return sentence.translate(str.maketrans("аеорсАЕОРС" + "aeopc", "aeopcAEOPC" + "аеорс"))


def _zero_width(sentence: str) -> str:
    return " ".join(w[:2] + "\u200b" + w[2:] if len(w) > 3 else w for w in sentence.split(" "))


def _hyphenated(sentence: str) -> str:
    """Every long word broken at a line end with a hyphen, as a PDF layout does."""
    return " ".join(w[:3] + "-\n" + w[3:] if len(w) >= 7 and w.isalpha() else w for w in sentence.split(" "))


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
@pytest.mark.parametrize("variant", ["plain", "homoglyphs", "zero_width", "hyphenated"])
def test_a_copied_sentence_is_found_to_the_character(store, corpus, language, variant):
    source = _text(SOURCES[language])
    sentence = _sentence(source, 8, 10)
    passage = {"plain": sentence, "homoglyphs": _homoglyphs(sentence), "zero_width": _zero_width(sentence),
               "hyphenated": _hyphenated(sentence)}[variant]
    assert variant == "plain" or passage != sentence
    text, at = _paste(_text(OWN[language]), passage)

    result = check_document(store, _doc(text))

    (match,) = result.matches
    assert match.kind == "short" and match.source_id == corpus[SOURCES[language]]
    assert [s.id for s in result.sources] == [corpus[SOURCES[language]]]
    # The pasted characters, from the first letter of the first word to the last of the last
    # (the final full stop is not a word).
    assert (match.this_start, match.this_end) == (at, at + len(passage.rstrip(".!?")))
    start = source.index(sentence)
    assert (match.source_start, match.source_end) == (start, start + len(sentence.rstrip(".!?")))
    assert match.words == len(tokenize(sentence)) and match.score == 1.0
    data = result.to_dict()["matches"][0]
    assert data["kind"] == "short" and data["this_offset"] == at


def test_a_copied_paragraph_is_still_one_verbatim_match(store, corpus):
    """The MinHash path finds a long copy; the short layer adds no second match over it."""
    source = _text(SOURCES["ru"])
    paragraph = max(source.split("\n"), key=len)
    assert len(paragraph.split()) > 60
    text, at = _paste(_text(OWN["ru"]), paragraph)
    result = check_document(store, _doc(text))
    assert [m.kind for m in result.matches] == ["verbatim"]
    assert result.matches[0].this_start == at


def test_seven_copied_words_are_not_a_match(store, corpus):
    words = _sentence(_text(SOURCES["ru"]), 12, 30).split()[:7]
    text, _ = _paste(_text(OWN["ru"]), " ".join(words))
    assert check_document(store, _doc(text)).matches == ()


def test_min_short_words_down_to_five_finds_a_seven_word_run_holding_a_fingerprint(store, corpus):
    """Below 8 words a run is found when it holds a stored fingerprint (no longer guaranteed)."""
    source = _text(SOURCES["en"])
    analysis = analyze(tokenize(source), store.params)
    passages, _ = index_document(analysis, store.params)
    keys, _ = document_prints(analysis, passages, store.params)
    from plagcheck.index import print_keys, print_words

    first = int(np.flatnonzero(np.isin(print_keys(print_words(analysis.stems), store.params), keys))[5])  # a stored k-gram
    tokens = analysis.tokens
    seven = source[tokens.starts[first]:tokens.ends[first + 6]]
    text, at = _paste(_text(OWN["en"]), seven)
    assert check_document(store, _doc(text)).matches == ()  # fewer than the default 8 words
    (match,) = check_document(store, _doc(text), Settings(min_short_words=5)).matches
    assert (match.kind, match.words, match.this_start, match.this_end) == ("short", 7, at, at + len(seven))
    with pytest.raises(ValueError, match="min_short_words must be at least 5"):
        Settings(min_short_words=4)


def _prints_of(store: Store, doc_id: int) -> int:
    """How many fingerprint entries of ``doc_id``'s passages the current generation holds."""
    passages = store.document_passages(doc_id)
    ids = {p.id for p in passages}
    count = 0
    for (blob,) in store.db.execute(f"SELECT entries FROM prints_g{store.generation}"):
        entries = np.frombuffer(blob, [("suffix", "<u4"), ("passage", "<u4")])
        count += int(np.isin(entries["passage"], list(ids)).sum()) if ids else 0
    return count


def test_removing_or_replacing_a_document_removes_its_fingerprints(store, corpus, tmp_path):
    name = SOURCES["kk"]
    doc_id = corpus[name]
    sentence = _sentence(_text(name), 8, 10)
    text, _ = _paste(_text(OWN["kk"]), sentence)
    assert _prints_of(store, doc_id) > 0
    before = store.db.execute(f"SELECT SUM(LENGTH(entries)) FROM prints_g{store.generation}").fetchone()[0]
    with store.transaction():
        remove_document(store, doc_id)
    assert check_document(store, _doc(text)).matches == ()
    after = store.db.execute(f"SELECT SUM(LENGTH(entries)) FROM prints_g{store.generation}").fetchone()[0]
    prepared = prepare_document(Document("x", "txt", _text(name)), store.params)
    assert before - after == 8 * len(prepared.prints[0])  # exactly its entries, 8 bytes each

    # Replaced by a new version without the sentence: the old fingerprints go with the old text.
    added = store_prepared(store, prepare_document(Document("v1.txt", "txt", _text(name)), store.params)).doc_id
    assert check_document(store, _doc(text)).matches[0].source_id == added
    changed = _text(name).replace(sentence, "Бұл сөйлем алынып тасталды.")
    new = store_prepared(store, prepare_document(Document("v2.txt", "txt", changed), store.params),
                         replaces=added).doc_id
    assert _prints_of(store, new) > 0
    assert check_document(store, _doc(text)).matches == ()


def test_full_reindex_rebuilds_the_fingerprints(store, corpus):
    from workers.reindex import reindex_full

    sentence = _sentence(_text(SOURCES["en"]), 8, 10)
    text, at = _paste(_text(OWN["en"]), sentence)
    old = store.generation
    reindex_full(store)
    assert store.generation != old
    tables = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert f"prints_g{store.generation}" in tables and f"prints_g{old}" not in tables
    (match,) = check_document(store, _doc(text)).matches
    assert (match.kind, match.source_id, match.this_start) == ("short", corpus[SOURCES["en"]], at)


def test_an_index_without_fingerprints_checks_without_them_until_a_full_reindex(db_path, tmp_path, caplog):
    """A generation built before fingerprints existed: the MinHash path goes on, the short layer
    says it is off and how to turn it on; documents added meanwhile get no partial table."""
    from workers.reindex import reindex_full

    name = SOURCES["ru"]
    sentence = _sentence(_text(name), 8, 10)
    text, _ = _paste(_text(OWN["ru"]), sentence)
    with Store(db_path) as store:
        path = tmp_path / "source.txt"
        path.write_text(_text(name), encoding="utf-8")
        add_file(store, path)
        store.db.execute(f"DROP TABLE prints_g{store.generation}")  # as plagcheck 0.2.0 built it
    with Store(db_path) as store:
        result = check_document(store, _doc(text))
        assert result.matches == () and "short" not in result.corpus["layers"]
        assert result.corpus["layers"][0] == "verbatim"
        assert "reindex --full" in caplog.text
        other = tmp_path / "other.txt"
        other.write_text(_text("kk/01-abai-pedagogical-legacy.txt"), encoding="utf-8")
        assert add_file(store, other).status == "added"
        assert not store.has_prints
        reindex_full(store)
        assert store.has_prints
        result = check_document(store, _doc(text))
        assert [m.kind for m in result.matches] == ["short"]
        assert result.corpus["layers"] == ("verbatim", "short", "semantic")


@hsettings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 50), min_size=1, max_size=80), st.integers(1, 8))
def test_winnowing_keeps_a_fingerprint_in_every_window(keys, window):
    """The guarantee of winnowing: every ``window`` consecutive k-grams hold a kept one, chosen
    by the window's keys alone (so a text sharing those keys keeps the same one)."""
    keys = np.array(keys, dtype=np.int64)
    kept = set(winnow(keys, window).tolist())
    for start in range(max(1, len(keys) - window + 1)):
        inside = keys[start:start + window]
        assert kept & set(range(start, start + len(inside)))
        choice = start + len(inside) - 1 - int(np.argmin(inside[::-1]))
        assert choice in kept


def test_the_guaranteed_run_follows_k_and_w():
    params = IndexParams()
    assert (params.fingerprint_words, params.fingerprint_window, params.guaranteed_words) == (4, 5, 8)


def test_a_copied_sentence_counts_for_the_5_word_coefficient_whatever_min_words(store, corpus, tmp_path):
    """SC1 (share in matches of >= 5 words) means what it says: a 10-word copy that --min-words 12
    leaves out of the similarity is in it; --min-words 8 counts it, and 5 looks for shorter runs."""
    import json

    from click.testing import CliRunner

    from plagcheck.cli import cli
    from plagcheck.report import ReportOptions, build_report

    sentence = _sentence(_text(SOURCES["ru"]), 9, 11)
    text, _ = _paste(_text(OWN["ru"]), sentence)
    default = build_report(store, _doc(text))
    (match,) = default.matches
    assert match.match.kind == "short" and not match.counted and default.similarity == 0.0
    assert default.short_coefficient > 0.0 and default.long_coefficient == 0.0
    counting = build_report(store, _doc(text), ReportOptions(min_words=8))
    assert counting.matches[0].counted and counting.similarity == pytest.approx(counting.short_coefficient)
    five = build_report(store, _doc(text), ReportOptions(min_words=5))
    assert five.result.settings["min_short_words"] == 5 and default.result.settings["min_short_words"] == 8

    path = tmp_path / "thesis.txt"
    path.write_text(text, encoding="utf-8")
    run = CliRunner().invoke(cli, ["report", str(path), "--db", str(store.path), "--out", str(tmp_path / "r.json"),
                                   "--min-words", "8"], catch_exceptions=False)
    assert run.exit_code == 0, run.output
    data = json.loads((tmp_path / "r.json").read_text())
    assert [(m["kind"], m["counted"]) for m in data["matches"]] == [("short", True)]
    assert data["similarity"] > 0 and data["coefficients"]["matches_5_words"] == pytest.approx(data["similarity"])


def test_reindex_full_takes_new_fingerprint_parameters(store, corpus, db_path):
    from click.testing import CliRunner

    from plagcheck.cli import cli

    store.close()
    run = CliRunner().invoke(cli, ["reindex", "--full", "--fingerprint-words", "3", "--fingerprint-window", "6",
                                   "--db", str(db_path)], catch_exceptions=False)
    assert run.exit_code == 0, run.output
    with Store(db_path) as reopened:
        assert (reopened.params.fingerprint_words, reopened.params.fingerprint_window) == (3, 6)
        sentence = _sentence(_text(SOURCES["kk"]), 8, 10)
        text, at = _paste(_text(OWN["kk"]), sentence)
        (match,) = check_document(reopened, _doc(text)).matches
        assert (match.kind, match.this_start) == ("short", at)
    run = CliRunner().invoke(cli, ["reindex", "--fingerprint-words", "4", "--db", str(db_path)])
    assert run.exit_code != 0 and "needs --full" in run.output


def test_an_english_sentence_pasted_into_kazakh_text_is_found(store, corpus):
    """"A" and "I" are spelled alike in both scripts and take their neighbours' script: after a
    Kazakh paragraph the first word of this copy is Cyrillic, in its English source Latin. The
    fingerprints compare lookalike letters as one, so the copy is 8 words, not 7."""
    name = "en/02-critical-thinking-history.txt"
    source = _text(name)
    copied = "A useful starting point is work with primary"
    text, at = _paste(_text("kk/05-trilingual-education.txt"), copied)
    (match,) = check_document(store, _doc(text)).matches
    assert (match.kind, match.source_id, match.words) == ("short", corpus[name], 8)
    assert (match.this_start, match.this_end) == (at, at + len(copied))
    assert (match.source_start, match.source_end) == (source.index(copied), source.index(copied) + len(copied))


def test_numbers_are_not_words_of_a_copied_sentence(store, corpus):
    """Identical dates and figures around a few shared words are no copied sentence."""
    source = _text(SOURCES["ru"])
    words = _sentence(source, 12, 30).split()[:5]
    pasted = " ".join(words) + " 1998 2004 2011 2020"
    text, _ = _paste(_text(OWN["ru"]), pasted)
    assert check_document(store, _doc(text)).matches == ()
    # A corpus text with the same figures: a run of 9 tokens, 5 of them words — still no match.
    store_prepared(store, prepare_document(Document("fig.txt", "txt", "Вступление. " + pasted + " конец."),
                                           store.params))
    assert check_document(store, _doc(text)).matches == ()


def test_a_copy_with_words_dropped_inserted_and_swapped_is_found_whole(store, corpus):
    """A hurried copy: after its first ten words, every stretch left intact is shorter than a
    copy needs (two words swapped, one dropped, one inserted). The first stretch is a copy by
    itself, and it is carried over each small edit to the end of the copied words."""
    source = _text(SOURCES["ru"])
    original = next(" ".join(line.split()[:30]) for line in source.split("\n")
                    if len(line.split()) >= 30 and not {"-", "–", "—"} & set(" ".join(line.split()[:30])))
    w = original.split()
    edited = w[:10] + [w[11], w[10]] + w[12:17] + w[18:23] + [w[5]] + w[23:]
    copied = " ".join(edited)
    text, at = _paste(_text(OWN["ru"]), copied)

    (match,) = check_document(store, _doc(text)).matches
    assert (match.kind, match.source_id) == ("short", corpus[SOURCES["ru"]])
    assert (match.this_start, match.this_end) == (at, at + len(copied.rstrip(".,;:")))
    start = source.index(original)
    assert (match.source_start, match.source_end) == (start, start + len(original.rstrip(".,;:")))
    assert match.words == len(tokenize(copied)) and match.score < 1.0


def test_a_copied_sentence_is_not_carried_into_the_text_around_it(store, corpus):
    """The edits a copy is carried over are small and few words apart: a copied sentence in
    unrelated text of its own language ends where it ends."""
    source = _text(SOURCES["ru"])
    sentence = _sentence(source, 10, 14)
    text, at = _paste(_text("ru/06-small-rural-schools.txt"), sentence)
    (match,) = check_document(store, _doc(text)).matches
    assert (match.this_start, match.this_end) == (at, at + len(sentence.rstrip(".!?")))
    assert match.score == 1.0
