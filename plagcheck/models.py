"""Plain data passed between pipeline stages. No database rows or CLI objects cross a stage."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Alert:
    """Something in a document that looks like an attempt to evade detection, with its location.

    ``start``/``end`` are character offsets in the document's extracted text (None when the alert
    concerns something that is not in the text, e.g. a scanned page).
    """

    kind: str            # homoglyph, invisible_characters, white_text, microscopic_text, no_text_layer, letter_spacing,
                         # hidden_text, scanned_pages, text_in_images, image_not_recognised, legacy_font
    message: str
    start: int | None = None
    end: int | None = None
    page: int | None = None

    def to_dict(self) -> dict:
        return {"kind": self.kind, "message": self.message, "start": self.start,
                "end": self.end, "page": self.page}


@dataclass(frozen=True)
class Exclusion:
    """Characters ``start:end`` of the checked text left out of the similarity, and why.

    ``kind`` is ``quote``, ``bibliography``, ``common_passage`` (text counted as cited, matched or
    not) or ``short_match`` (a match too short to count; its text stays original).
    """

    kind: str
    start: int
    end: int
    reason: str

    def to_dict(self) -> dict:
        return {"kind": self.kind, "start": self.start, "end": self.end, "reason": self.reason}


@dataclass(frozen=True)
class PageSpan:
    """Characters ``start:end`` of the extracted text come from page ``page`` (1-based)."""

    page: int
    start: int
    end: int


@dataclass(frozen=True)
class Document:
    """An extracted document: its text exactly as every offset in plagcheck refers to it."""

    path: str
    format: str                       # pdf, docx, txt; doc, docm, odt, rtf (read as the DOCX LibreOffice converts them to)
    text: str
    pages: tuple[PageSpan, ...] = ()
    alerts: tuple[Alert, ...] = ()
    furniture: str = ""               # headers/footers kept apart from the body
    ocr: tuple[tuple[int, int], ...] = ()  # characters start:end of ``text`` recognised by OCR from images

    def page_of(self, offset: int) -> int | None:
        """The page holding character ``offset``, or None for formats without pages."""
        for span in self.pages:
            if span.start <= offset < span.end:
                return span.page
        return None


@dataclass(frozen=True)
class Tokens:
    """Normalized words and, for each, the span of original characters it came from.

    This is the offset map of normalization: ``text[starts[i]:ends[i]]`` is the original spelling
    of ``words[i]`` (including any zero-width characters or line-end hyphens inside it).
    """

    words: tuple[str, ...]
    starts: np.ndarray = field(repr=False)
    ends: np.ndarray = field(repr=False)

    def __len__(self) -> int:
        return len(self.words)

    def within(self, start: int, end: int) -> tuple[int, int]:
        """The words inside characters ``start:end``: indexes ``lo`` (the first starting at or after
        ``start``) to ``hi`` (past the last ending at or before ``end``)."""
        return int(np.searchsorted(self.starts, start, "left")), int(np.searchsorted(self.ends, end, "right"))


@dataclass(frozen=True)
class Match:
    """A passage of the checked document found in a corpus document, in original characters."""

    source_id: int
    this_start: int
    this_end: int
    source_start: int
    source_end: int
    score: float          # TF-IDF cosine of the two passages (short: share of identical words)
    words: int            # length in words of the checked passage
    kind: str = "verbatim"  # the detector: verbatim (MinHash), short (fingerprints), translation or
                            # paraphrase (the semantic layer: languages differ / agree)
    source_language: str | None = None  # kk, ru, en: of the source text matched (None: not known)

    @property
    def this_length(self) -> int:
        return self.this_end - self.this_start

    @property
    def source_length(self) -> int:
        return self.source_end - self.source_start


@dataclass(frozen=True)
class SourceShare:
    """A corpus document matched by the check, with the share of the checked text it explains."""

    id: int
    path: str
    title: str | None
    author: str | None
    year: int | None
    share: float          # fraction of the checked document's characters attributed to this source
    matches: int

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class ExcludedDocument:
    """A corpus document left out as a source because the caller named it as the checked
    document's own entry (``--exclude-document``, a job's own earlier entry), with the share of
    the text it would have explained: a report must show what was set aside, and how much."""

    id: int
    path: str
    title: str | None
    author: str | None
    share: float          # fraction of the checked document's characters it would explain alone

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class CheckResult:
    """Everything a report needs: the document, its matches and sources, and how it was checked."""

    document: Document
    document_info: dict           # path, content_hash, language, chars, words, pages, metadata
    matches: tuple[Match, ...]
    sources: tuple[SourceShare, ...]
    similarity: float             # share of the document's word characters covered by matches
    settings: dict
    corpus: dict                  # CorpusState.to_dict(): count, generation, engine version, params
    timings: dict = field(default_factory=dict)
    excluded_documents: tuple[ExcludedDocument, ...] = ()
    # The document's words, stems and shingles as the check computed them (index.Analysis), so a
    # report need not tokenize the thesis again. Not part of the JSON.
    analysis: object = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict:
        """The check JSON: offsets are characters of the extracted original text."""
        paths = {s.id: s.path for s in self.sources}
        return {
            "document": self.document_info,
            "similarity": round(self.similarity, 6),
            "sources": [s.to_dict() for s in self.sources],
            "matches": [{
                "source_id": m.source_id, "source_path": paths.get(m.source_id),
                "this_offset": m.this_start, "this_length": m.this_length,
                "source_offset": m.source_start, "source_length": m.source_length,
                "score": round(m.score, 4), "words": m.words, "kind": m.kind,
                "source_language": m.source_language,
            } for m in self.matches],
            "alerts": [a.to_dict() for a in self.document.alerts],
            "excluded_documents": [d.to_dict() for d in self.excluded_documents],
            "settings": self.settings,
            "corpus": self.corpus,
            "timings": self.timings,
        }
