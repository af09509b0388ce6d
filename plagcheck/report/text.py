"""Wording shared by the HTML and PDF reports: labels, figures and the explanation of each number.

Every function that returns words takes ``lang`` (``kk``, ``ru`` or ``en``, default ``en``): the
words come from the catalogue of :mod:`plagcheck.report.i18n`. The CLI's summary lines
(:func:`figures_line`, :func:`count`) stay English, as the rest of the CLI does.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from pathlib import Path

from plagcheck import defaults
from plagcheck.exclusions import COPIED, PARAPHRASE, TRANSLATION
from plagcheck.report.build import Report, split_rounded
from plagcheck.report.i18n import DEFAULT_LANGUAGE, translator

_EN = DEFAULT_LANGUAGE
LANGUAGE_NAMES = {"kk": "Kazakh", "ru": "Russian", "en": "English"}  # the languages a source may be named in
# Matches found by meaning (the semantic layer) rather than by shared words: shown hatched, with
# the wording below instead of how much of the wording is the same.
SEMANTIC_KINDS = ("translation", "paraphrase")


# Metadata columns that name a thesis' supervisor, as secretaries head them (casefolded): the
# cabinet matches supervisors by them, and the certificate names the supervisor from them.
SUPERVISOR_KEYS = ("supervisor", "advisor", "scientific supervisor", "научный руководитель", "руководитель",
                   "ғылыми жетекші", "жетекші", "ғылыми жетекшісі")

def alert_label(kind: str, lang: str = _EN) -> str:
    """``'homoglyph'`` → ``'Homoglyph substitution'`` (an unknown kind: itself)."""
    return translator(lang).get(f"alert.{kind}", kind)


def exclusion_label(kind: str, lang: str = _EN) -> str:
    """``'quote'`` → ``'Quotation with citation'`` (an unknown kind: itself)."""
    return translator(lang).get(f"exclusion.{kind}", kind)


def part_label(part: str, lang: str = _EN) -> str:
    """A part of the borrowed share: ``'translation'`` → ``'translated'``."""
    return translator(lang).get(f"part.{part}", part)


# The reasons the exclusion stage gives (in English), and how to say them again in another language.
_REASONS = (
    ("quote", re.compile(r"^quoted with a citation (?P<citation>.*)$", re.S), "reason.quote"),
    ("bibliography",
     re.compile(r"^bibliography \((?P<heading>.*)\): (?P<n>\d+) reference\(s\) recognised by their form$", re.S),
     "reason.bibliography"),
    ("common_passage", re.compile(r"^shared by (?P<n>\d+) corpus documents \(standard wording\)$"), "reason.common_passage"),
    ("short_match", re.compile(r"^match of (?P<n>\d+) counted word\(s\), fewer than (?P<min>\d+)$"), "reason.short_match"),
    ("reviewer", re.compile(r"^excluded by the reviewer: source (?P<id>\d+)$"), "reason.reviewer_source"),
    ("reviewer", re.compile(r"^excluded by the reviewer: match (?P<id>\d+)$"), "reason.reviewer_match"),
)


def exclusion_reason(exclusion, lang: str = _EN) -> str:
    """An :class:`~plagcheck.models.Exclusion`'s reason in ``lang`` (as given when its form is not
    one the exclusion stage writes)."""
    if lang != _EN:
        for kind, pattern, key in _REASONS:
            found = pattern.match(exclusion.reason) if exclusion.kind == kind else None
            if found:
                return translator(lang)(key, **found.groupdict())
    return exclusion.reason


# The messages the detectors write (in English, stored in the report JSON): their fixed words are
# said again in another language, the evidence they quote (words, file text) stays as it is.
_ALERT_MESSAGES = (
    (re.compile(r"^(?P<n>\d+) word\(s\) mixing Latin and Cyrillic lookalike letters: (?P<rest>.*)$", re.S),
     "alert_msg.homoglyph"),
    (re.compile(r"^(?P<n>\d+) invisible character\(s\) inside words \((?P<names>.*)\)$", re.S), "alert_msg.invisible"),
    (re.compile(r"^(?P<n>\d+) run\(s\) of letters spaced apart: (?P<rest>.*)$", re.S), "alert_msg.spacing"),
    (re.compile(r"^white text on page (?P<page>\d+): (?P<rest>.*)$", re.S), "alert_msg.white_page"),
    (re.compile(r"^white text: (?P<rest>.*)$", re.S), "alert_msg.white"),
    (re.compile(r"^microscopic text \((?P<size>[\d.]+) pt\) on page (?P<page>\d+): (?P<rest>.*)$", re.S),
     "alert_msg.tiny_page"),
    (re.compile(r"^microscopic text \((?P<size>[\d.]+) pt\): (?P<rest>.*)$", re.S), "alert_msg.tiny"),
    (re.compile(r"^hidden text: (?P<rest>.*)$", re.S), "alert_msg.hidden"),
    (re.compile(r"^page (?P<page>\d+) has no text layer \(scanned image\): its text was not checked$"),
     "alert_msg.scanned"),
    (re.compile(r"^identical to document (?P<id>\d+) \((?P<who>.*)\)$", re.S), "alert_msg.identical"),
    (re.compile(r"^the PDF is damaged \(MuPDF reported (?P<n>\d+) problems? reading it, the first: (?P<first>.*)\); "
                r"its text may be incomplete, and what could not be read was not checked$", re.S), "alert_msg.damaged"),
)
_PAGE_SUFFIX = re.compile(r" \(page (?P<page>\d+)\)$")
_HOMOGLYPH_NOTE = re.compile(r"(?P<word>'[^']*'): (?P<other>Latin|Cyrillic) (?P<letters>[^;]*?) in a (?:Cyrillic|Latin) word")
_ADDED = re.compile(r"added (?P<date>\d{4}-\d\d-\d\d)")


def alert_message(alert, lang: str = _EN) -> str:
    """An :class:`~plagcheck.models.Alert`'s message in ``lang``: the detectors' words translated,
    the words and text they quote as evidence left as they are (a message of another form: as is)."""
    if lang == _EN:
        return alert.message
    t = translator(lang)
    message, suffix = alert.message, ""
    page = _PAGE_SUFFIX.search(message)
    if page and alert.kind in ("homoglyph", "invisible_characters", "letter_spacing"):
        message, suffix = message[:page.start()], f" ({t('page_n', n=page.group('page'))})"
    for pattern, key in _ALERT_MESSAGES:
        found = pattern.match(message)
        if found:
            values = found.groupdict()
            if key == "alert_msg.homoglyph":
                def note(m):
                    which = "latin_in_cyrillic" if m.group("other") == "Latin" else "cyrillic_in_latin"
                    return t(f"alert_msg.{which}", word=m.group("word"), letters=m.group("letters"))
                values["rest"] = _HOMOGLYPH_NOTE.sub(note, values["rest"])
            if key == "alert_msg.identical":
                values["who"] = _ADDED.sub(lambda m: t("alert_msg.added", date=m.group("date")), values["who"])
            if "size" in values:
                values["size"] = t.number(float(values["size"]))
            return t(key, **values) + suffix
    return alert.message


def percent(fraction: float, lang: str = _EN) -> str:
    """``0.1234`` → ``'12.3%'`` (``'12,3%'`` in Russian and Kazakh)."""
    return translator(lang).percent(fraction)


def three_numbers(report: Report) -> tuple[float, float, float]:
    """Borrowed, cited and original in percent, rounded to 0.1: original is what the other two
    leave of 100.0, so the three add up even when rounding each alone would make 99.9."""
    borrowed, cited = round(100 * report.similarity, 1), round(100 * report.cited, 1)
    return borrowed, cited, round(max(0.0, 100 - borrowed - cited), 1)


def three_percents(report: Report, lang: str = _EN) -> tuple[str, str, str]:
    """:func:`three_numbers` as printed: ``('14.0%', '5.3%', '80.7%')``."""
    t = translator(lang)
    return tuple(t.number(v) + "%" for v in three_numbers(report))


def figures_line(report: Report) -> str:
    """``'14.0% borrowed, 5.3% cited or excluded, 80.7% original'``: what check and report print."""
    borrowed, cited, original = three_percents(report)
    return f"{borrowed} borrowed, {cited} cited or excluded, {original} original"


def wording_same(rm, lang: str = _EN) -> str:
    """``'wording 97% the same'``: the share of a matched passage's words that are the source's, word
    for word and in order (a :class:`ReportMatch`). Rounded down, so only an identical passage
    says 100%."""
    return translator(lang)("wording_same", n=int(100 * rm.identical_words / rm.match.words) if rm.match.words else 0)


def is_semantic(match) -> bool:
    """Whether a :class:`~plagcheck.models.Match` was found by meaning (translation, paraphrase)."""
    return match.kind in SEMANTIC_KINDS


def language_name(code: str | None, lang: str = _EN) -> str | None:
    """``'ru'`` → ``'Russian'``; an unknown or missing code → None (the report then names none)."""
    return translator(lang)(f"language.{code}") if code in LANGUAGE_NAMES else None


def kind_label(match, lang: str = _EN) -> str:
    """How a :class:`~plagcheck.models.Match` was taken, in a supervisor's words: ``'translated from
    Russian'`` (``'translated'`` when the source language is not known), ``'paraphrased'``, ``'copied
    sentence'`` (a short exact copy); ``''`` for a copied passage, the ordinary case."""
    t = translator(lang)
    if match.kind == "translation":
        known = match.source_language in LANGUAGE_NAMES
        return t(f"translated_from.{match.source_language}") if known else t("translated")
    return {"paraphrase": t("paraphrased"), "short": t("copied_sentence")}.get(match.kind, "")


