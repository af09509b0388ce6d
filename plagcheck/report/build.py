"""The report stage: a :class:`CheckResult` plus exclusions, alerts and source excerpts → :class:`Report`.

:func:`build_report` runs the check and gathers what the renderers need; the renderers
(:mod:`plagcheck.report.html`, :mod:`~plagcheck.report.json`, :mod:`~plagcheck.report.pdf`) are
pure functions of the :class:`Report`.
"""

from __future__ import annotations

import difflib
import logging
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone

import numpy as np

from plagcheck import defaults
from plagcheck.alerts import find_alerts
from plagcheck.check import check_document, word_owners
from plagcheck.exclusions import (BIBLIOGRAPHY, COMMON_PASSAGE, QUOTE, Coverage, apply_exclusions, find_bibliography,
                                  find_common_passages, find_quotes)
from plagcheck.index import analyze
from plagcheck.models import Alert, CheckResult, Document, Exclusion, Match, SourceShare, Tokens
from plagcheck.normalize import tokenize
from plagcheck.settings import Settings
from plagcheck.storage import Store

log = logging.getLogger(__name__)

# Light backgrounds that keep black text readable, distinct from one another; cycled beyond 12.
PALETTE = ("#ffb3b3", "#a8d8ff", "#b6f2a5", "#ffd98a", "#d9b8ff", "#8ef0e0",
           "#ffb8e6", "#e6e68a", "#ffc9a3", "#b3c6ff", "#c9f28a", "#d6d6d6")
# 2: the text, its page spans, match ids, word diffs and ``coverage`` (what reviewer decisions
# are recomputed from: see plagcheck.report.decisions) were added; no key of 1 changed.
REPORT_FORMAT_VERSION = 2


@dataclass(frozen=True)
class ReportOptions:
    """Which exclusions apply. Each is on by default where a university would expect it."""

    exclude_quotes: bool = defaults.EXCLUDE_QUOTES
    exclude_bibliography: bool = defaults.EXCLUDE_BIBLIOGRAPHY
    exclude_common: bool = defaults.EXCLUDE_COMMON
    min_words: int = defaults.EXCLUDE_SHORTER_THAN_WORDS
    common_min_documents: int = defaults.COMMON_PASSAGE_MIN_DOCS
    context_chars: int = defaults.EXCERPT_CONTEXT_CHARS

    def __post_init__(self):
        if self.min_words < 0:
            raise ValueError("min_words must not be negative")
        if self.common_min_documents < 2:
            raise ValueError("common_min_documents must be at least 2")
        if not 0 <= self.context_chars <= 2000:
            raise ValueError("context_chars must be between 0 and 2000")

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class SourceExcerpt:
    """The part of a source shown beside a match: the matched passage and a little context.

    ``text`` is ``source_text[start:end]``; ``match_start``/``match_end`` locate the matched
    passage inside ``text``; ``changed`` are the character ranges (inside ``text``) of words that
    differ from the checked passage, and ``this_changed`` those of the checked passage (absolute
    offsets in the checked text) that differ from the source.
    """

    start: int
    end: int
    text: str
    match_start: int
    match_end: int
    changed: tuple[tuple[int, int], ...]
    this_changed: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class ReportMatch:
    """A match as the report shows it."""

    match: Match
    source_id: int
    counted: bool
    counted_words: int
    excerpt: SourceExcerpt

    @property
    def identical_words(self) -> int:
        """Words of the checked passage that the word diff found unchanged in the source."""
        return max(0, self.match.words - len(self.excerpt.this_changed))

    def to_dict(self, source_path: str | None = None, *, excerpt: bool = True, match_id: int | None = None) -> dict:
        m = self.match
        d = {} if match_id is None else {"id": match_id}
        d |= {
            "source_id": m.source_id, "source_path": source_path,
            "this_offset": m.this_start, "this_length": m.this_length,
            "source_offset": m.source_start, "source_length": m.source_length,
            "score": round(m.score, 4), "words": m.words, "kind": m.kind, "source_language": m.source_language,
            "identical_words": self.identical_words,
            "counted": self.counted, "counted_words": self.counted_words,
        }
        if excerpt:
            d["source_excerpt"] = {"offset": self.excerpt.start, "text": self.excerpt.text,
                                   "match_offset": self.excerpt.match_start,
                                   "match_length": self.excerpt.match_end - self.excerpt.match_start,
                                   "changed": [list(r) for r in self.excerpt.changed],
                                   "this_changed": [list(r) for r in self.excerpt.this_changed]}
        return d


