"""Evasion alerts found in a document's text, each with its location.

Extraction already reports what only the file shows (white, microscopic or hidden text, pages
without a text layer: :attr:`Document.alerts`); this module adds what the text itself shows:
Latin/Cyrillic homoglyphs inside words, invisible characters, and letters spaced apart.
Alerts of one kind that lie close together are reported as one run, so that a page written with
substituted letters gives one alert, not hundreds.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from plagcheck import defaults
from plagcheck.models import Alert, Document
from plagcheck.normalize import (CYRILLIC, INVISIBLE_CHARS, LATIN, LATIN_TO_CYRILLIC, CYRILLIC_TO_LATIN,
                                 char_script, word_script)

_LATIN_LOOKALIKES = frozenset(chr(k) for k in LATIN_TO_CYRILLIC)
_CYRILLIC_LOOKALIKES = frozenset(chr(k) for k in CYRILLIC_TO_LATIN)
_KEYBOARD_I = frozenset("iI")  # Kazakh і typed as Latin i out of keyboard habit: not an attack
_KAZAKH_I = frozenset("\u0456\u0406")  # ... and the other way round: a Latin term typed on a Kazakh keyboard
_SOFT_HYPHEN = "\u00ad"
_WORD_RE = re.compile(rf"[\w{re.escape(INVISIBLE_CHARS)}]+")
_INVISIBLE_RE = re.compile(f"[{re.escape(INVISIBLE_CHARS)}]+")
_SPACED_RE = re.compile(
    rf"(?<!\w)(?:[^\W\d_][ \u00a0\u2009\u200a]){{{defaults.LETTER_SPACING_MIN_LETTERS - 1},}}[^\W\d_](?!\w)")


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    note: str


def find_alerts(document: Document) -> tuple[Alert, ...]:
    """All evasion alerts of ``document``: those of extraction and those found in its text, by position."""
    found = list(document.alerts) + text_alerts(document.text, document)
    if not any(a.kind == "legacy_font" for a in document.alerts):  # extraction knew the font: said once
        found += legacy_font_alerts(document.text, document)
    return tuple(sorted(found, key=lambda a: (a.start if a.start is not None else -1, a.kind)))


# Letters of no Kazakh or Russian word: other Cyrillic alphabets' (Ukrainian, Belarusian, Serbian,
# Macedonian) and the Windows-1251 symbols beside them. The pre-Unicode Kazakh "KZ" fonts put
# ә ғ қ ң ө ұ ү һ і on such code points of Windows-1251, so that a text typed in one, once read
# as Unicode, shows them inside Cyrillic words where its Kazakh letters should be. (No documented
# mapping of those fonts was found to re-map them; README "Legacy Kazakh fonts".)
_FOREIGN_CYRILLIC = frozenset("ЂЃЉЊЌЋЏђѓљњќћџЎўЈҐґЄєЇїЅѕ" "¤¦§©¬®°±µ¶·")
_CYRILLIC_WORD_RE = re.compile(r"[\w" + "".join(sorted(_FOREIGN_CYRILLIC)) + r"]+")


def legacy_font_alerts(text: str, document: Document | None = None) -> list[Alert]:
    """One alert when Cyrillic words hold letters of no Kazakh or Russian word in numbers a
    stray Ukrainian name or a © does not reach: the symptom of a legacy Kazakh "KZ" font."""
    hits, cyrillic_words = [], 0
    for m in _CYRILLIC_WORD_RE.finditer(text):
        word = m.group()
        letters = sum(char_script(ch) == CYRILLIC for ch in word)
        if 2 * letters < len(word):
            continue
        cyrillic_words += 1
        if any(ch in _FOREIGN_CYRILLIC for ch in word):
            hits.append(_Hit(m.start(), m.end(), word))
    if len(hits) < defaults.LEGACY_FONT_MIN_WORDS or len(hits) < defaults.LEGACY_FONT_MIN_SHARE * cyrillic_words:
        return []
    shown = ", ".join(repr(h.note) for h in hits[:3])
    signs = "".join(sorted({ch for h in hits for ch in h.note if ch in _FOREIGN_CYRILLIC}))
    page = document.page_of(hits[0].start) if document is not None else None
    return [Alert("legacy_font", f"{len(hits)} of {cyrillic_words} Cyrillic words hold characters of no Kazakh or "
                  f"Russian word ({signs}), e.g. {shown}: the text looks typed in a legacy Kazakh \"KZ\" font, "
                  "which stores ә ғ қ ң ө ұ ү һ і as other characters; it cannot be compared reliably "
                  "(retype it, or convert it with a KZ-font converter)", hits[0].start, hits[0].end, page)]


def text_alerts(text: str, document: Document | None = None) -> list[Alert]:
    """Homoglyph, invisible-character and letter-spacing alerts in ``text``.

    ``document`` (optional) supplies page numbers for the alerts.
    """
    alerts = []
    from plagcheck.language import detect_language

    alerts += _runs("homoglyph", homoglyph_words(text, kazakh=detect_language(text) == "kk"), text, document,
                    "{n} word(s) mixing Latin and Cyrillic lookalike letters", 3)
    alerts += _runs("invisible_characters", _invisible_hits(text), text, document,
                    "{n} invisible character(s) inside words", 0)
    alerts += _runs("letter_spacing", [_Hit(m.start(), m.end(), "") for m in _SPACED_RE.finditer(text)],
                    text, document, "{n} run(s) of letters spaced apart", 3)
    return alerts


def homoglyph_words(text: str, kazakh: bool = False) -> list[_Hit]:
    """Words written mostly in one script with lookalike letters of the other script inside.

    A word is flagged when it mixes Latin and Cyrillic letters, every letter of the minority script
    is a lookalike of a letter of the majority script, and the word is not a Kazakh (Cyrillic) word
    whose only Latin letters are ``i``/``I`` (keyboard habit, not an attack). In a Kazakh text
    (``kazakh``), a Latin word whose only Cyrillic letters are the Kazakh ``і``/``І`` is the same
    habit the other way round (``transplantatіon`` in Kazakh Wikipedia), not an attack.

    >>> [h.note for h in homoglyph_words("Мaтeмaтикa и бiлiм, Kazakhstan")]
    ["'Мaтeмaтикa': Latin a, e in a Cyrillic word"]
    """
    hits = []
    for m in _WORD_RE.finditer(text):
        word = m.group()
        scripts = [char_script(ch) for ch in word]
        cyr = [ch for ch, s in zip(word, scripts) if s == CYRILLIC]
        lat = [ch for ch, s in zip(word, scripts) if s == LATIN]
        if not cyr or not lat:
            continue
        # The letters that exist in one script only decide the word's script; failing that, the count.
        majority = word_script(word) or (CYRILLIC if len(cyr) >= len(lat) else LATIN)
        if majority == CYRILLIC:
            minority, lookalikes = lat, _LATIN_LOOKALIKES
        else:
            minority, lookalikes = cyr, _CYRILLIC_LOOKALIKES
        if not set(minority) <= lookalikes:
            continue  # e.g. "Kazinformтың": a real suffix, not a disguise
        if majority == CYRILLIC and set(minority) <= _KEYBOARD_I:
            continue
        if kazakh and majority == LATIN and set(minority) <= _KAZAKH_I:
            continue
        other = "Latin" if majority == CYRILLIC else "Cyrillic"
        letters = ", ".join(sorted(set(minority)))
        hits.append(_Hit(m.start(), m.end(), f"{_clean_word(word)!r}: {other} {letters} in a {majority.capitalize()} word"))
    return hits


def _clean_word(word: str) -> str:
    return "".join(ch for ch in word if ch not in INVISIBLE_CHARS)


def _invisible_hits(text: str) -> list[_Hit]:
    """Runs of invisible characters with a letter on both sides (a BOM or stray mark between words is harmless)."""
    hits = []
    for m in _INVISIBLE_RE.finditer(text):
        start, end = m.span()
        if start == 0 or end >= len(text) or not text[start - 1].isalnum() or not text[end].isalnum():
            continue
        names = sorted({unicodedata.name(ch, f"U+{ord(ch):04X}") for ch in m.group()})
        hits.append(_Hit(start, end, ", ".join(names)))
    return hits


def _runs(kind: str, hits: list[_Hit], text: str, document: Document | None, summary: str,
          examples: int) -> list[Alert]:
    """Group hits closer than ALERT_RUN_GAP_CHARS into one alert each."""
    groups: list[list[_Hit]] = []
    for hit in hits:
        if groups and hit.start - groups[-1][-1].end <= defaults.ALERT_RUN_GAP_CHARS:
            groups[-1].append(hit)
        else:
            groups.append([hit])
    alerts = []
    for group in groups:
        if kind == "invisible_characters":
            count = sum(h.end - h.start for h in group)
            only_soft = all(set(text[h.start:h.end]) == {_SOFT_HYPHEN} for h in group)
            if only_soft and count < defaults.SOFT_HYPHEN_MIN_RUN:
                continue  # a few soft hyphens are ordinary hyphenation hints
            names = sorted({n for h in group for n in h.note.split(", ")})
            message = f"{count} invisible character(s) inside words ({', '.join(names).lower()})"
        else:
            message = summary.format(n=len(group))
            if kind == "letter_spacing":
                shown = [repr(text[h.start:h.end][:40]) for h in group[:examples]]
            else:
                shown = [h.note for h in group[:examples]]
            message += ": " + "; ".join(shown) + (" …" if len(group) > examples else "")
        start, end = group[0].start, group[-1].end
        page = document.page_of(start) if document is not None else None
        if page is not None:
            message += f" (page {page})"
        alerts.append(Alert(kind, message, start, end, page))
    return alerts
