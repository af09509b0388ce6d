"""Translation anchors: what a translated page cannot change, as fingerprints.

The semantic layer's candidate step finds a translation's source by static unit vectors, and at
corpus scale a source no longer stands out from the many texts on its topic. A translator,
though, keeps some words as they are: numbers, and names (of people, places, organisations,
terms), written in the other script by rule ("Выготский", "Vygotsky"). This module reduces such
words to a spelling all three languages share, and files every two of them that lie close
together as one fingerprint key, in a table of the index beside the short-copy fingerprints
(:func:`plagcheck.index.anchor_prints`): a Kazakh page translated from
a Russian source shares several of these pairs with that source, two texts on one topic rarely
more than one (an anchor pair shared by many corpus passages is skipped as a set phrase, as any
fingerprint is).

An anchor is a number of at least two digits, or a name: a word written with a capital letter
that does not start a sentence, or a word in Latin letters inside Cyrillic text. A name is reduced
to its **consonant skeleton**: Cyrillic letters transliterated, spelling variants folded ("dzh",
"j" and "zh"; "ph" and "f"; "w" and "v"; "ck", "c" and "k"; "x" and "ks"), "h" and the vowels
dropped, doubled letters made one, and only the first ``SKELETON_LETTERS`` consonants kept, so that
Russian and Kazakh case endings ("Талвара", "Талвардың") reduce as the name does ("Talwar": tlvr).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from plagcheck.lsh import KEY_BITS  # as wide as a fingerprint key: the store files both alike

log = logging.getLogger(__name__)

SKELETON_LETTERS = 4       # a name's first consonants compared (case endings come after them)
MIN_SKELETON_LETTERS = 3   # a shorter name ("Иран": rn) says too little
PAIR_WORDS = 40            # two anchors at most this many words apart form a pair ...
PAIRS_PER_ANCHOR = 3       # ... with each of the next three (all pairs: twice the index, one case in 120 more)
MAX_ANCHOR_PASSAGES = 50   # a pair in more corpus passages is common (a country and a year), not evidence
CLUSTER_CHARS = 1500       # shared pairs this close in the checked text are one stretch (about a paragraph)

_CYRILLIC = dict(zip("абвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыьэюяәі",
                     ["a", "b", "v", "g", "g", "d", "e", "e", "j", "z", "i", "i", "k", "k", "l", "m", "n", "n",
                      "o", "o", "p", "r", "s", "t", "u", "u", "u", "f", "h", "h", "ts", "č", "š", "š", "", "y",
                      "", "e", "u", "a", "a", "i"]))
_FOLDS = [("dzh", "j"), ("dj", "j"), ("zh", "j"), ("sch", "š"), ("tch", "č"), ("ch", "č"), ("sh", "š"),
          ("ph", "f"), ("ck", "k"), ("kh", "h"), ("th", "t"), ("x", "ks"), ("w", "v"), ("q", "k"),
          ("ts", "s")]
_SOFT_C = re.compile(r"c(?=[eiy])")
_VOWELS = re.compile(r"[aeiouyh]")
_DOUBLES = re.compile(r"(.)\1+")
_WORD = re.compile(r"\w+", re.UNICODE)
_LATIN = re.compile(r"[a-z]", re.IGNORECASE)
_CYRILLIC_LETTER = re.compile(r"[а-яёәіңғүұқөһ]", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…:;«\"“„(\[—–-]\s*$")
_INITIAL = re.compile(r"(?:^|[^\w])[^\W\d_]\.\s*$")  # a single letter and a full stop


@dataclass(frozen=True)
class Anchor:
    """One anchor of a text: its word's index among the text's words (:data:`_WORD` matches),
    its characters, and its folded spelling."""

    word: int
    start: int
    end: int
    spelling: str


def skeleton(word: str) -> str:
    """The consonant skeleton of a name, the same in Kazakh, Russian and English spelling.

    >>> [skeleton(w) for w in ("Talwar", "Талвара", "Талвардың", "Vygotsky", "Выготский", "Джокер", "Joker")]
    ['tlvr', 'tlvr', 'tlvr', 'vgsk', 'vgsk', 'jkr', 'jkr']
    """
    w = "".join(_CYRILLIC.get(c, c) for c in word.lower())
    for a, b in _FOLDS:
        w = w.replace(a, b)
    w = _SOFT_C.sub("s", w).replace("c", "k").replace("z", "s")
    w = _DOUBLES.sub(r"\1", _VOWELS.sub("", w))
    return w[:SKELETON_LETTERS] if w.isalpha() else ""


def text_anchors(text: str) -> list[Anchor]:
    """The anchors of ``text`` in order (see the module docstring)."""
    anchors = []
    cyrillic_text = len(_CYRILLIC_LETTER.findall(text[:20000])) > len(_LATIN.findall(text[:20000]))
    for k, m in enumerate(_WORD.finditer(text)):
        word = m.group()
        if word.isdigit():
            if len(word) >= 2:
                anchors.append(Anchor(k, m.start(), m.end(), word.lstrip("0") or "0"))
            continue
        if not word.isalpha():
            continue
        latin_in_cyrillic = cyrillic_text and bool(_LATIN.match(word))
        if not latin_in_cyrillic and not (word[0].isupper() and not _starts_sentence(text, m.start())):
            continue
        folded = skeleton(word)
        if len(folded) >= MIN_SKELETON_LETTERS:
            anchors.append(Anchor(k, m.start(), m.end(), folded))
    return anchors


def _starts_sentence(text: str, at: int) -> bool:
    """Whether the word at ``at`` opens a sentence (its capital then says nothing): it follows
    the start of a line, a sentence's end or an opening quote or bracket, but not an initial
    ("Л.С. Выготский", "J. Dewey")."""
    before = text[max(0, at - 4):at]
    if not before.strip():
        return True
    return bool(_SENTENCE_END.search(before)) and not _INITIAL.search(text[max(0, at - 6):at])


def anchor_pairs(anchors: list[Anchor], window: int = PAIR_WORDS,
                 per_anchor: int = PAIRS_PER_ANCHOR) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The fingerprint key of each anchor with each of the next ``per_anchor`` anchors of another
    spelling at most ``window`` words further (unordered: a translation may reorder a sentence),
    and the indexes in ``anchors`` of the first and the second of the two."""
    keys, firsts, seconds = [], [], []
    for i, a in enumerate(anchors):
        paired = 0
        for j in range(i + 1, len(anchors)):
            b = anchors[j]
            if b.word - a.word > window or paired == per_anchor:
                break
            if b.spelling != a.spelling:
                keys.append(pair_key(a.spelling, b.spelling))
                firsts.append(i)
                seconds.append(j)
                paired += 1
    return (np.array(keys, dtype=np.int64), np.array(firsts, dtype=np.int64), np.array(seconds, dtype=np.int64))