@dataclass(frozen=True)
class ReportSource:
    """A source with its colour and its share of the whole text after and before exclusions."""

    source: SourceShare
    color: str
    share: float
    share_without_exclusions: float
    matches: int            # counted matches
    excluded_by_reviewer: bool = False  # left out by a reviewer's decision (plagcheck.report.decisions)

    @property
    def id(self) -> int:
        return self.source.id

    @property
    def label(self) -> str:
        s = self.source
        parts = [s.title or s.path]
        if s.author:
            parts.append(s.author)
        if s.year:
            parts.append(str(s.year))
        return ", ".join(parts)

    def to_dict(self) -> dict:
        d = self.source.to_dict()
        d.update(share=round(self.share, 6), share_without_exclusions=round(self.share_without_exclusions, 6),
                 matches=self.matches, matches_found=self.source.matches, color=self.color)
        if self.excluded_by_reviewer:
            d["excluded_by_reviewer"] = True
        return d


@dataclass(frozen=True)
class Report:
    """Everything a similarity report shows; the renderers are pure functions of it.

    ``similarity`` (borrowed), ``cited`` and ``original`` are shares of the whole text adding up
    to 1 (see :class:`plagcheck.exclusions.Coverage`); ``check`` prints the same figures.
    """

    result: CheckResult
    options: ReportOptions
    alerts: tuple[Alert, ...]
    exclusions: tuple[Exclusion, ...]
    matches: tuple[ReportMatch, ...]        # in text order
    sources: tuple[ReportSource, ...]       # by share after exclusions
    similarity: float                       # borrowed: counted matches outside every exclusion
    cited: float                            # quotations with a citation, bibliography, common passages
    original: float                         # the rest
    similarity_without_exclusions: float    # in any match, exclusions ignored
    excluded_by_kind: dict                  # kind -> its part of ``cited``
    borrowed_by_kind: dict                  # copied, translation, paraphrase -> its part of ``similarity``
    short_coefficient: float                # share in matches of >= SHORT_MATCH_WORDS words
    long_coefficient: float                 # share in matches of >= LONG_MATCH_WORDS words
    created_at: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))
    # What reviewer decisions are recomputed from (plagcheck.report.decisions): every quote,
    # bibliography and common-passage span found, applied or not, and the text cut into segments.
    coverage_record: dict | None = field(default=None, compare=False, repr=False)

    @property
    def document(self) -> Document:
        return self.result.document

    def source(self, source_id: int) -> ReportSource:
        return next(s for s in self.sources if s.id == source_id)

    def figures(self) -> dict:
        """Borrowed (``similarity``), ``cited`` and ``original``, rounded so that they still add up to 1."""
        similarity, cited = round(self.similarity, 6), round(self.cited, 6)
        return {"similarity": similarity, "cited": cited, "original": round(max(0.0, 1 - similarity - cited), 6)}

    def borrowed_figures(self) -> dict:
        """``borrowed_by_kind`` rounded to six places so that the parts still add up to the rounded
        ``similarity`` (see :func:`split_rounded`)."""
        return split_rounded(self.borrowed_by_kind, round(self.similarity, 6), 6)

    def check_dict(self) -> dict:
        """The check JSON: the document, the three figures, sources and matches after exclusions,
        alerts and the options that made them."""
        return self._dict(full=False)

    def to_dict(self) -> dict:
        """The report JSON: the check JSON plus exclusions, source excerpts (and colours) and more
        figures."""
        return self._dict(full=True)

    def _dict(self, full: bool) -> dict:
        d = self.result.to_dict()
        paths = {s.id: s.source.path for s in self.sources}
        d.update(self.figures())
        d["borrowed_by_kind"] = self.borrowed_figures()
        d.update({
            "sources": [s.to_dict() if full else {k: v for k, v in s.to_dict().items() if k != "color"}
                        for s in self.sources],
            "matches": [m.to_dict(paths.get(m.source_id), excerpt=full, match_id=k if full else None)
                        for k, m in enumerate(self.matches)],
            "alerts": [a.to_dict() for a in self.alerts],
            "options": {**self.options.to_dict(),
                        "exclude_documents": [e.id for e in self.result.excluded_documents]},
        })
        if full:
            d.update({
                "report_format": REPORT_FORMAT_VERSION,
                "created_at": self.created_at,
                "similarity_without_exclusions": round(self.similarity_without_exclusions, 6),
                "coefficients": {f"matches_{defaults.SHORT_MATCH_WORDS}_words": round(self.short_coefficient, 6),
                                 f"matches_{defaults.LONG_MATCH_WORDS}_words": round(self.long_coefficient, 6)},
                "excluded_by_kind": {k: round(v, 6) for k, v in self.excluded_by_kind.items()},
                "exclusions": [e.to_dict() for e in self.exclusions],
                "text": self.document.text,
                "page_spans": [{"page": p.page, "start": p.start, "end": p.end} for p in self.document.pages],
            })
            if self.coverage_record is not None:
                d["coverage"] = self.coverage_record
        return d


