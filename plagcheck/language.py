"""Language of a document: kk, ru, en or mixed, from its letters (cheap and good enough here)."""

from __future__ import annotations

from collections import Counter

# Letters of the Kazakh Cyrillic alphabet that Russian does not have.
KAZAKH_LETTERS = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
LANGUAGES = ("kk", "ru", "en", "mixed")


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
    for word in text[:sample].split():
        letters = [c for c in word if c.isalpha()]
        if not letters:
            continue
        cyr = sum(1 for c in letters if "\u0400" <= c <= "\u04ff")
        if cyr * 2 > len(letters):
            kazakh = any(c in KAZAKH_LETTERS and c not in "іІ" for c in letters)
            cyrillic_words["kk" if kazakh else "ru"] += 1
            counts["cyrillic"] += 1
        elif all("a" <= c.lower() <= "z" for c in letters):
            counts["en"] += 1
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