def pair_key(a: str, b: str) -> int:
    first, second = sorted((a, b))
    digest = hashlib.blake2b(f"anchor\x00{first}\x00{second}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") & ((1 << KEY_BITS) - 1)


@dataclass(frozen=True)
class AnchorHit:
    """Anchor pairs that characters ``this_start:this_end`` of the checked text share with the
    corpus passages ``source_spans`` (characters) of document ``doc``."""

    doc: int
    this_start: int
    this_end: int
    source_spans: tuple[tuple[int, int], ...]
    pairs: int      # distinct anchor pairs shared
    rarity: float   # the sum over them of 1 / the corpus passages holding each


def anchor_hits(store, text: str, excluded=frozenset()) -> list[AnchorHit]:
    """The stretches of ``text`` that share anchor pairs with a corpus document, the rarest first:
    by the sum over their pairs of 1 / the corpus passages holding each (a source's own pairs are
    held by it alone, a topical neighbour's by many), then by pairs. Pairs of one document whose first anchors lie at most ``CLUSTER_CHARS``
    apart in ``text`` are one stretch. A pair held by more than ``MAX_ANCHOR_PASSAGES`` corpus
    passages is common (a country and a year) and ignored; documents in ``excluded`` are never
    sources."""
    from plagcheck.storage import ANCHORS

    if not store.has_anchors:
        log.warning("%s: index generation %d has no translation anchors (it was built before them), so the "
                    "semantic layer's candidates come from static vectors only; run 'plagcheck reindex --full' "
                    "to file them", store.location, store.generation)
        return []
    anchors = text_anchors(text)
    keys, firsts, seconds = anchor_pairs(anchors)
    if not len(keys):
        return []
    found = store.lookup_buckets(keys, MAX_ANCHOR_PASSAGES, table=ANCHORS)
    passages = store.passages({passage for _, passage in found})
    holders = defaultdict(int)
    for key, _ in found:
        holders[key] += 1
    of_key = defaultdict(list)
    for i, key in enumerate(keys.tolist()):
        of_key[key].append(i)
    per_doc = defaultdict(list)
    for key, passage_id in found:
        passage = passages.get(passage_id)
        if passage is None or passage.doc_id in excluded:
            continue
        for i in of_key[key]:
            per_doc[passage.doc_id].append((anchors[firsts[i]].start, anchors[seconds[i]].end, key,
                                            (passage.start, passage.end)))
    hits = []
    for doc, items in per_doc.items():
        items.sort()
        cluster = [items[0]]
        for item in items[1:] + [None]:
            if item is not None and item[0] - cluster[-1][0] <= CLUSTER_CHARS:
                cluster.append(item)
                continue
            shared = {c[2] for c in cluster}
            hits.append(AnchorHit(doc, cluster[0][0], max(c[1] for c in cluster), tuple(sorted({c[3] for c in cluster})),
                                  len(shared), sum(1 / holders[k] for k in shared)))
            cluster = [item]
    hits.sort(key=lambda h: (-h.rarity, -h.pairs, h.doc, h.this_start))
    return hits
