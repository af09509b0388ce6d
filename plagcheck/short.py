"""Short exact copies: a copied sentence is too short for MinHash over 40-word passages.

The index holds winnowed fingerprints of each corpus document's word k-grams
(:func:`plagcheck.index.document_prints`), each filed under the corpus passage its k-gram
starts in: any run of ``k + w - 1`` identical stems (8 by default) shares at least one of them.
A check looks up the key of *every* k-gram of the checked text; each hit (a word of the checked
text, a corpus passage) is a seed. The seed's passage and its neighbours are tokenized, the seed
is found in them by its key, and the run of identical stems around it is extended both ways.
Runs of at least ``settings.min_short_words`` words (numbers do not count) are matches of kind
``"short"``. Such a run is carried over the small edits around it (a word dropped, inserted or
swapped, :func:`_bridged`), and runs of one source close together on one diagonal (a sentence
with a word changed) merge into one match, whose score is the share of its words that are
identical.

Words are compared as the index compares them (normalized, truncated stems, with lookalike
letters in one script: :func:`plagcheck.index.print_words`), so homoglyphs, invisible characters
and line-end hyphenation make no difference, and every match is mapped back to the original
characters of both texts through the tokens' spans.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from plagcheck import defaults
from plagcheck.index import Analysis, print_keys, print_words
from plagcheck.models import Match, Tokens
from plagcheck.normalize import stems, tokenize
from plagcheck.settings import Settings
from plagcheck.storage import PRINTS, StoredPassage, Store

log = logging.getLogger(__name__)
SHORT, VERBATIM = "short", "verbatim"
BRIDGE_WORDS = 2  # a run carried over an edit resumes where this many identical words agree ...
BRIDGE_SKIP = 3   # ... at most this many words further in either text


@dataclass(frozen=True)
class Run:
    """Words ``this_first:this_stop`` of the checked text against words
    ``source_first:source_stop`` of a source document (characters ``source_start:source_end``),
    ``same`` of them identical stems: all of them, unless neighbouring runs were merged."""

    this_first: int
    this_stop: int
    source_first: int
    source_stop: int
    source_start: int
    source_end: int
    same: int


def short_matches(store: Store, analysis: Analysis, texts, settings: Settings,
                  excluded: set[int] | frozenset[int] = frozenset(),
                  verbatim: list[Match] | tuple[Match, ...] = ()) -> list[Match]:
    """Short exact copies of corpus text in the checked document (see the module docstring).

    ``texts`` maps a document id to its stored text (read once per check); documents in
    ``excluded`` are never sources; a seed inside a ``verbatim`` match of the same source is
    skipped, since that text is found already.
    """
    params = store.params
    if not store.has_prints:
        log.warning("%s: index generation %d has no fingerprints (it was built before short-copy detection), "
                    "so short copies are not looked for; run 'plagcheck reindex --full' to build them",
                    store.location, store.generation)
        return []
    this = print_words(analysis.stems)
    keys = print_keys(this, params)
    if not len(keys):
        return []
    hits = store.lookup_buckets(keys, defaults.MAX_FINGERPRINT_PASSAGES, table=PRINTS)
    if not hits:
        return []
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    hit_keys, hit_passages = (np.array(column, dtype=np.int64) for column in zip(*hits))
    lo = np.searchsorted(sorted_keys, hit_keys, "left")
    count = np.searchsorted(sorted_keys, hit_keys, "right") - lo  # a k-gram may occur more than once
    at = order[np.repeat(lo, count) + np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)]
    seeds: dict[int, list[int]] = defaultdict(list)  # corpus passage -> words of the checked text
    for pid, i in zip(np.repeat(hit_passages, count).tolist(), at.tolist()):
        seeds[pid].append(i)
    passages = {pid: p for pid, p in store.passages({q for pid in seeds for q in (pid - 1, pid, pid + 1)}).items()
                if p.doc_id not in excluded}
    tokens = analysis.tokens
    covered = _covered_words(tokens, verbatim)
    # Numbers are not words of a sentence: identical dates and figures ("500 – 449") are no copy.
    lettered = np.cumsum([0] + [not word.isdigit() for word in tokens.words])
    by_doc: dict[int, set[int]] = defaultdict(set)
    for pid in seeds:
        if pid in passages:
            doc_id = passages[pid].doc_id
            by_doc[doc_id] |= {q for q in (pid - 1, pid, pid + 1) if q in passages and passages[q].doc_id == doc_id}
    matches = []
    for doc_id, pids in sorted(by_doc.items()):
        skip = covered.get(doc_id)
        runs: set[Run] = set()
        for ids in _contiguous(sorted(pids)):  # a region: consecutive passages of the source
            first, last = passages[ids[0]], passages[ids[-1]]
            region_tokens, region_stems = _region(texts[doc_id], first, last, params)
            words = print_words(region_stems)
            at = _positions(print_keys(words, params))
            found: set[Run] = set()
            for pid in ids:
                for i in seeds.get(pid, ()):
                    if skip is None or not skip[i]:
                        found.update(_extend(this, words, region_tokens, first.first_word, i, at.get(int(keys[i]), ())))
            # only a run long enough to be a copy by itself is carried over the edits around it
            runs.update(_bridged(r, this, words, region_tokens, first.first_word, skip) for r in found
                        if lettered[r.this_stop] - lettered[r.this_first] >= settings.min_short_words)
        for run in _merge(_distinct(runs), settings.seed_gap_words):
            words = run.this_stop - run.this_first
            matches.append(Match(
                source_id=doc_id, this_start=int(tokens.starts[run.this_first]),
                this_end=int(tokens.ends[run.this_stop - 1]), source_start=run.source_start,
                source_end=run.source_end, score=run.same / words, words=words, kind=SHORT))
    return matches


def without_overlaps(short: list[Match], verbatim: list[Match] | tuple[Match, ...]) -> list[Match]:
    """The short matches that overlap no verbatim match of the same source: the MinHash path found
    that text already, and no text is counted twice."""
    spans = defaultdict(list)
    for m in verbatim:
        spans[m.source_id].append((m.this_start, m.this_end))
    return [m for m in short if not any(a < m.this_end and m.this_start < b for a, b in spans[m.source_id])]


def _covered_words(tokens: Tokens, matches) -> dict[int, np.ndarray]:
    """For each source, a mask of the checked text's words inside its (verbatim) matches."""
    out: dict[int, np.ndarray] = {}
    for m in matches:
        mask = out.setdefault(m.source_id, np.zeros(len(tokens), dtype=bool))
        lo, hi = tokens.within(m.this_start, m.this_end)
        mask[lo:hi] = True
    return out


