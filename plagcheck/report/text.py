"""Wording shared by the HTML and PDF reports: labels, figures and the explanation of each number."""

from __future__ import annotations

from pathlib import Path

from plagcheck import defaults
from plagcheck.report.build import Report

ALERT_LABELS = {
    "homoglyph": "Homoglyph substitution",
    "invisible_characters": "Invisible characters",
    "white_text": "White text",
    "microscopic_text": "Microscopic text",
    "hidden_text": "Hidden text",
    "no_text_layer": "Page without a text layer",
    "letter_spacing": "Letters spaced apart",
}
EXCLUSION_LABELS = {
    "quote": "Quotation with citation",
    "bibliography": "Bibliography",
    "common_passage": "Common passage",
    "short_match": "Short match",
}


def percent(fraction: float) -> str:
    """``0.1234`` → ``'12.3%'``."""
    return f"{100 * fraction:.1f}%"


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
    """One sentence per number on the report, saying how it was computed."""
    o = report.options
    kinds = report.excluded_by_kind
    lines = [
        f"Similarity {percent(report.similarity)}: the characters of matched passages that count, as a share of "
        f"the document's text after exclusions. The sources' shares add up to it (each matched word is "
        f"given to one source, the strongest match first).",
        f"Without exclusions {percent(report.similarity_without_exclusions)}: every match counted, as a share of "
        f"the whole text.",
        f"Excluded from the total {percent(report.excluded_share)} of the text: quotations with a citation "
        f"{percent(kinds.get('quote', 0))}, bibliography {percent(kinds.get('bibliography', 0))}, passages "
        f"shared by {o.common_min_documents} or more corpus documents {percent(kinds.get('common_passage', 0))}.",
        f"Matches with fewer than {o.min_words} counted words are not counted; their text stays in the total.",
        f"Coefficients: the share of the text (after exclusions) in counted matches of at least "
        f"{defaults.SHORT_MATCH_WORDS} words ({percent(report.short_coefficient)}) and of at least "
        f"{defaults.LONG_MATCH_WORDS} words ({percent(report.long_coefficient)}).",
    ]
    off = [name for name, on in (("quotations", o.exclude_quotes), ("bibliography", o.exclude_bibliography),
                                 ("common passages", o.exclude_common)) if not on]
    if off:
        lines.append("Switched off for this report (counted as ordinary text): " + ", ".join(off) + ".")
    return lines