def build_report(store: Store, document: Document, options: ReportOptions | None = None, *,
                 settings: Settings | None = None, metadata: dict | None = None,
                 exclude_ids: set[int] = frozenset(), semantic: bool = True, progress=None) -> Report:
    """Check ``document`` against the corpus in ``store`` and assemble its report. A ``min_words``
    under the check's ``min_short_words`` (8) lowers it, down to 5: shorter copies are looked for.
    ``semantic=False`` leaves out the semantic layer (translations, paraphrases); ``progress``:
    see :func:`check_document`."""
    if settings is None and options is not None and options.min_words < defaults.MIN_SHORT_WORDS:
        settings = Settings(index=store.params, min_short_words=max(defaults.SHORT_MATCH_WORDS, options.min_words))
    if not semantic:
        settings = replace(settings or Settings(index=store.params), semantic=False)
    with store.read_snapshot():  # the check and its report read one corpus state
        result = check_document(store, document, settings, metadata, exclude_ids, progress)
        return report_from_result(store, result, options)


def report_from_result(store: Store, result: CheckResult, options: ReportOptions | None = None) -> Report:
    """Assemble the report of a finished check: exclusions, alerts, recomputed figures, excerpts.
    The documents the check left out as the document's own entry are not counted as sharing a
    passage with it either."""
    options = options or ReportOptions()
    document = result.document
    analysis = result.analysis
    if analysis is None or result.settings["index"] != store.params.to_dict():
        analysis = analyze(tokenize(document.text), store.params)
    tokens = analysis.tokens
    alerts = find_alerts(document)
    # Every kind is looked for, switched on or not: a reviewer may switch it on later, and the
    # report JSON carries the spans for that (``coverage_record``).
    found: list[Exclusion] = find_quotes(document.text, document.alerts) + find_bibliography(document.text)
    if result.matches:
        with store.read_snapshot():
            found += find_common_passages(analysis, result.matches, store.params,
                                          store.bucket_documents, options.common_min_documents,
                                          {d.id for d in result.excluded_documents})
    switched_on = {QUOTE: options.exclude_quotes, BIBLIOGRAPHY: options.exclude_bibliography,
                   COMMON_PASSAGE: options.exclude_common}
    exclusions = [e for e in found if switched_on[e.kind]]
    coverage = apply_exclusions(tokens, result.matches, exclusions, options.min_words)
    texts = {s.id: store.document_text(s.id) for s in result.sources}
    matches = tuple(
        ReportMatch(m, m.source_id, ok, words, source_excerpt(document.text, texts[m.source_id], m, options.context_chars))
        for m, ok, words in zip(result.matches, coverage.counted, coverage.counted_words))
    record = coverage_record(tokens, result.matches, found, options)
    return _assemble(result, options, alerts, coverage, matches, record)


def coverage_record(tokens: Tokens, matches, spans: list[Exclusion], options: ReportOptions) -> dict:
    """The report JSON's ``coverage``: what :func:`plagcheck.report.decisions.apply_decisions` (and
    the web page's script) recompute every figure from, without the words of the text.

    ``segments`` cut the text's words into runs that share one owner match (:func:`word_owners`)
    and lie in the same exclusion spans: ``[start, end, words, chars, match]``, ``chars`` the
    characters of its words (what every share counts), ``match`` the id of the match that owns
    them or -1. ``spans`` are every quote, bibliography and common-passage span found, switched on
    or not, in the order :func:`apply_exclusions` gives them precedence (by start, then end).
    """
    ordered = sorted(spans, key=lambda e: (e.start, e.end))
    owner = word_owners(tokens, matches)
    starts, ends = tokens.starts, tokens.ends
    n = len(tokens)
    new_run = np.ones(n, dtype=bool)  # a word that starts a segment
    if n:
        new_run[1:] = owner[1:] != owner[:-1]
        for e in ordered:  # a word is in a span when its first character is (as in apply_exclusions)
            inside = (starts >= e.start) & (starts < e.end)
            new_run[1:] |= inside[1:] != inside[:-1]
    firsts = np.flatnonzero(new_run).tolist()
    chars_before = np.concatenate(([0], np.cumsum(ends - starts)))
    segments = [[int(starts[a]), int(ends[b - 1]), b - a, int(chars_before[b] - chars_before[a]), int(owner[a])]
                for a, b in zip(firsts, firsts[1:] + [n])]
    return {
        "total_chars": int((ends - starts).sum()),
        "min_words": options.min_words,
        "short_words": defaults.SHORT_MATCH_WORDS, "long_words": defaults.LONG_MATCH_WORDS,
        "options": {"exclude_quotes": options.exclude_quotes, "exclude_bibliography": options.exclude_bibliography,
                    "exclude_common": options.exclude_common},
        "spans": [{"id": k, **e.to_dict()} for k, e in enumerate(ordered)],
        "segments": segments,
    }