def _contiguous(ids: list[int]) -> list[list[int]]:
    """Sorted passage ids cut into runs of consecutive ids (one source region each)."""
    out: list[list[int]] = []
    for pid in ids:
        if out and pid == out[-1][-1] + 1:
            out[-1].append(pid)
        else:
            out.append([pid])
    return out


def _region(text: str, first: StoredPassage, last: StoredPassage, params) -> tuple[Tokens, list[str]]:
    """The words of a source from passage ``first`` to passage ``last``, with offsets in the
    whole source text, and their stems (only the stems are compared)."""
    found = tokenize(text[first.start:last.end])
    tokens = Tokens(found.words, found.starts + first.start, found.ends + first.start)
    return tokens, stems(tokens, params.stem_prefix)


def _positions(keys: np.ndarray) -> dict[int, list[int]]:
    """Where each k-gram key occurs."""
    at: dict[int, list[int]] = defaultdict(list)
    for j, key in enumerate(keys.tolist()):
        at[key].append(j)
    return at


def _extend(this: list[str], source: list[str], toks: Tokens, offset: int, i: int, places) -> list[Run]:
    """The maximal runs of identical words (:func:`~plagcheck.index.print_words`) through word
    ``i`` of the checked text and each of ``places`` (the words of a source region, ``source``,
    where its k-gram's key occurs); ``toks`` are the region's tokens, ``offset`` its first word
    in its document."""
    runs = []
    for j in places:
        a, b = i, j
        while a > 0 and b > 0 and this[a - 1] == source[b - 1]:
            a, b = a - 1, b - 1
        c, d = i, j
        while c < len(this) and d < len(source) and this[c] == source[d]:
            c, d = c + 1, d + 1
        if c > a:  # a key without its words (a hash collision) gives no run
            runs.append(Run(a, c, offset + b, offset + d, int(toks.starts[b]), int(toks.ends[d - 1]), c - a))
    return runs