def kind_counts(matches, lang: str = _EN) -> str:
    """``'1 translation from Russian, 2 copied sentences'``: the given matches that are not copied
    passages, counted by kind (and source language, for translations); ``''`` when there are none."""
    t = translator(lang)
    counts: dict[tuple[str, str | None], int] = {}
    for m in matches:
        if m.kind != "verbatim":
            known = m.kind == "translation" and m.source_language in LANGUAGE_NAMES
            key = (m.kind, m.source_language if known else None)
            counts[key] = counts.get(key, 0) + 1
    out = []
    for (kind, language), n in counts.items():
        if kind == "translation":
            out.append(t.plural("n_translations_from", n, source=t(f"from.{language}")) if language
                       else t.plural("n_translations", n))
        elif kind == "paraphrase":
            out.append(t.plural("n_paraphrases", n))
        elif kind == "short":
            out.append(t.plural("n_copied_sentences", n))
        else:
            out.append(f"{n} {kind}")
    return ", ".join(out)


def counted_kinds(report: Report, source_id: int, lang: str = _EN) -> str:
    """:func:`kind_counts` of a source's counted matches: ``'1 translation from Russian'``."""
    return kind_counts((rm.match for rm in report.matches if rm.source_id == source_id and rm.counted), lang)


def names_page(message: str, page: int | None) -> bool:
    """Whether an alert's ``message`` says its ``page`` already (the report then does not add it)."""
    return page is not None and f"page {page}" in message


