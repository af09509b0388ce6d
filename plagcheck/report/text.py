"""Wording shared by the HTML and PDF reports: labels, figures and the explanation of each number."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import Path

from plagcheck import defaults
from plagcheck.exclusions import COPIED, PARAPHRASE, TRANSLATION
from plagcheck.report.build import Report, split_rounded

ALERT_LABELS = {
    "homoglyph": "Homoglyph substitution",
    "invisible_characters": "Invisible characters",
    "white_text": "White text",
    "microscopic_text": "Microscopic text",
    "hidden_text": "Hidden text",
    "no_text_layer": "Page without a text layer",
    "letter_spacing": "Letters spaced apart",
    "identical_document": "Identical to a corpus document",
    "damaged_file": "Damaged file",
    "scanned_pages": "Scanned pages read by OCR",
    "text_in_images": "Text in images",
    "image_not_recognised": "Image not searched for text",
    "legacy_font": "Legacy Kazakh font",
}
EXCLUSION_LABELS = {
    "quote": "Quotation with citation",
    "bibliography": "Bibliography",
    "common_passage": "Common passage",
    "short_match": "Short match",
}

LANGUAGE_NAMES = {"kk": "Kazakh", "ru": "Russian", "en": "English"}
# Matches found by meaning (the semantic layer) rather than by shared words: shown hatched, with
# the wording below instead of how much of the wording is the same.
SEMANTIC_KINDS = ("translation", "paraphrase")
BORROWED_PART_LABELS = {COPIED: "copied", TRANSLATION: "translated", PARAPHRASE: "paraphrased"}
EVIDENCE_NOTE = "evidence to review, not proof"
SEMANTIC_HINT = ("Found by comparing the meaning of sentences (multilingual sentence embeddings), not their "
                 "words: a translation or a paraphrase shares few words with its source. Read the two passages "
                 "side by side: a match of meaning is evidence to review, not proof.")


def percent(fraction: float) -> str:
    """``0.1234`` → ``'12.3%'``."""
    return f"{100 * fraction:.1f}%"


def three_percents(report: Report) -> tuple[str, str, str]:
    """Borrowed, cited and original as printed: original is what the other two leave of 100.0%,
    so the three printed figures add up even when rounding each alone would make 99.9%."""
    borrowed, cited = round(100 * report.similarity, 1), round(100 * report.cited, 1)
    return f"{borrowed:.1f}%", f"{cited:.1f}%", f"{max(0.0, 100 - borrowed - cited):.1f}%"


def figures_line(report: Report) -> str:
    """``'14.0% borrowed, 5.3% cited or excluded, 80.7% original'``: what check and report print."""
    borrowed, cited, original = three_percents(report)
    return f"{borrowed} borrowed, {cited} cited or excluded, {original} original"


def wording_same(rm) -> str:
    """``'wording 97% the same'``: the share of a matched passage's words that are the source's, word
    for word and in order (a :class:`ReportMatch`). Rounded down, so only an identical passage
    says 100%."""
    return f"wording {int(100 * rm.identical_words / rm.match.words) if rm.match.words else 0}% the same"


def is_semantic(match) -> bool:
    """Whether a :class:`~plagcheck.models.Match` was found by meaning (translation, paraphrase)."""
    return match.kind in SEMANTIC_KINDS


def language_name(code: str | None) -> str | None:
    """``'ru'`` → ``'Russian'``; an unknown or missing code → None (the report then names none)."""
    return LANGUAGE_NAMES.get(code) if code else None


def kind_label(match) -> str:
    """How a :class:`~plagcheck.models.Match` was taken, in a supervisor's words: ``'translated from
    Russian'`` (``'translated'`` when the source language is not known), ``'paraphrased'``, ``'copied
    sentence'`` (a short exact copy); ``''`` for a copied passage, the ordinary case."""
    if match.kind == "translation":
        language = language_name(match.source_language)
        return f"translated from {language}" if language else "translated"
    return {"paraphrase": "paraphrased", "short": "copied sentence"}.get(match.kind, "")


