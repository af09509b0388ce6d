"""Language of a document: kk, ru, en or mixed, from its letters (cheap and good enough here)."""

from __future__ import annotations

from collections import Counter

from plagcheck.normalize import per_spelling

# Letters of the Kazakh Cyrillic alphabet that Russian does not have.
KAZAKH_LETTERS = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
LANGUAGES = ("kk", "ru", "en", "mixed")


@per_spelling
def _word_language(word: str) -> str | None:
    """``'kk'`` or ``'ru'`` for a Cyrillic word (by Kazakh-only letters), ``'en'`` for a Latin one."""
    letters = [c for c in word if c.isalpha()]
    if not letters:
        return None
    cyr = sum(1 for c in letters if "\u0400" <= c <= "\u04ff")
    if cyr * 2 > len(letters):
        return "kk" if any(c in KAZAKH_LETTERS and c not in "іІ" for c in letters) else "ru"
    if all("a" <= c.lower() <= "z" for c in letters):
        return "en"
    return None


def detect_language(text: str, sample: int = 200_000) -> str:
    """``'kk'``, ``'ru'``, ``'en'`` or ``'mixed'`` (two of them, each at least a fifth of the text).

    Kazakh is told from Russian by its own letters: they make up several percent of the letters
    of any Kazakh text and almost none of a Russian one (Ukrainian-style і aside).

    >>> detect_language("Бұл жұмыста білім беру жүйесі қарастырылады")
    'kk'
    >>> detect_language("Работа посвящена системе образования")
    'ru'
    """
    counts = Counter()
    cyrillic_words = Counter()
    for word, n in Counter(text[:sample].split()).items():  # each distinct word judged once
        kind = _word_language(word)
        if kind in ("kk", "ru"):
            cyrillic_words[kind] += n
            counts["cyrillic"] += n
        elif kind == "en":
            counts["en"] += n
    total = counts["cyrillic"] + counts["en"]
    if total == 0:
        return "mixed"
    # About half of Kazakh words carry a Kazakh-only letter and almost no Russian word does, so
    # the share of marked words tells kk from ru, and a middling share means both side by side.
    kk_share = cyrillic_words["kk"] / max(1, counts["cyrillic"])
    cyrillic_language = "kk" if kk_share >= 0.3 else "mixed" if kk_share >= 0.08 else "ru"
    shares = {"en": counts["en"] / total, cyrillic_language: counts["cyrillic"] / total}
    major = [lang for lang, share in shares.items() if share >= 0.2]
    if len(major) > 1:
        return "mixed"
    return max(shares, key=shares.get)
