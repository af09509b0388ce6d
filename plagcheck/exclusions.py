"""Exclusions: which parts of a checked document do not count toward its similarity, and why.

Pure functions over the document's text, words and matches:

- :func:`find_quotes` — quoted passages (``«…»``, ``"…"``, ``“…”``, ``„…“``) directly followed by a
  citation (``[12]``, ``[12, с. 45]``, ``(Author, 2019)``);
- :func:`find_bibliography` — reference-list entries after a bibliography heading (References,
  Список литературы, Әдебиеттер тізімі …), each recognised by its *form*: a heading followed by
  ordinary prose is not a bibliography;
- :func:`find_common_passages` — matched text that many corpus documents share (title pages,
  standard wording), found from the corpus' own LSH buckets;
- :func:`apply_exclusions` — the text split three ways, as Antiplagiat splits it: borrowed, cited
  (or otherwise excluded) and original, each a share of the *whole* text, adding up to 1.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from plagcheck import defaults
from plagcheck.index import Analysis, passage_keys
from plagcheck.check import word_owners
from plagcheck.models import Alert, Exclusion, Match, Tokens
from plagcheck.passages import Passage
from plagcheck.settings import IndexParams

QUOTE = "quote"
BIBLIOGRAPHY = "bibliography"
COMMON_PASSAGE = "common_passage"
SHORT_MATCH = "short_match"
CITED_KINDS = (QUOTE, BIBLIOGRAPHY, COMMON_PASSAGE)  # text counted as cited; short matches stay original
# The borrowed share split by how the text was taken: word for word (a passage found by MinHash, or
# a sentence found by fingerprints), translated from another language, or paraphrased in its own.
COPIED, TRANSLATION, PARAPHRASE = "copied", "translation", "paraphrase"
BORROWED_PARTS = (COPIED, TRANSLATION, PARAPHRASE)
BORROWED_PART_OF_KIND = {"verbatim": COPIED, "short": COPIED, "translation": TRANSLATION, "paraphrase": PARAPHRASE}

_MAX_QUOTE_CHARS = 4000
_CLOSERS = {"«": "»", "„": "“”", "“": "”", "\"": "\""}  # opening mark → marks that close it
_QUOTE_MARKS_RE = re.compile(r"[«»„“”\"]|\n[ \t]*\n")
_PAGE = r"(?:с|c|б|s|p|pp|S|P|стр|бет)\.?\s*\d+(?:\s*[-–—]\s*\d+)?"
_CITATION_RE = re.compile(
    # [12], [12, 14], [12-14], [12, с. 45], [12; 14, p. 3]
    rf"\[\s*\d+(?:\s*[,;]\s*{_PAGE}|\s*[,;–—-]\s*\d+)*\s*\]"
    # (Author, 2019), (Иванов и др., 2019, с. 5), (Smith 2019: 12)
    rf"|\(\s*[^\W\d_][^()\[\]]{{0,80}}?[\s,]\s*(?:1[5-9]|20)\d\d[a-zа-я]?(?:\s*[,:]\s*(?:{_PAGE}|\d+(?:\s*[-–]\s*\d+)?))?\s*\)")
_WORDS_RE = re.compile(r"\w+")

_BIB_HEADING_RE = re.compile(
    r"^[ \t]*(?:(?:\d+(?:\.\d+)*\.?|[IVX]+\.)[ \t]+)?"
    r"(?:список[ \t]+(?:использованн(?:ых|ой)[ \t]+)?(?:литературы|источников)(?:[ \t]+и[ \t]+литературы)?"
    r"|(?:использованная[ \t]+)?литература|библиография|библиографический[ \t]+список"
    r"|references|bibliography|works[ \t]+cited|reference[ \t]+list|literature"
    r"|(?:пайдаланылған|қолданылған)[ \t]+(?:әдебиеттер|дереккөздер)(?:[ \t]+тізімі)?|әдебиеттер(?:[ \t]+тізімі)?)"
    r"[ \t]*:?[ \t]*$", re.IGNORECASE | re.MULTILINE)
_SECTION_END_RE = re.compile(
    r"^[ \t]*(?:приложени[ея]|appendix|appendices|қосымша(?:лар)?)\b.*$", re.IGNORECASE | re.MULTILINE)
_ENUMERATOR_RE = re.compile(r"^\s*(?:\[\d+\]|\d+[.)])\s")
_REFERENCE_FEATURES = (
    re.compile(r"^\s*(?:\[\d+\]|\d+[.)])\s"),                                 # numbered
    re.compile(r"\b(?:1[5-9]|20)\d\d\b"),                                        # a year
    re.compile(r"(?:^|[\s(])[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ]\.\s?(?:[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ]\.)?"),  # initials
    re.compile(rf"\b{_PAGE}\b|\b\d+\s*(?:с|c|p|б|pp)\.|\bpp?\.\s*\d"),        # pages
    re.compile(r"//|\bURL\b|https?://|\bdoi\b|\bISBN\b|\bISSN\b", re.IGNORECASE),
    re.compile(r"\b(?:М|СПб|Л|Алматы|Астана|Нур-Султан|Москва|London|New York|Oxford|Cambridge|Berlin)\s*:"),
    re.compile(r"\b(?:Vol|Т|т|No|Вып|Issue)\.\s*\d|№\s*\d"),
)
_PUNCTUATION_RE = re.compile(r"[.,:;/–—\-()\[\]№]")


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Outermost quoted passages, quotation marks included, paired with a stack (so that
    «… «Росатом» …» and „…“ inside «…» nest); a quotation never spans a paragraph break.

    >>> text = 'Он сказал: «Это «Росатом» строит» и "ещё"'
    >>> [text[a:b] for a, b in quoted_spans(text)]
    ['«Это «Росатом» строит»', '"ещё"']
    """
    spans = []
    stack: list[tuple[str, int]] = []
    for m in _QUOTE_MARKS_RE.finditer(text):
        mark = m.group()
        if mark[0] == "\n":
            stack.clear()
        elif stack and mark in _CLOSERS[stack[-1][0]]:
            _, opened = stack.pop()
            if not stack:
                spans.append((opened, m.end()))
        elif mark in _CLOSERS:
            stack.append((mark, m.start()))
    return spans


