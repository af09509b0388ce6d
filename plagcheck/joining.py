"""Neighbouring matches of one source joined into one passage.

A rewritten passage reaches the detectors in pieces. A lightly paraphrased one keeps verbatim
stretches between its changed words (the MinHash path and the fingerprints find those), a
heavily paraphrased one has sentences the semantic layer aligns beside others it does not: on
the paraphrase benchmark a passage came out as 2.4 matches on average, most of them a few words
apart. A supervisor reads one passage from one source there, as Antiplagiat and Turnitin show it,
and so does PAN's granularity. Matches of one source are joined when at most ``gap_words`` words
of the checked text lie between them, their source spans are at most ``JOIN_SOURCE_GAP_CHARS``
apart (in either order: a rewriter moves sentences), no other source's match lies between
them, and the later one is not mostly words the earlier ones hold already (the same words found
again at another place of the source: attribution keeps one of them). The few words between two pieces go with them: they are the rewritten words of the same
passage, not text of the student's own.

The joined match is of the kind that claims least: a translation if a piece is one, else a
paraphrase if a piece is one (the report then says it is evidence to review), else verbatim if a
piece is, else short; its score is its pieces' mean, weighted by their words.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from plagcheck.models import Match, Tokens

JOIN_SOURCE_GAP_CHARS = 400  # about 50 words (two or three sentences) between the pieces' source spans
KIND_ORDER = ("translation", "paraphrase", "verbatim", "short")  # the joined match takes the first present


def join_neighbours(matches: Sequence[Match], tokens: Tokens, gap_words: int) -> list[Match]:
    """``matches`` with neighbouring matches of one source joined (see the module docstring)."""
    if len(matches) < 2:
        return list(matches)
    by_source: dict[int, list[int]] = defaultdict(list)
    for i, m in enumerate(matches):
        by_source[m.source_id].append(i)
    out: list[tuple[int, Match]] = []  # (the first piece's place in ``matches``, the joined match)
    for source_id, pieces in by_source.items():
        others = [(m.this_start, m.this_end) for m in matches if m.source_id != source_id]
        group: list[int] = []
        for i in sorted(pieces, key=lambda i: (matches[i].this_start, matches[i].this_end)):
            if group and _near([matches[g] for g in group], matches[i], tokens, gap_words, others):
                group.append(i)
            else:
                if group:
                    out.append((min(group), _joined([matches[g] for g in group], tokens)))
                group = [i]
        out.append((min(group), _joined([matches[g] for g in group], tokens)))
    # in the order the matches came: attribution breaks ties between equally strong matches by it
    return [m for _, m in sorted(out, key=lambda pair: pair[0])]


def _near(group: list[Match], m: Match, tokens: Tokens, gap_words: int, others: list[tuple[int, int]]) -> bool:
    """Whether ``m`` joins ``group`` (matches of its source, in text order)."""
    end = max(g.this_end for g in group)
    if 2 * (min(end, m.this_end) - m.this_start) > m.this_length:
        return False  # mostly text the group has already: found again elsewhere in the source, not a neighbour
    if m.this_start > end and (words_between(tokens, end, m.this_start) > gap_words
                               or any(a < m.this_start and end < b for a, b in others)):
        return False
    source_start, source_end = min(g.source_start for g in group), max(g.source_end for g in group)
    apart = max(m.source_start - source_end, source_start - m.source_end, 0)
    return apart <= JOIN_SOURCE_GAP_CHARS


def words_between(tokens: Tokens, end: int, start: int) -> int:
    """Words of the checked text from character ``end`` (one span's end) to ``start`` (the next
    one's start): 0 when the spans touch or overlap."""
    if start <= end:
        return 0
    return int(np.searchsorted(tokens.starts, start, "left") - np.searchsorted(tokens.starts, end, "left"))


def _joined(group: list[Match], tokens: Tokens) -> Match:
    if len(group) == 1:
        return group[0]
    start, end = min(m.this_start for m in group), max(m.this_end for m in group)
    lo, hi = tokens.within(start, end)
    kinds = {m.kind for m in group}
    weight = sum(m.words for m in group)
    return Match(source_id=group[0].source_id, this_start=start, this_end=end,
                 source_start=min(m.source_start for m in group), source_end=max(m.source_end for m in group),
                 score=sum(m.score * m.words for m in group) / max(weight, 1), words=max(hi - lo, 1),
                 kind=next((k for k in KIND_ORDER if k in kinds), group[0].kind),
                 source_language=next((m.source_language for m in group if m.source_language), None))
