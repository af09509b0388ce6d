"""Normalization: from original text to comparable words, keeping a map back to the original.

Words are found on the *original* text, so each normalized word carries the exact span of
characters it came from. Within a word we apply NFKC, drop zero-width characters, soft hyphens and
stress marks, join line-end hyphenation, fold Latin/Cyrillic homoglyphs to the script of the word
(Kazakh letters stay themselves), casefold and map ё to е.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import numpy as np

from plagcheck.models import Tokens

# Characters that render as nothing: students put them inside words to break matching.
INVISIBLE_CHARS = "\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"
_INVISIBLE_CLASS = "\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff"
_WORD = rf"[\w{_INVISIBLE_CLASS}\u0300-\u036f]+"
# A word may continue after a hyphen at the end of a line: "руко-\nводимый" is one word.
WORD_RE = re.compile(rf"{_WORD}(?:[-\u2010\u2011\u00ac][ \t]*\r?\n[ \t]*{_WORD})*")
# Web and e-mail addresses are not prose: they are left out of the words so that two texts
# citing the same site do not match on its query string.
URL_RE = re.compile(r"(?:https?://|ftp://|www\.)\S+|[\w.+-]+@[\w-]+\.[\w.]+", re.IGNORECASE)
_LINE_HYPHEN_RE = re.compile(r"[-\u2010\u2011\u00ac][ \t]*\r?\n[ \t]*")
_DROP = {ord(c): None for c in INVISIBLE_CHARS}
_DROP.update({cp: None for cp in range(0x0300, 0x0370)})  # stress marks and other combining marks

# Latin letters that look like Cyrillic ones (used inside Cyrillic words) and back.
LATIN_TO_CYRILLIC = str.maketrans({
    "A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "K": "К", "M": "М", "O": "О", "P": "Р",
    "T": "Т", "X": "Х", "Y": "У", "I": "І",
    "a": "а", "c": "с", "e": "е", "o": "о", "p": "р", "x": "х", "y": "у", "i": "і", "h": "һ",
    "k": "к",
})
CYRILLIC_TO_LATIN = str.maketrans({
    "А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H", "К": "K", "М": "M", "О": "O", "Р": "P",
    "Т": "T", "Х": "X", "У": "Y", "І": "I",
    "а": "a", "с": "c", "е": "e", "о": "o", "р": "p", "х": "x", "у": "y", "і": "i", "һ": "h",
    "к": "k", "ѕ": "s", "ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l",
})
_LATIN_LOOKALIKES = frozenset(chr(k) for k in LATIN_TO_CYRILLIC)
_CYRILLIC_LOOKALIKES = frozenset(chr(k) for k in CYRILLIC_TO_LATIN)

CYRILLIC, LATIN = "cyrillic", "latin"


def char_script(ch: str) -> str | None:
    """``'cyrillic'``, ``'latin'`` or None (digits, marks, other scripts)."""
    cp = ord(ch)
    if 0x0400 <= cp <= 0x052F:
        return CYRILLIC
    if ("a" <= ch <= "z") or ("A" <= ch <= "Z") or (0x00C0 <= cp <= 0x024F and ch.isalpha()):
        return LATIN
    return None


def word_script(word: str) -> str | None:
    """The script a word is written in, judged by its letters that exist in only one script.

    Returns None when every letter could be either (``"сор"``/``"cop"``): the context decides.

    >>> word_script("мaмa"), word_script("cop"), word_script("білім")
    ('cyrillic', None, 'cyrillic')
    """
    cyr = lat = 0
    for ch in word:
        script = char_script(ch)
        if script == CYRILLIC and ch not in _CYRILLIC_LOOKALIKES:
            cyr += 1
        elif script == LATIN and ch not in _LATIN_LOOKALIKES:
            lat += 1
    if cyr > lat:
        return CYRILLIC
    if lat > cyr:
        return LATIN
    return None


def _clean(raw: str) -> str:
    """Join line-end hyphenation, apply NFKC and drop invisible and combining characters."""
    if "\n" in raw:
        raw = _LINE_HYPHEN_RE.sub("", raw)
    return unicodedata.normalize("NFKC", raw).translate(_DROP)


def per_spelling(function):
    """Cache ``function(word)`` by spelling: words repeat across a batch of theses, so each is
    judged once. Long "words" (a text layer without spaces) are rare and would only fill the cache."""
    cached = functools.lru_cache(maxsize=2**18)(function)

    @functools.wraps(function)
    def judged(word: str, *args):
        return cached(word, *args) if len(word) <= 40 else function(word, *args)

    return judged


@per_spelling
def _cleaned_with_script(raw: str) -> tuple[str, str | None]:
    cleaned = _clean(raw)
    return cleaned, word_script(cleaned)


@per_spelling  # a resident service or a batch meets the same words again
def fold_word(word: str, script: str | None) -> str:
    """Fold homoglyphs of ``word`` (already cleaned) to ``script``, then casefold and map ё→е.

    >>> fold_word("Мaтeмaтикa", "cyrillic") == fold_word("Математика", "cyrillic")
    True
    """
    if script == CYRILLIC:
        word = word.translate(LATIN_TO_CYRILLIC)
    elif script == LATIN:
        word = word.translate(CYRILLIC_TO_LATIN)
    return word.casefold().replace("ё", "е")


def normalize(text: str, context: str | None = None) -> str:
    """Normalize a short piece of text word by word, dropping everything between words.

    >>> normalize("Руко-\\nводимый  Ёлкой")
    'руководимый елкой'
    """
    return " ".join(tokenize(text, context).words)


def tokenize(text: str, context: str | None = None) -> Tokens:
    """Split ``text`` into normalized words, each with the span of original characters it covers.

    ``context`` is the script assumed for words whose letters exist in both scripts until a word
    that decides it is seen (default: the first decided word of the text).
    """
    words: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pending: list[int] = []  # indexes of undecided words before the first decided one
    urls = [(u.start(), u.end()) for u in URL_RE.finditer(text)] if ("/" in text or "@" in text) else []
    url_index = 0
    for m in WORD_RE.finditer(text):
        if urls:
            while url_index < len(urls) and urls[url_index][1] <= m.start():
                url_index += 1
            if url_index < len(urls) and urls[url_index][0] <= m.start():
                continue
        raw = m.group()
        cleaned, script = _cleaned_with_script(raw)
        if not cleaned:
            continue
        if script is None:
            if context is None:
                pending.append(len(words))
        else:
            if context is None and pending:
                for i in pending:
                    words[i] = fold_word(_clean(text[starts[i]:ends[i]]), script)
                pending.clear()
            context = script
        words.append(fold_word(cleaned, script or context))
        starts.append(m.start())
        ends.append(m.end())
    return Tokens(tuple(words), np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64))


def stems(tokens: Tokens, prefix: int) -> list[str]:
    """Each word truncated to ``prefix`` characters: a crude stemmer that suits ru, kk and en."""
    return [w[:prefix] for w in tokens.words]