def find_quotes(text: str, alerts: tuple[Alert, ...] | list[Alert] = ()) -> list[Exclusion]:
    """Quoted passages directly followed by a citation, each with its citation.

    A quotation mark inside white, microscopic or hidden text (quotes that only look quoted to the
    checker) does not count, nor does a "quotation" longer than ``MAX_QUOTE_WORDS`` words.

    >>> [e.reason for e in find_quotes('Он писал: «Наука требует всего человека» [3, с. 12].')]
    ['quoted with a citation [3, с. 12]']
    """
    hidden = [(a.start, a.end) for a in alerts
              if a.kind in ("white_text", "microscopic_text", "hidden_text") and a.start is not None]
    out = []
    for start, end in quoted_spans(text):
        gap = re.match(rf"[\s.,;:]{{0,{defaults.CITATION_GAP_CHARS}}}", text[end:])
        citation = _CITATION_RE.match(text, end + gap.end())
        if citation is None:
            continue
        if end - start > _MAX_QUOTE_CHARS or len(_WORDS_RE.findall(text, start, end)) > defaults.MAX_QUOTE_WORDS:
            continue
        if any(s <= pos < e for s, e in hidden for pos in (start, end - 1)):
            continue
        out.append(Exclusion(QUOTE, start, citation.end(), f"quoted with a citation {citation.group()}"))
    return out


@dataclass(frozen=True)
class _Entry:
    start: int
    end: int
    text: str