def _bridged(run: Run, this: list[str], source: list[str], toks: Tokens, offset: int,
             covered: np.ndarray | None) -> Run:
    """``run`` carried on both ways over small edits: past each end, the nearest place at most
    ``BRIDGE_SKIP`` words further in each text where ``BRIDGE_WORDS`` identical words start again
    continues it (a dropped, inserted or swapped word: what a hurried copy does to a sentence),
    until none is found or the checked text's words are ``covered`` (a verbatim match's). A
    copied 50-word passage with four such edits has no gap-free stretch of more than a dozen
    words; each stretch alone is too short to count, carried from one that is long enough it is
    found whole. ``same`` counts only the identical words."""
    a, b = run.this_first, run.source_first - offset
    c, d = run.this_stop, run.source_stop - offset
    same = run.same
    free = (lambda i: covered is None or not covered[i])

    def resync(c: int, d: int, step: int) -> tuple[int, int] | None:
        """The nearest (i, j) past (c, d) in direction ``step`` where BRIDGE_WORDS words agree."""
        for total in range(1, 2 * BRIDGE_SKIP + 1):
            for x in range(max(0, total - BRIDGE_SKIP), min(total, BRIDGE_SKIP) + 1):
                i, j = c + step * x, d + step * (total - x)
                lo_i, lo_j = (i, j) if step > 0 else (i - BRIDGE_WORDS + 1, j - BRIDGE_WORDS + 1)
                if (lo_i >= 0 and lo_j >= 0 and lo_i + BRIDGE_WORDS <= len(this) and lo_j + BRIDGE_WORDS <= len(source)
                        and all(free(k) for k in range(lo_i, lo_i + BRIDGE_WORDS))
                        and this[lo_i:lo_i + BRIDGE_WORDS] == source[lo_j:lo_j + BRIDGE_WORDS]):
                    return i, j
        return None

    while (at := resync(c, d, 1)) is not None:  # forward: c, d are the first words after the run
        c, d = at
        while c < len(this) and d < len(source) and this[c] == source[d] and free(c):
            c, d, same = c + 1, d + 1, same + 1
    while (at := resync(a - 1, b - 1, -1)) is not None:  # backward: a, b are the run's first words
        a, b = at[0] + 1, at[1] + 1
        while a > 0 and b > 0 and this[a - 1] == source[b - 1] and free(a - 1):
            a, b, same = a - 1, b - 1, same + 1
    if (a, c) == (run.this_first, run.this_stop):
        return run
    return Run(a, c, offset + b, offset + d, int(toks.starts[b]), int(toks.ends[d - 1]), same)


def _distinct(runs) -> list[Run]:
    """One run per stretch of the checked text: a stretch found at several places of the source
    (a repeated sentence) keeps the first; a run inside a longer one is the same text again."""
    out: list[Run] = []
    for run in sorted(runs, key=lambda r: (r.this_first, -r.this_stop, r.source_first)):
        if out and run.this_stop <= out[-1].this_stop:
            continue
        out.append(run)
    return out


def _merge(runs: list[Run], gap: int) -> list[Run]:
    """Join runs in text order that lie within ``gap`` words of each other in both texts, in the
    same order and on nearly the same diagonal: a copied sentence with a word changed is one
    match."""
    out: list[Run] = []
    for run in runs:
        last = out[-1] if out else None
        # runs carried over edits (_bridged) from two places of one copy may overlap
        if (last is not None and last.this_first <= run.this_first and run.this_first - last.this_stop <= gap
                and last.source_first <= run.source_first and run.source_first - last.source_stop <= gap
                and abs((run.source_first - run.this_first) - (last.source_stop - last.this_stop)) <= gap // 2):
            overlap = max(0, last.this_stop - run.this_first)
            new_words = max(0, run.this_stop - last.this_stop)
            same = last.same + round(run.same * new_words / max(run.this_stop - run.this_first, 1)) if overlap \
                else last.same + run.same
            out[-1] = Run(last.this_first, max(last.this_stop, run.this_stop), last.source_first,
                          max(last.source_stop, run.source_stop), last.source_start,
                          max(last.source_end, run.source_end), same)
        else:
            out.append(run)
    return out