def meaning_matches(match, lang: str = _EN) -> str:
    """``'meaning matches (translation); evidence to review, not proof'``: what a semantic match
    shows instead of :func:`wording_same`, which means nothing across languages."""
    t = translator(lang)
    return t("meaning_matches", kind=t.get(f"kind.{match.kind}", match.kind), note=t("evidence_note"))


def borrowed_percents(report: Report, lang: str = _EN) -> dict[str, str]:
    """The borrowed share split as printed: ``{'copied': '10.1%', 'translation': '3.1%', 'paraphrase':
    '0.8%'}``, adding up to the printed borrowed figure (the largest remainders take the rounding)."""
    t = translator(lang)
    return {k: t.number(v) + "%" for k, v in borrowed_numbers(report).items()}


def borrowed_numbers(report: Report) -> dict[str, float]:
    """:func:`borrowed_percents` as numbers (percent, rounded to 0.1)."""
    borrowed = round(100 * report.similarity, 1)
    return split_rounded({k: 100 * v for k, v in report.borrowed_by_kind.items()}, borrowed, 1)


def semantic_note(report: Report, lang: str = _EN) -> str:
    """A line for reports whose borrowed text includes translations or paraphrases (else ``''``)."""
    if not any(is_semantic(rm.match) and rm.counted for rm in report.matches):
        return ""
    t = translator(lang)
    return t("semantic_note", note=t("evidence_note"))