def find_bibliography(text: str) -> list[Exclusion]:
    """Entries of bibliography sections that look like references.

    A section starts at a heading line (References, Bibliography, Список литературы, Список
    использованных источников, Әдебиеттер тізімі, Пайдаланылған әдебиеттер …) and runs to an
    appendix heading or the end. Within it, each entry (numbered, or one per line) is excluded
    only if it has the form of a reference: short, punctuation-dense, with at least two of a
    number, a year, initials, pages, a URL/DOI/ISBN, a publisher's city or a volume. Prose placed
    after the heading stays in.
    """
    out = []
    headings = list(_BIB_HEADING_RE.finditer(text))
    for k, heading in enumerate(headings):
        stop = len(text)
        end_heading = _SECTION_END_RE.search(text, heading.end())
        if end_heading:
            stop = end_heading.start()
        if k + 1 < len(headings):
            stop = min(stop, headings[k + 1].start())
        entries = [e for e in _entries(text, heading.end(), stop) if is_reference(e.text)]
        if not entries:
            continue  # a heading followed by prose: not a bibliography
        title = heading.group().strip()
        reason = f"bibliography ({title!r}): {len(entries)} reference(s) recognised by their form"
        out.append(Exclusion(BIBLIOGRAPHY, heading.end() - len(heading.group().lstrip()), heading.end(), reason))
        out += [Exclusion(BIBLIOGRAPHY, entry.start, entry.end, reason) for entry in entries]
    return _merge(out)


def _entries(text: str, start: int, stop: int) -> list[_Entry]:
    """Split a section into entries: at numbered lines when there are any, else one per line
    (a line starting in lowercase continues the entry before it)."""
    lines = []
    pos = start
    for line in text[start:stop].splitlines(keepends=True):
        if line.strip():
            lead = len(line) - len(line.lstrip())
            lines.append(_Entry(pos + lead, pos + len(line.rstrip()), line.strip()))
        else:
            lines.append(None)  # blank line: ends an entry
        pos += len(line)
    numbered = any(line is not None and _ENUMERATOR_RE.match(line.text) for line in lines)
    entries: list[_Entry] = []
    open_entry = False
    for line in lines:
        if line is None:
            open_entry = False
            continue
        starts_new = (_ENUMERATOR_RE.match(line.text) is not None if numbered
                      else not line.text[0].islower())
        if open_entry and not starts_new and entries:
            last = entries[-1]
            entries[-1] = _Entry(last.start, line.end, text[last.start:line.end])
        else:
            entries.append(line)
        open_entry = True
    return entries


def is_reference(entry: str) -> bool:
    """Whether one bibliography entry has the form of a reference rather than of prose.

    >>> is_reference("1. Иванов И.И. Теория систем. – М.: Наука, 2019. – 240 с.")
    True
    >>> is_reference("Smith, J. (2020). Plagiarism detection. Journal of Computing, 12(3), 45-67.")
    True
    >>> is_reference("Президент отметил, что укрепление кадрового потенциала атомной отрасли имеет "
    ...              "для Казахстана первостепенное значение, и в 2024 году начнется строительство.")
    False
    """
    words = len(_WORDS_RE.findall(entry))
    if words == 0 or words > defaults.MAX_REFERENCE_WORDS:
        return False
    features = sum(1 for pattern in _REFERENCE_FEATURES if pattern.search(entry))
    density = len(_PUNCTUATION_RE.findall(entry)) / words
    return features >= 2 and (density >= 0.3 or (words <= 12 and features >= 3))


