"""Neighbouring matches of one source are one passage: a copied paragraph with a sentence rewritten
in the middle is reported as one match, not two; other sources, long gaps and distant source
spans keep matches apart."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from plagcheck.check import check_document
from plagcheck.ingest import add_file
from plagcheck.joining import JOIN_SOURCE_GAP_CHARS, join_neighbours
from plagcheck.models import Document, Match
from plagcheck.normalize import tokenize
from plagcheck.settings import Settings

TEXTS = Path(__file__).resolve().parent.parent / "corpus" / "texts"  # CC0, in the repository
SOURCE = "ru/03-school-psychology.txt"


@pytest.fixture
def corpus(tmp_path, store):
    ids = {}
    for name in (SOURCE, "ru/01-teaching-practice.txt", "kk/02-altynsarin-school.txt"):
        path = tmp_path / name.replace("/", "-")
        path.write_text((TEXTS / name).read_text(encoding="utf-8"), encoding="utf-8")
        ids[name] = add_file(store, path).doc_id
    return ids


def _rewritten_paragraph(own: str) -> tuple[str, str]:
    """A thesis text: a source paragraph whose third sentence is replaced by ``own``, between two
    paragraphs of an unrelated text; returns the text and the pasted paragraph."""
    sentences = (TEXTS / SOURCE).read_text(encoding="utf-8").split("\n\n")[2].split(". ")
    pasted = ". ".join(sentences[:2]) + ". " + own + " " + ". ".join(sentences[3:])
    host = (TEXTS / "ru" / "06-small-rural-schools.txt").read_text(encoding="utf-8").split("\n\n")
    return "\n\n".join([host[1], pasted, host[2]]), pasted


def test_a_copied_paragraph_with_a_sentence_rewritten_is_one_match(store, corpus):
    text, pasted = _rewritten_paragraph("Автор этой работы долго наблюдал за учениками своей школы на всех уроках.")
    start = text.index(pasted)
    settings = Settings(index=store.params, semantic=False)

    (match,) = check_document(store, Document("thesis.txt", "txt", text), settings).matches
    assert (match.kind, match.source_id) == ("verbatim", corpus[SOURCE])
    assert (match.this_start, match.this_end) == (start, start + len(pasted.rstrip(".")))
    assert match.words == len(tokenize(pasted))

    pieces = check_document(store, Document("thesis.txt", "txt", text), replace(settings, join_gap_words=0)).matches
    assert len(pieces) == 2 and pieces[0].this_start == start and pieces[1].this_end == match.this_end


def test_a_longer_sentence_of_ones_own_keeps_the_pieces_apart(store, corpus):
    own = "Автор этой работы долго и внимательно наблюдал за учениками своей сельской школы на всех уроках года."
    assert len(own.split()) > Settings().join_gap_words
    text, _ = _rewritten_paragraph(own)
    matches = check_document(store, Document("thesis.txt", "txt", text), Settings(index=store.params, semantic=False)).matches
    assert len(matches) == 2


TEXT = " ".join(f"w{i}" for i in range(200))
TOKENS = tokenize(TEXT)


def _at(word: int) -> int:
    return int(TOKENS.starts[word])


def _match(first: int, last: int, source: int = 1, at: int = 0, kind: str = "verbatim", score: float = 1.0) -> Match:
    """Words ``first``..``last`` of TEXT, found at characters ``at``.. of source ``source``."""
    return Match(source_id=source, this_start=_at(first), this_end=int(TOKENS.ends[last]), source_start=at,
                 source_end=at + 10 * (last - first + 1), score=score, words=last - first + 1, kind=kind)


def test_pieces_join_into_the_kind_that_claims_least_with_their_weighted_score():
    joined = join_neighbours([_match(10, 29, kind="verbatim", score=1.0),
                              _match(35, 44, at=250, kind="paraphrase", score=0.7)], TOKENS, 15)
    (match,) = joined
    assert (match.this_start, match.this_end) == (_at(10), int(TOKENS.ends[44]))
    assert (match.source_start, match.source_end) == (0, 350)
    assert match.kind == "paraphrase" and match.words == 35
    assert match.score == pytest.approx((20 * 1.0 + 10 * 0.7) / 30)


def test_pieces_stay_apart_across_a_long_gap_a_distant_source_span_or_another_sources_match():
    first = _match(10, 29)
    assert len(join_neighbours([first, _match(46, 60, at=300)], TOKENS, 15)) == 2  # 16 words between
    far = 200 + JOIN_SOURCE_GAP_CHARS + 1
    assert len(join_neighbours([first, _match(35, 50, at=far)], TOKENS, 15)) == 2
    other = _match(31, 33, source=2)
    assert len(join_neighbours([first, other, _match(35, 50, at=250)], TOKENS, 15)) == 3
    # the same words found again at another place of the source are no neighbour (attribution
    # then keeps one of the two)
    assert len(join_neighbours([first, _match(12, 29, at=300)], TOKENS, 15)) == 2
    # a rewriter moves sentences: a piece found before the first in the source joins it
    assert len(join_neighbours([_match(10, 29, at=500), _match(35, 50, at=100)], TOKENS, 15)) == 1