def kind_counts(matches) -> str:
    """``'1 translation from Russian, 2 copied sentences'``: the given matches that are not copied
    passages, counted by kind (and source language, for translations); ``''`` when there are none."""
    nouns = {"translation": "translation", "paraphrase": "paraphrase", "short": "copied sentence"}
    counts: dict[tuple[str, str | None], int] = {}
    for m in matches:
        if m.kind != "verbatim":
            key = (m.kind, language_name(m.source_language) if m.kind == "translation" else None)
            counts[key] = counts.get(key, 0) + 1
    return ", ".join(count(n, nouns.get(kind, kind)) + (f" from {language}" if language else "")
                     for (kind, language), n in counts.items())


def counted_kinds(report: Report, source_id: int) -> str:
    """:func:`kind_counts` of a source's counted matches: ``'1 translation from Russian'``."""
    return kind_counts(rm.match for rm in report.matches if rm.source_id == source_id and rm.counted)


def names_page(message: str, page: int | None) -> bool:
    """Whether an alert's ``message`` says its ``page`` already (the report then does not add it)."""
    return page is not None and f"page {page}" in message


def meaning_matches(match) -> str:
    """``'meaning matches (translation); evidence to review, not proof'``: what a semantic match
    shows instead of :func:`wording_same`, which means nothing across languages."""
    return f"meaning matches ({match.kind}); {EVIDENCE_NOTE}"


def borrowed_percents(report: Report) -> dict[str, str]:
    """The borrowed share split as printed: ``{'copied': '10.1%', 'translation': '3.1%', 'paraphrase':
    '0.8%'}``, adding up to the printed borrowed figure (the largest remainders take the rounding)."""
    borrowed = round(100 * report.similarity, 1)
    parts = split_rounded({k: 100 * v for k, v in report.borrowed_by_kind.items()}, borrowed, 1)
    return {k: f"{v:.1f}%" for k, v in parts.items()}


def semantic_note(report: Report) -> str:
    """A line for reports whose borrowed text includes translations or paraphrases (else ``''``)."""
    if not any(is_semantic(rm.match) and rm.counted for rm in report.matches):
        return ""
    return ("Translated and paraphrased passages are found by comparing the meaning of sentences, not their "
            f"words: each is {EVIDENCE_NOTE}. Read it beside its source passage (the HTML report shows both).")


def borrowed_split_line(report: Report) -> str:
    """``'of which translated 3.1%, paraphrased 0.8%'`` (the parts found by meaning), or ``''``
    when there are none."""
    parts = borrowed_percents(report)
    shown = [f"{BORROWED_PART_LABELS.get(k, k)} {v}" for k, v in parts.items()
             if k != COPIED and report.borrowed_by_kind.get(k, 0) > 0]
    return "of which " + ", ".join(shown) if shown else ""


def exclusions_applied(options) -> list[str]:
    """The exclusions switched on, in words (``options`` is a :class:`ReportOptions`)."""
    applied = [name for name, on in (("quotations with a citation", options.exclude_quotes),
                                     ("the bibliography", options.exclude_bibliography),
                                     (f"passages shared by {options.common_min_documents}+ corpus documents",
                                      options.exclude_common)) if on]
    if options.min_words > 1:
        applied.append(f"matches under {options.min_words} words")
    return applied


def exclusions_line(report: Report) -> str:
    """``'exclusions applied: quotations with a citation, …'`` (or that none were)."""
    applied = exclusions_applied(report.options)
    return "exclusions applied: " + (", ".join(applied) if applied else "none")


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``'1 source'``, ``'3 sources'``."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def excluded_document_lines(report: Report) -> list[str]:
    """One line per corpus document left out by hand as the checked document's own entry, with
    the share it would have explained: nothing is set aside without a trace."""
    return [f"document {d.id} ({', '.join(x for x in (d.author, f'«{d.title}»' if d.title else None, d.path) if x)}) "
            f"left out as this document's own entry; it would have explained {percent(d.share)} of the text"
            for d in report.result.excluded_documents]


def document_title(report: Report) -> str:
    """The thesis' title from its metadata, else its file name."""
    info = report.result.document_info
    return str(info.get("title") or Path(info.get("path") or report.document.path).name)


