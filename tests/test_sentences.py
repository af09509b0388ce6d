"""Sentence segmentation with character offsets (plagcheck.sentences)."""

from __future__ import annotations

from hypothesis import given, strategies as st

from plagcheck.sentences import Sentence, cut_long, split_sentences


def _texts(text: str) -> list[str]:
    return [text[s.start:s.end] for s in split_sentences(text)]


def test_kazakh_abbreviations_and_initials():
    text = ("Абай, Ыбырай, Шоқан т.б. ағартушылар туралы жазылды. Ә.Н. Нысанбаев пен А. Б. Сейітов "
            "осы мәселені зерттеді, яғни т.с. бағытта. Оқушылар, мұғалімдер т.с.с. Келесі тарау!")
    assert _texts(text) == [
        "Абай, Ыбырай, Шоқан т.б. ағартушылар туралы жазылды.",
        "Ә.Н. Нысанбаев пен А. Б. Сейітов осы мәселені зерттеді, яғни т.с. бағытта.",
        "Оқушылар, мұғалімдер т.с.с.",
        "Келесі тарау!",
    ]


def test_russian_abbreviations_numbers_and_quotes():
    text = ("В 1998 г. проф. И. И. Петров (см. рис. 3) описал школы, гимназии и т.д. "
            "Доля выросла до 3.5 млн. чел., т.е. вдвое. «Так ли это?» Да. Итоги и т.п. подводятся позже.")
    assert _texts(text) == [
        "В 1998 г. проф. И. И. Петров (см. рис. 3) описал школы, гимназии и т.д.",
        "Доля выросла до 3.5 млн. чел., т.е. вдвое.",
        "«Так ли это?»",
        "Да.",
        "Итоги и т.п. подводятся позже.",
    ]


def test_english_abbreviations_list_numbers_and_blank_lines():
    text = ("1. Introduction\n\nDr. J. R. Smith et al. studied schools, e.g. rural ones, in the U.K. "
            "Results vary etc. Some did not.\n\nA heading without a stop\nThe next line.")
    assert _texts(text) == [
        "1. Introduction",
        "Dr. J. R. Smith et al. studied schools, e.g. rural ones, in the U.K. Results vary etc.",
        "Some did not.",
        "A heading without a stop\nThe next line.",
    ]


def test_offsets_are_those_of_the_text_and_of_a_slice():
    text = "  Бірінші сөйлем.   Екінші сөйлем!  "
    sentences = split_sentences(text)
    assert sentences == [Sentence(2, 17), Sentence(20, 34)]
    assert split_sentences(text, 18) == [Sentence(20, 34)]


def test_long_sentences_are_cut_into_pieces():
    text = " ".join(f"w{i}" for i in range(10)) + "."
    pieces = cut_long(text, split_sentences(text), 4)
    assert [len(text[p.start:p.end].split()) for p in pieces] == [4, 4, 2]
    assert pieces[0].start == 0 and pieces[-1].end == len(text)


@given(st.text(alphabet="аәбқ ТБ.!?…\n«»1", max_size=200))
def test_sentences_are_ordered_disjoint_and_trimmed(text):
    sentences = split_sentences(text)
    for a, b in zip(sentences, sentences[1:]):
        assert a.end <= b.start
    for s in sentences:
        piece = text[s.start:s.end]
        assert piece and piece == piece.strip()
    # every non-space character is in some sentence
    covered = set()
    for s in sentences:
        covered.update(range(s.start, s.end))
    assert all(i in covered for i, c in enumerate(text) if not c.isspace())