def borrowed_split_line(report: Report, lang: str = _EN) -> str:
    """``'of which translated 3.1%, paraphrased 0.8%'`` (the parts found by meaning), or ``''``
    when there are none."""
    t = translator(lang)
    parts = borrowed_percents(report, lang)
    shown = [f"{part_label(k, lang)} {v}" for k, v in parts.items()
             if k != COPIED and report.borrowed_by_kind.get(k, 0) > 0]
    return t("of_which", parts=", ".join(shown)) if shown else ""


def exclusions_applied(options, lang: str = _EN) -> list[str]:
    """The exclusions switched on, in words (``options`` is a :class:`ReportOptions`)."""
    t = translator(lang)
    applied = [name for name, on in ((t("applied.quotes"), options.exclude_quotes),
                                     (t("applied.bibliography"), options.exclude_bibliography),
                                     (t("applied.common", n=options.common_min_documents), options.exclude_common))
               if on]
    if options.min_words > 1:
        applied.append(t("applied.short", n=options.min_words))
    return applied


def exclusions_line(report: Report, lang: str = _EN) -> str:
    """``'exclusions applied: quotations with a citation, …'`` (or that none were)."""
    t = translator(lang)
    applied = exclusions_applied(report.options, lang)
    return t("exclusions_applied", list=", ".join(applied) if applied else t("none"))


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``'1 source'``, ``'3 sources'``."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def excluded_document_lines(report: Report, lang: str = _EN) -> list[str]:
    """One line per corpus document left out by hand as the checked document's own entry, with
    the share it would have explained: nothing is set aside without a trace."""
    t = translator(lang)
    return [t("left_out_line", id=d.id,
              who=", ".join(x for x in (d.author, f"«{d.title}»" if d.title else None, d.path) if x),
              percent=t.percent(d.share))
            for d in report.result.excluded_documents]


def document_title(report: Report) -> str:
    """The thesis' title from its metadata, else its file name."""
    info = report.result.document_info
    return str(info.get("title") or Path(info.get("path") or report.document.path).name)


_THESIS_FIELDS = ("path", "title", "author", "year", "department", "language")
_PROPERTY_FIELDS = ("format", "pages", "words", "chars", "content_hash")


def field_label(key: str, lang: str = _EN) -> str:
    """A metadata column's label: ``'supervisor'`` → ``'Supervisor'``; a column the catalogue does
    not know keeps its own name, capitalised."""
    return translator(lang).get(f"field.{key}", key[:1].upper() + key[1:])


def metadata_value(key: str, value, lang: str = _EN):
    """A metadata value as shown: a language code is named (``ru`` → ``Russian``)."""
    if key == "language" and (value in LANGUAGE_NAMES or value == "mixed"):
        return translator(lang)(f"language.{value}")
    return value


def metadata_rows(report: Report, lang: str = _EN) -> list[tuple[str, str]]:
    """(label, value) rows describing the checked document and the check."""
    t = translator(lang)
    info = report.result.document_info
    corpus = report.result.corpus
    known = set(_THESIS_FIELDS + _PROPERTY_FIELDS)
    # The metadata CSV's other columns (supervisor, group, ...), under their own headers.
    extra = [(field_label(k, lang), v) for k, v in info.items() if k not in known]
    rows = [(field_label(key, lang), metadata_value(key, info.get(key), lang)) for key in _THESIS_FIELDS] + extra + [
        (field_label(key, lang), info.get(key)) for key in _PROPERTY_FIELDS] + [
        (t("report_created"), report.created_at),
        (t("corpus"), corpus_line(corpus, lang)),
        (t("engine"), f"plagcheck {corpus.get('engine_version')}")]
    return [(k, str(v)) for k, v in rows if v not in (None, "")]


def corpus_line(corpus: dict, lang: str = _EN) -> str:
    """``'120 documents, 5400 passages, index generation 3'``: the corpus state a check ran against."""
    return translator(lang)("corpus_state", documents=corpus.get("documents"), passages=corpus.get("passages"),
                            generation=corpus.get("generation"))


