"""Sentence segmentation for kk, ru and en, with character offsets into the original text.

The semantic layer aligns sentences, so a translated page is found sentence by sentence and its
spans are exact in both texts. A sentence ends at ``.``, ``!``, ``?`` or ``…`` (with any closing
quotes or brackets) followed by white space and a word that does not start in lower case, and at
a blank line. A full stop does not end a sentence after:

- an abbreviation that stands before what it names: ``г.``, ``гг.``, ``проф.``, ``см.``, ``т.е.``,
  ``яғни``-style ``т.с.``, ``e.g.``, ``Dr.`` … (:data:`PREFIX_ABBREVIATIONS`);
- an initial: ``А. Б. Иванов``, ``Ә.Н. Нысанбаев``, ``J. R. R. Tolkien``;
- a list number at the start of a sentence: ``1. Кіріспе``.

Abbreviations that often close a sentence — ``т.б.``, ``т.с.с.``, ``и т.д.``, ``и т.п.``, ``и др.``,
``etc.`` — end one only when the next word starts with a capital letter.

Pure functions; offsets are those of the text given (no normalization).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PREFIX_ABBREVIATIONS = frozenset("""
г гг в вв ст стр с сс т тт п пп рис табл см ср им проф акад доц канд докт д ж каз рус англ напр
обл р-н ул пр просп пер кв корп им тел изд ред сост гл разд прим мин млн млрд тыс руб тг
т.е т.н т.к т.о т.ч т.с б.з.б б.з.д ж.т.б
e.g i.e cf vs viz al fig figs eq eqs no nos vol vols pp p ch sec dr mr mrs ms prof st jr sr etc.al
""".split())
END_ABBREVIATIONS = frozenset("т.б т.с.с т.д т.п др пр etc".split())
_TERMINATOR = re.compile(r"[.!?…]+[\"'»”’)\]]*(?=\s)|\n[ \t]*\n\s*")
_WORD_BEFORE = re.compile(r"(\S+)$")
_NEXT_CHARACTER = re.compile(r"\S")
_LONGEST_WORD = 100  # characters looked back for the word before a full stop (no real word is longer)


@dataclass(frozen=True)
class Sentence:
    """Characters ``start:end`` of a text (white space trimmed on both sides)."""

    start: int
    end: int


def _ends_sentence(text: str, stop: int, mark: str, next_char: str) -> bool:
    """Whether the terminator ``mark`` ending at ``stop`` closes a sentence before ``next_char``."""
    if next_char.islower():
        return False
    if "." not in mark or mark.rstrip("\"'»”’)]").endswith(("!", "?", "…")):
        return True
    # a bounded look back: searching from the start of the text made splitting a thesis quadratic
    before = _WORD_BEFORE.search(text, max(0, stop - len(mark) - _LONGEST_WORD), stop - len(mark))
    word = before.group(1) if before else ""
    # "и т.д." is written with a space: take the word before it too when the word is "т.д"-like
    bare = word.strip("(«\"'“„[").rstrip(".")
    lower = bare.lower()
    if not bare:
        return True
    if lower in PREFIX_ABBREVIATIONS:
        return False
    if lower in END_ABBREVIATIONS:
        return next_char.isupper()
    letters = bare.replace(".", "")
    if letters.isalpha() and len(letters) <= 3 and all(len(part) == 1 for part in bare.split(".")) \
            and bare[0].isupper():
        return False  # initials: "А." "Ә.Н." "J.R.R."
    if bare.isdigit() and len(bare) <= 3:
        line_start = text.rfind("\n", 0, before.start()) + 1
        if not text[line_start:before.start()].strip():
            return False  # a list number: "1. Кіріспе"
    return True


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Sentence]:
    """The sentences of ``text[start:end]``, as spans of ``text``.

    >>> t = "Бұл т.б. Жаңа сөйлем. Проф. А. Б. Иванов келді, т.е. ол осында! Ал бұл?"
    >>> [t[s.start:s.end] for s in split_sentences(t)]
    ['Бұл т.б.', 'Жаңа сөйлем.', 'Проф. А. Б. Иванов келді, т.е. ол осында!', 'Ал бұл?']
    >>> t = "В 2019 г. было 3.5 млн. чел. и т.д. Далее."
    >>> [t[s.start:s.end] for s in split_sentences(t)]
    ['В 2019 г. было 3.5 млн. чел. и т.д.', 'Далее.']
    """
    end = len(text) if end is None else end
    out: list[Sentence] = []
    begin = start
    for m in _TERMINATOR.finditer(text, start, end):
        mark = m.group()
        if mark[0] == "\n":
            cut = m.start()
        else:
            following = _NEXT_CHARACTER.search(text, m.end(), end)
            if following and not _ends_sentence(text, m.end(), mark, following.group()):
                continue
            cut = m.end()
        _add(text, begin, cut, out)
        begin = m.end()
    _add(text, begin, end, out)
    return out


def _add(text: str, start: int, stop: int, out: list[Sentence]) -> None:
    piece = text[start:stop]
    left = len(piece) - len(piece.lstrip())
    right = len(piece.rstrip())
    if right > left:
        out.append(Sentence(start + left, start + right))


def cut_long(text: str, sentences: list[Sentence], max_words: int) -> list[Sentence]:
    """Sentences of more than ``max_words`` words cut at white space into pieces of at most that
    many (a run-on "sentence" or a paragraph without full stops; the model reads 512 tokens).

    >>> t = "a b c d e f g"
    >>> [t[s.start:s.end] for s in cut_long(t, [Sentence(0, len(t))], 3)]
    ['a b c', 'd e f', 'g']
    """
    out: list[Sentence] = []
    for s in sentences:
        words = [m.span() for m in re.finditer(r"\S+", text[s.start:s.end])]
        if len(words) <= max_words:
            out.append(s)
            continue
        for i in range(0, len(words), max_words):
            piece = words[i:i + max_words]
            out.append(Sentence(s.start + piece[0][0], s.start + piece[-1][1]))
    return out
