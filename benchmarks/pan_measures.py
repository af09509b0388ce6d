"""PAN text-alignment measures on character spans (Potthast et al., 2010; the PAN evaluation script).

A case or detection is a pair of spans: characters of the suspicious document and characters of
the source document. A detection *detects* a case when it is about the same source document and
overlaps it on both sides. Then:

- precision = mean over detections of |chars of r covered by the cases it detects| / |r|
- recall    = mean over cases of |chars of s covered by detections that detect it| / |s|
- granularity = mean, over detected cases, of the number of detections that detect each
- plagdet = F1 / log2(1 + granularity)

|s| counts the characters of both sides, as in PAN.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """Characters ``this_start:this_end`` of a suspicious document reuse ``source_start:source_end``."""

    document: str
    source: str
    this_start: int
    this_end: int
    source_start: int
    source_end: int

    @property
    def size(self) -> int:
        return (self.this_end - self.this_start) + (self.source_end - self.source_start)


def _overlap(a0, a1, b0, b1) -> bool:
    return a0 < b1 and b0 < a1


def detects(r: Span, s: Span) -> bool:
    return (r.document == s.document and r.source == s.source
            and _overlap(r.this_start, r.this_end, s.this_start, s.this_end)
            and _overlap(r.source_start, r.source_end, s.source_start, s.source_end))


def _union_length(intervals: list[tuple[int, int]]) -> int:
    total, end = 0, None
    start = None
    for a, b in sorted(intervals):
        if b <= a:
            continue
        if end is None or a > end:
            if end is not None:
                total += end - start
            start, end = a, b
        else:
            end = max(end, b)
    if end is not None:
        total += end - start
    return total


def _covered(target: Span, others: list[Span]) -> int:
    """Characters of ``target`` (both sides) inside the union of ``others``, clipped to target."""
    this = [(max(o.this_start, target.this_start), min(o.this_end, target.this_end)) for o in others]
    src = [(max(o.source_start, target.source_start), min(o.source_end, target.source_end)) for o in others]
    return _union_length(this) + _union_length(src)


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    granularity: float
    plagdet: float
    cases: int
    detections: int

    def row(self) -> list[str]:
        return [f"{self.plagdet:.3f}", f"{self.precision:.3f}", f"{self.recall:.3f}",
                f"{self.granularity:.3f}", str(self.cases), str(self.detections)]


def score(cases: list[Span], detections: list[Span]) -> Scores:
    """PAN's micro-averaged measures (undefined parts count as perfect when there is nothing to find)."""
    by_doc_cases: dict[str, list[Span]] = {}
    for s in cases:
        by_doc_cases.setdefault(s.document, []).append(s)
    by_doc_dets: dict[str, list[Span]] = {}
    for r in detections:
        by_doc_dets.setdefault(r.document, []).append(r)

    recall_terms = []
    granularities = []
    for s in cases:
        hits = [r for r in by_doc_dets.get(s.document, []) if detects(r, s)]
        recall_terms.append(_covered(s, hits) / s.size if s.size else 1.0)
        if hits:
            granularities.append(len(hits))
    precision_terms = []
    for r in detections:
        hits = [s for s in by_doc_cases.get(r.document, []) if detects(r, s)]
        precision_terms.append(_covered(r, hits) / r.size if r.size else 0.0)

    recall = sum(recall_terms) / len(recall_terms) if recall_terms else 1.0
    precision = sum(precision_terms) / len(precision_terms) if precision_terms else (1.0 if not cases else 0.0)
    granularity = sum(granularities) / len(granularities) if granularities else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, granularity, f1 / math.log2(1 + granularity), len(cases), len(detections))