def explanation(report: Report, lang: str = _EN) -> list[str]:
    """What each number means, in a supervisor's words: one sentence per number."""
    t = translator(lang)
    o = report.options
    kinds = report.excluded_by_kind
    borrowed, cited, original = three_percents(report, lang)
    cited_line = t("explain.cited", cited=cited, quote=t.percent(kinds.get("quote", 0)),
                   bibliography=t.percent(kinds.get("bibliography", 0)), n=o.common_min_documents,
                   common=t.percent(kinds.get("common_passage", 0)))
    if kinds.get("reviewer", 0) > 0:
        cited_line += " " + t("explain.reviewer", percent=t.percent(kinds["reviewer"]))
    lines = [
        t("explain.borrowed", borrowed=borrowed, min_words=o.min_words),
        _kinds_explanation(report, lang),
        cited_line,
        t("explain.original", original=original, min_words=o.min_words),
        t("explain.whole"),
        t("explain.before", before=t.percent(report.similarity_without_exclusions), short=defaults.SHORT_MATCH_WORDS,
          short_share=t.percent(report.short_coefficient), long=defaults.LONG_MATCH_WORDS,
          long_share=t.percent(report.long_coefficient)),
    ]
    off = [t(name) for name, on in (("off.quotes", o.exclude_quotes), ("off.bibliography", o.exclude_bibliography),
                                    ("off.common", o.exclude_common)) if not on]
    if off:
        lines.append(t("switched_off", list=", ".join(off)))
    return lines


def semantic_searched(report: Report) -> bool:
    """Whether this check looked for translations and paraphrases: the semantic layer ran over some
    embedded corpus documents (``corpus.layers`` names it) or found something."""
    return ("semantic" in report.result.corpus.get("layers", ())
            or any(is_semantic(rm.match) for rm in report.matches))


def _kinds_explanation(report: Report, lang: str = _EN) -> str:
    t = translator(lang)
    parts = borrowed_percents(report, lang)
    borrowed = three_percents(report, lang)[0]
    if not semantic_searched(report):
        return t("explain.lexical_only", borrowed=borrowed)
    coverage = (report.result.corpus.get("semantic") or {}).get("coverage")
    seen = t("explain.seen", percent=t.percent(coverage)) if coverage is not None else ""
    zero = t.number(0) + "%"
    return t("explain.kinds", borrowed=borrowed, copied=parts.get(COPIED, zero),
             translation=parts.get(TRANSLATION, zero), paraphrase=parts.get(PARAPHRASE, zero), seen=seen,
             note=t("evidence_note"))


@dataclass(frozen=True)
class Piece:
    """Characters ``start:end`` of the checked text, highlighted one way throughout."""

    start: int
    end: int
    match: int | None       # index in ``report.matches`` of the match that owns this text
    exclusion: int | None   # index in ``report.exclusions`` of the quote/bibliography/common passage over it
    alert: bool             # inside an alert's span


def text_pieces(report: Report, extra_cuts: tuple[int, ...] = ()) -> list[Piece]:
    """The full text cut at every boundary of a match, exclusion or alert, and at ``extra_cuts``
    (the HTML and PDF reports highlight the same pieces). Where matches overlap, the strongest
    counted match owns the text, as in attribution."""
    text = report.document.text
    removed = [(k, e) for k, e in enumerate(report.exclusions) if e.kind != "short_match"]
    alerts = [(a.start, a.end) for a in report.alerts if a.start is not None and a.end is not None]
    spans = [(m.match.this_start, m.match.this_end) for m in report.matches]
    spans += [(e.start, e.end) for _, e in removed] + alerts
    cuts = sorted({0, len(text), *(max(0, min(len(text), p)) for span in spans for p in span),
                   *(p for p in extra_cuts if 0 < p < len(text))})
    count = len(cuts) - 1
    match_at: list[int | None] = [None] * count
    priority = sorted(range(len(report.matches)),
                      key=lambda k: (report.matches[k].counted, report.matches[k].match.words * report.matches[k].match.score),
                      reverse=True)
    for k in priority:
        m = report.matches[k].match
        for i in _between(cuts, m.this_start, m.this_end):
            if match_at[i] is None:
                match_at[i] = k
    excluded_at: list[int | None] = [None] * count
    for k, e in removed:
        for i in _between(cuts, e.start, e.end):
            if excluded_at[i] is None:
                excluded_at[i] = k
    alert_at = [False] * count
    for start, end in alerts:
        for i in _between(cuts, start, end):
            alert_at[i] = True
    return [Piece(cuts[i], cuts[i + 1], match_at[i], excluded_at[i], alert_at[i]) for i in range(count)]


def _between(cuts: list[int], start: int, end: int) -> range:
    return range(bisect.bisect_left(cuts, start), bisect.bisect_left(cuts, end))