def _assemble(result: CheckResult, options: ReportOptions, alerts, coverage: Coverage, matches,
              record: dict | None = None) -> Report:
    ordered = sorted(result.sources, key=lambda s: (-coverage.shares.get(s.id, 0.0), -s.share, s.id))
    sources = tuple(
        ReportSource(s, PALETTE[i % len(PALETTE)], coverage.shares.get(s.id, 0.0),
                     coverage.shares_without_exclusions.get(s.id, s.share),
                     sum(1 for m in matches if m.source_id == s.id and m.counted))
        for i, s in enumerate(ordered))
    log.info("report of %s: %.1f%% borrowed, %.1f%% cited, %.1f%% original (%.1f%% matched before exclusions), "
             "%d exclusions, %d alerts", result.document.path, 100 * coverage.similarity, 100 * coverage.cited,
             100 * coverage.original, 100 * coverage.similarity_without_exclusions, len(coverage.exclusions),
             len(alerts))
    return Report(result=result, options=options, alerts=tuple(alerts), exclusions=coverage.exclusions,
                  matches=matches, sources=sources, similarity=coverage.similarity, cited=coverage.cited,
                  original=coverage.original, similarity_without_exclusions=coverage.similarity_without_exclusions,
                  excluded_by_kind=coverage.excluded_by_kind, borrowed_by_kind=coverage.borrowed_by_kind,
                  short_coefficient=coverage.short_coefficient, long_coefficient=coverage.long_coefficient,
                  coverage_record=record)


def split_rounded(parts: dict, total: float, decimals: int) -> dict:
    """``parts`` (fractions adding up to about ``total``) rounded to ``decimals`` places so that they
    add up to ``total`` (already rounded so): each part is rounded down, and the units left over go
    to the parts with the largest remainders. Rounding each part alone can miss the total by a unit
    or more either way.

    >>> split_rounded({"copied": 0.1234, "translation": 0.0333, "paraphrase": 0.0333}, 0.19, 2)
    {'copied': 0.13, 'translation': 0.03, 'paraphrase': 0.03}
    """
    scale = 10 ** decimals
    units = round(total * scale)
    exact = {k: v * scale for k, v in parts.items()}
    floors = {k: int(v) for k, v in exact.items()}
    left = units - sum(floors.values())
    for k in sorted(exact, key=lambda k: floors[k] - exact[k])[:max(0, left)]:
        floors[k] += 1
    return {k: round(v / scale, decimals) for k, v in floors.items()}


def source_excerpt(this_text: str, source_text: str, match: Match, context: int) -> SourceExcerpt:
    """The matched source passage with ``context`` characters around it (cut at whitespace), and
    the words that differ between the two passages (a word diff by :class:`difflib.SequenceMatcher`).

    Never more of the source than the passage and its context: sources may be unpublished theses.
    """
    start = _cut(source_text, max(0, match.source_start - context), +1, match.source_start)
    end = _cut(source_text, min(len(source_text), match.source_end + context), -1, match.source_end)
    this_tokens = tokenize(this_text[match.this_start:match.this_end])
    src_tokens = tokenize(source_text[match.source_start:match.source_end])
    matcher = difflib.SequenceMatcher(None, this_tokens.words, src_tokens.words, autojunk=False)
    this_changed, src_changed = [], []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        this_changed += _ranges(this_tokens, i1, i2, match.this_start)
        src_changed += _ranges(src_tokens, j1, j2, match.source_start - start)
    return SourceExcerpt(start, end, source_text[start:end], match.source_start - start, match.source_end - start,
                         tuple(src_changed), tuple(this_changed))


def _ranges(tokens: Tokens, first: int, stop: int, shift: int) -> list[tuple[int, int]]:
    return [(int(tokens.starts[i]) + shift, int(tokens.ends[i]) + shift) for i in range(first, stop)]


def _cut(text: str, position: int, direction: int, limit: int) -> int:
    """Move ``position`` toward ``limit`` to the nearest whitespace, so no word is cut in two."""
    while position != limit and 0 < position < len(text) and not text[position - 1].isspace():
        position += direction
    return position


__all__ = ["PALETTE", "Report", "ReportMatch", "ReportOptions", "ReportSource", "SourceExcerpt",
           "build_report", "report_from_result", "source_excerpt", "split_rounded"]