def find_common_passages(analysis: Analysis, matches: list[Match] | tuple[Match, ...], params: IndexParams,
                         bucket_documents: Callable[[np.ndarray], dict[int, set[int]]],
                         min_documents: int = defaults.COMMON_PASSAGE_MIN_DOCS,
                         ignore_ids: frozenset[int] | set[int] = frozenset()) -> list[Exclusion]:
    """Matched text shared by at least ``min_documents`` corpus documents (templates, title pages).

    Windows of ``passage_words`` words (a quarter apart) are laid over each match and hashed to
    LSH bucket keys exactly as the index does; ``bucket_documents`` (``Store.bucket_documents``)
    says which corpus documents have a passage in each bucket. A window whose buckets reach
    ``min_documents`` distinct documents (``ignore_ids`` not counted) is excluded. Corpus passages
    are fixed windows, so a window straddling two of them may miss the end of a shared block: the
    rest of the match beside a common window, if shorter than one passage, is excluded with it.
    """
    tokens = analysis.tokens
    windows: list[Passage] = []
    owners: list[int] = []
    ranges: list[tuple[int, int]] = []
    for k, m in enumerate(matches):
        lo, hi = tokens.within(m.this_start, m.this_end)
        ranges.append((lo, hi))
        size = min(params.passage_words, hi - lo)
        if size <= params.shingle_size:
            continue
        firsts = list(range(lo, hi - size + 1, max(1, size // 4)))
        if firsts[-1] != hi - size:
            firsts.append(hi - size)
        windows += [Passage(a, size, int(tokens.starts[a]), int(tokens.ends[a + size - 1])) for a in firsts]
        owners += [k] * len(firsts)
    if not windows:
        return []
    kept_mask = [True] * len(windows)
    kept, keys = passage_keys(analysis, windows, params)
    if len(kept) != len(windows):
        kept_set = {(p.first_word, p.words) for p in kept}
        kept_mask = [(w.first_word, w.words) in kept_set for w in windows]
    owners = [k for k, keep in zip(owners, kept_mask) if keep]
    documents = bucket_documents(keys)
    common: dict[int, list[tuple[int, int, int]]] = {}  # match → (first word, stop, documents)
    for window, owner, row in zip(kept, owners, keys.tolist()):
        shared = set().union(*(documents.get(key, set()) for key in row)) - set(ignore_ids)
        if len(shared) >= min_documents:
            common.setdefault(owner, []).append((window.first_word, window.first_word + window.words, len(shared)))
    spans = []
    for k, found in common.items():
        lo, hi = ranges[k]
        found.sort()
        first, stop = found[0][0], max(f[1] for f in found)
        # Cover gaps and ends shorter than one passage: LSH could not judge them on their own.
        first = lo if first - lo < params.passage_words else first
        stop = hi if hi - stop < params.passage_words else stop
        merged = [[first, found[0][1], found[0][2]]]
        for a, b, n in found[1:]:
            if a - merged[-1][1] < params.passage_words:
                merged[-1][1], merged[-1][2] = max(merged[-1][1], b), max(merged[-1][2], n)
            else:
                merged.append([a, b, n])
        merged[-1][1] = max(merged[-1][1], stop)
        for a, b, n in merged:
            spans.append(Exclusion(COMMON_PASSAGE, int(tokens.starts[a]), int(tokens.ends[b - 1]),
                                   f"shared by {n} corpus documents (standard wording)"))
    return _merge(spans, keep_reason="max")


def _merge(spans: list[Exclusion], keep_reason: str = "first") -> list[Exclusion]:
    """Merge overlapping or touching spans of the same kind."""
    out: list[Exclusion] = []
    for span in sorted(spans, key=lambda s: (s.kind, s.start, s.end)):
        last = out[-1] if out else None
        if last and last.kind == span.kind and span.start <= last.end + 1:
            reason = last.reason
            if keep_reason == "max" and _count(span.reason) > _count(last.reason):
                reason = span.reason
            out[-1] = Exclusion(last.kind, last.start, max(last.end, span.end), reason)
        else:
            out.append(span)
    return sorted(out, key=lambda s: (s.start, s.end))


def _count(reason: str) -> int:
    m = re.search(r"\d+", reason)
    return int(m.group()) if m else 0


@dataclass(frozen=True)
class Coverage:
    """The text split three ways, each a fraction of the characters of *all* the document's words.

    ``similarity`` (borrowed) + ``cited`` + ``original`` = 1. An exclusion only moves text from
    borrowed (or original) to cited, never out of the total: a figure cannot rise because
    something was excluded, and the sources' ``shares`` add up to ``similarity``.
    """

    similarity: float                         # borrowed: in a counted match, outside every exclusion
    cited: float                              # inside a quote, bibliography or common-passage exclusion
    original: float                           # the rest (no match, or only a match too short to count)
    similarity_without_exclusions: float      # in any match, exclusions ignored
    shares: dict[int, float]                  # source id -> its part of ``similarity``
    shares_without_exclusions: dict[int, float]
    counted_words: tuple[int, ...]            # per match (in input order): its words that count
    counted: tuple[bool, ...]                 # per match: does it count at all
    excluded_by_kind: dict[str, float]        # kind -> its part of ``cited``
    borrowed_by_kind: dict[str, float]        # copied, translation, paraphrase -> its part of ``similarity``
    short_coefficient: float                  # share in matches of >= SHORT_MATCH_WORDS words, counted or not
    long_coefficient: float                   # ... of >= LONG_MATCH_WORDS words
    exclusions: tuple[Exclusion, ...]         # the inputs plus one short_match exclusion per dropped match


def apply_exclusions(tokens: Tokens, matches: list[Match] | tuple[Match, ...], exclusions: list[Exclusion],
                     min_words: int = defaults.EXCLUDE_SHORTER_THAN_WORDS,
                     short_words: int = defaults.SHORT_MATCH_WORDS,
                     long_words: int = defaults.LONG_MATCH_WORDS) -> Coverage:
    """Split the text into borrowed, cited and original with ``exclusions`` applied.

    Words are given to matches by :func:`plagcheck.check.word_owners` (strongest match first),
    whatever is excluded, so an exclusion cannot hand words to another match. A word inside a
    quote, bibliography or common-passage exclusion is cited, matched or not; a match with fewer
    than ``min_words`` words outside them does not count, and its words stay original (too short
    to be evidence, but not cited either). Every figure is over the whole text: excluding text
    moves it between the parts and never changes the total.
    The coefficients take every match found by its own length, whatever ``min_words``: the share
    in matches of at least ``short_words`` words means just that (cited text left out).
    ``borrowed_by_kind`` splits the borrowed share by the kind of the match each word is given to
    (:data:`BORROWED_PART_OF_KIND`; a kind it does not name is a part of its own), so the parts
    add up to ``similarity``; it changes nothing in how that is computed.
    """
    n = len(tokens)
    lengths = (tokens.ends - tokens.starts).astype(np.float64)
    total = float(lengths.sum())
    kinds = np.full(n, "", dtype=object)
    for e in sorted(exclusions, key=lambda e: (e.start, e.end)):
        if e.kind not in CITED_KINDS:
            continue
        lo = int(np.searchsorted(tokens.starts, e.start, "left"))
        hi = int(np.searchsorted(tokens.starts, e.end, "left"))
        unset = kinds[lo:hi] == ""
        kinds[lo:hi][unset] = e.kind
    cited = kinds != ""
    owner = word_owners(tokens, matches)
    counted_words = [int(((owner == i) & ~cited).sum()) for i in range(len(matches))]
    counted = [c >= max(1, min_words) for c in counted_words]
    extra = [Exclusion(SHORT_MATCH, m.this_start, m.this_end,
                       f"match of {c} counted word(s), fewer than {min_words}")
             for m, c, ok in zip(matches, counted_words, counted) if not ok and c > 0]

    counts = np.array(counted + [False], dtype=bool)  # index -1 (no owner) maps to False
    borrowed = counts[owner] & ~cited
    found = (owner != -1) & ~cited
    source_of = np.array([m.source_id for m in matches] + [-1], dtype=np.int64)[owner]

    def share(mask) -> float:
        return float(lengths[mask].sum() / total) if total else 0.0

    words_of = np.array(counted_words + [0], dtype=np.int64)[owner]
    part_of = np.array([BORROWED_PART_OF_KIND.get(m.kind, m.kind) for m in matches] + [""], dtype=object)[owner]
    parts = list(BORROWED_PARTS) + sorted({BORROWED_PART_OF_KIND.get(m.kind, m.kind) for m in matches}
                                          - set(BORROWED_PARTS))
    shares, raw_shares = {}, {}
    for source_id in sorted({m.source_id for m in matches}):
        shares[source_id] = share(borrowed & (source_of == source_id))
        raw_shares[source_id] = share((owner != -1) & (source_of == source_id))
    return Coverage(
        similarity=share(borrowed), cited=share(cited),
        original=share(~borrowed & ~cited) if total else 1.0,
        similarity_without_exclusions=share(owner != -1),
        shares=shares, shares_without_exclusions=raw_shares,
        counted_words=tuple(counted_words), counted=tuple(counted),
        excluded_by_kind={kind: share(kinds == kind) for kind in CITED_KINDS},
        borrowed_by_kind={part: share(borrowed & (part_of == part)) for part in parts},
        short_coefficient=share(found & (words_of >= short_words)),
        long_coefficient=share(found & (words_of >= long_words)),
        exclusions=tuple(sorted(list(exclusions) + extra, key=lambda e: (e.start, e.end))),
    )
