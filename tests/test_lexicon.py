"""The semantic layer's candidate step: static unit vectors from the bundled lexicon (plagcheck.lexicon)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from plagcheck import defaults
from plagcheck.lexicon import UNIT_SENTENCES, load_lexicon, unit_spans
from plagcheck.semantic import LANGUAGES, text_sentences, unit_set
from plagcheck.sentences import Sentence

TEXTS = Path(__file__).resolve().parent.parent / "corpus" / "texts"
RU = (TEXTS / "ru" / "03-school-psychology.txt").read_text(encoding="utf-8").split("\n\n")
KK_OF_RU_2 = (  # RU[2] translated into Kazakh for these tests
    "Психологтың көмегі әсіресе мектеп өміріндегі өтпелі кезеңдерде қажет. Бірінші сыныпқа түсу, бастауыш "
    "мектептен негізгі мектепке өту, бітіру емтихандарына дайындық жоғары мазасыздықпен және көбінесе "
    "үлгерімнің төмендеуімен қатар жүреді. Бейімделуді уақтылы диагностикалау қолдауды қажет ететін "
    "балаларды анықтауға және сынып жетекшісімен бірге көмек жоспарын әзірлеуге мүмкіндік береді.")


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon(defaults.LEXICON)


def test_words_are_found_by_their_longest_known_prefix(lexicon):
    stem = lexicon.row("университет")
    assert stem >= 0 and lexicon.words[stem] == "университет"
    assert lexicon.row("университеттеріміздің") == stem  # Kazakh endings on a known stem
    assert lexicon.words[lexicon.row("государственными")] == "государственн"
    assert lexicon.row("qwxzv") == -1                     # nothing known


def test_a_translation_is_nearer_its_source_than_other_text_of_the_source_language(lexicon):
    kk, ru = LANGUAGES.index("kk"), LANGUAGES.index("ru")
    vectors = lexicon.vectors([KK_OF_RU_2, RU[2], RU[1], RU[4]], np.array([kk, ru, ru, ru]))
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    similarity = vectors[1:] @ vectors[0]
    assert similarity[0] > similarity[1:].max() + 0.05, similarity


def test_units_are_three_sentences_cut_alike_in_the_corpus_and_strided_in_a_checked_text(lexicon):
    text = "\n\n".join(RU[:3])
    sentences = text_sentences(text)
    corpus_units = unit_set(text, lexicon, "ru")
    assert len(corpus_units) == len(unit_spans(sentences)) == max(len(sentences) // UNIT_SENTENCES, 1)
    assert corpus_units.starts[0] == sentences[0].start and corpus_units.ends[-1] == sentences[-1].end
    checked = unit_set(text, lexicon, "ru", stride=1)
    assert len(checked) == len(sentences) - UNIT_SENTENCES + 1
    assert [LANGUAGES[c] for c in set(checked.languages.tolist())] == ["ru"]
    assert unit_spans([Sentence(0, 5)]) == [Sentence(0, 5)] and unit_spans([]) == []