def metadata_rows(report: Report) -> list[tuple[str, str]]:
    """(label, value) rows describing the checked document and the check."""
    info = report.result.document_info
    corpus = report.result.corpus
    thesis = (("path", "File"), ("title", "Title"), ("author", "Author"), ("year", "Year"),
              ("department", "Department"), ("language", "Language"))
    properties = (("format", "Format"), ("pages", "Pages"), ("words", "Words"), ("chars", "Characters"),
                  ("content_hash", "Content hash (SHA-256)"))
    known = {key for key, _ in thesis + properties}
    # The metadata CSV's other columns (supervisor, group, ...), under their own headers.
    extra = [(k[:1].upper() + k[1:], v) for k, v in info.items() if k not in known]
    rows = [(label, info.get(key)) for key, label in thesis] + extra + [
        (label, info.get(key)) for key, label in properties] + [
        ("Report created", report.created_at),
        ("Corpus", f"{corpus.get('documents')} documents, {corpus.get('passages')} passages, "
                   f"index generation {corpus.get('generation')}"),
        ("Engine", f"plagcheck {corpus.get('engine_version')}")]
    return [(k, str(v)) for k, v in rows if v not in (None, "")]


def explanation(report: Report) -> list[str]:
    """What each number means, in a supervisor's words: one sentence per number."""
    o = report.options
    kinds = report.excluded_by_kind
    borrowed, cited, original = three_percents(report)
    lines = [
        f"Borrowed {borrowed}: the part of the text found in other documents of the corpus and not cited — "
        f"passages of at least {o.min_words} words that match a source. Each matched word is given to one "
        f"source (the strongest match first), so the sources' shares add up to this figure.",
        _kinds_explanation(report),
        f"Cited or excluded {cited}: text set aside as legitimate use, whether or not it matches a source — "
        f"quotations followed by a citation ({percent(kinds.get('quote', 0))}), the bibliography "
        f"({percent(kinds.get('bibliography', 0))}) and standard wording that {o.common_min_documents} or more "
        f"corpus documents share ({percent(kinds.get('common_passage', 0))}).",
        f"Original {original}: the rest — text with no match in the corpus, or only a match shorter than "
        f"{o.min_words} words (too short to show borrowing).",
        "The three are shares of the whole text (its words, counted in characters) and add up to 100%. "
        "Excluding something moves text from borrowed to cited; it never raises a figure.",
        f"Before exclusions {percent(report.similarity_without_exclusions)} of the text was in some match. "
        f"In matches of at least {defaults.SHORT_MATCH_WORDS} words: {percent(report.short_coefficient)}; of at "
        f"least {defaults.LONG_MATCH_WORDS} words: {percent(report.long_coefficient)} (both counted as borrowed).",
    ]
    off = [name for name, on in (("quotations", o.exclude_quotes), ("bibliography", o.exclude_bibliography),
                                 ("common passages", o.exclude_common)) if not on]
    if off:
        lines.append("Switched off for this report (counted like any other text): " + ", ".join(off) + ".")
    return lines


def semantic_searched(report: Report) -> bool:
    """Whether this check looked for translations and paraphrases: the semantic layer ran over some
    embedded corpus documents (``corpus.layers`` names it) or found something."""
    return ("semantic" in report.result.corpus.get("layers", ())
            or any(is_semantic(rm.match) for rm in report.matches))


def _kinds_explanation(report: Report) -> str:
    parts = borrowed_percents(report)
    borrowed = three_percents(report)[0]
    if not semantic_searched(report):
        return (f"Of the borrowed {borrowed}, all was found word for word: whole passages and single copied "
                f"sentences. Translations and paraphrases were not looked for in this check.")
    coverage = (report.result.corpus.get("semantic") or {}).get("coverage")
    seen = f" (in the {percent(coverage)} of the corpus whose sentences are embedded)" if coverage is not None else ""
    return (f"Of the borrowed {borrowed}: copied word for word {parts.get(COPIED, '0.0%')} (whole passages, and "
            f"single copied sentences), translated from another language {parts.get(TRANSLATION, '0.0%')}, "
            f"paraphrased in the same language {parts.get(PARAPHRASE, '0.0%')}. Translations and paraphrases "
            f"are found by comparing the meaning of sentences across Kazakh, Russian and English{seen}, not by "
            f"shared words: they count as borrowed, but each is {EVIDENCE_NOTE} — compare it with the source "
            f"passage.")


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
