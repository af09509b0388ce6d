"""Reviewer decisions: exclude a source or a match, switch an exclusion kind, and recompute the
report's figures from its JSON alone, without a new check.

:func:`apply_decisions` takes the report JSON (:func:`~plagcheck.report.json.render_json`) and a
:class:`Decisions`, and returns a new report JSON of the same shape with every figure recomputed
and a ``decisions`` entry saying what was applied. The web cabinet's report page recomputes the
same figures in JavaScript from the same JSON; the algorithm below is written to be ported line
by line.

The data (``report["coverage"]``, written by the report stage)
----------------------------------------------------------------
- ``total_chars``: the characters of all the text's words: every share is a number of word
  characters divided by it (spaces and punctuation between words count for nothing).
- ``segments``: ``[start, end, words, chars, match]`` — the words cut into runs, in text order,
  each run inside the same exclusion spans and owned by the same match: ``match`` is the id of
  the match its words are given to (``report["matches"][i]["id"]``; the strongest match took its
  words first when matches overlap) or -1; ``words``/``chars`` are its words and their characters.
  A segment is a half-open character interval ``[start, end)`` of the text.
- ``spans``: every quotation, bibliography and common-passage interval found, switched on or not:
  ``{"id", "kind": "quote" | "bibliography" | "common_passage", "start", "end", "reason"}``,
  ordered by ``(start, end)``. A segment lies in a span when ``span.start <= segment.start <
  span.end``.
- ``options``: the check's own switches (``exclude_quotes``, ``exclude_bibliography``,
  ``exclude_common``), ``min_words`` (a match counts with at least that many words outside the
  switched-on spans), ``short_words`` / ``long_words`` (the two coefficients' lengths).

The algorithm
-------------
1. The switched-on kinds: ``quote`` if ``exclude_quotes`` (the decision's, else the check's), and
   likewise ``bibliography`` and ``common_passage``. The excluded matches X: the ids in
   ``excluded_matches`` and every match whose ``source_id`` is in ``excluded_sources``.
2. Each segment's cited kind: the ``kind`` of the *first* span (in list order) whose kind is
   switched on and which holds the segment; none if there is no such span.
3. Each match's counted words: the ``words`` of its segments that have no cited kind. The match
   counts if that is at least ``max(1, min_words)``.
4. Each segment's ``chars`` go to exactly one place:
   - a cited kind → ``cited`` (and ``excluded_by_kind[kind]``);
   - else owned by a match that counts and is in X → ``cited`` (``excluded_by_kind["reviewer"]``);
   - else owned by a match that counts → ``similarity`` (borrowed), the match's source's
     ``share``, and ``borrowed_by_kind[part]`` (``copied`` for kinds ``verbatim`` and ``short``,
     else the kind: ``translation``, ``paraphrase``);
   - else → ``original``.
   Each sum divided by ``total_chars``. The three add up to 1 (``original`` is taken as
   ``1 - similarity - cited`` after rounding to 6 places, so the rounded three do too). A decision
   only moves text from borrowed to cited: no figure but ``cited`` can rise by excluding. The
   parts of ``borrowed_by_kind`` are rounded to add up to the rounded ``similarity``: each is
   floored to 6 places and the units left over go to the largest remainders
   (:func:`~plagcheck.report.build.split_rounded`).
5. Coefficients: the chars of segments with no cited kind, owned by a match not in X whose
   counted words are at least ``short_words`` (``long_words``). ``similarity_without_exclusions``
   and each source's ``share_without_exclusions`` do not change.
6. A match in X shows ``counted: false`` and ``excluded_by_reviewer: true``; a source in
   ``excluded_sources`` ``share: 0`` and ``excluded_by_reviewer: true``; ``exclusions`` lists the
   switched-on spans, a ``short_match`` entry per match that counts none of its counted words
   (fewer than ``min_words``), and a ``reviewer`` entry per match in X.

A report JSON without ``coverage`` (written before report format 2) cannot be recomputed:
:func:`apply_decisions` raises :class:`ValueError`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from plagcheck.exclusions import BIBLIOGRAPHY, BORROWED_PART_OF_KIND, BORROWED_PARTS, COMMON_PASSAGE, QUOTE, SHORT_MATCH
from plagcheck.report.build import split_rounded

REVIEWER = "reviewer"  # the exclusion kind of a source or match a reviewer left out
_SWITCHES = {QUOTE: "exclude_quotes", BIBLIOGRAPHY: "exclude_bibliography", COMMON_PASSAGE: "exclude_common"}


@dataclass(frozen=True)
class Decisions:
    """What a reviewer changed in a report. ``None`` keeps the check's own setting of a switch."""

    excluded_sources: frozenset[int] = frozenset()   # corpus document ids
    excluded_matches: frozenset[int] = frozenset()   # ``report["matches"][i]["id"]``
    exclude_quotes: bool | None = None
    exclude_bibliography: bool | None = None
    exclude_common: bool | None = None

    def __post_init__(self):
        for name in ("excluded_sources", "excluded_matches"):
            ids = getattr(self, name)
            if isinstance(ids, (str, bytes)) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
                raise ValueError(f"{name} must be a collection of integer ids")
            object.__setattr__(self, name, frozenset(ids))
        for name in _SWITCHES.values():
            if getattr(self, name) not in (None, True, False):
                raise ValueError(f"{name} must be true, false or null")

    @property
    def empty(self) -> bool:
        """Whether these decisions change nothing."""
        return self == Decisions()

    def to_dict(self) -> dict:
        """JSON-safe: the id sets as sorted lists."""
        return {"excluded_sources": sorted(self.excluded_sources), "excluded_matches": sorted(self.excluded_matches),
                "exclude_quotes": self.exclude_quotes, "exclude_bibliography": self.exclude_bibliography,
                "exclude_common": self.exclude_common}

    @classmethod
    def from_dict(cls, data: dict | None) -> Decisions:
        """The inverse of :meth:`to_dict`; missing keys keep their defaults, unknown keys (and ids
        or switches of the wrong type) are refused with :class:`ValueError` — the dict may come
        from a web form."""
        data = data or {}
        if not isinstance(data, dict):
            raise ValueError("decisions must be a JSON object")
        unknown = set(data) - {"excluded_sources", "excluded_matches", *_SWITCHES.values()}
        if unknown:
            raise ValueError("unknown decisions: " + ", ".join(sorted(map(str, unknown))))
        ids = {}
        for name in ("excluded_sources", "excluded_matches"):
            value = data.get(name) or []
            if not isinstance(value, (list, tuple, set, frozenset)):
                raise ValueError(f"{name} must be a list of integer ids")
            ids[name] = frozenset(value)
        return cls(**ids, **{name: data.get(name) for name in _SWITCHES.values()})


def apply_decisions(report_json: dict, decisions: Decisions, *, reviewer: str | None = None,
                    reviewed_at: str | None = None) -> dict:
    """A new report JSON with ``decisions`` applied (the algorithm of the module docstring), and
    ``decisions`` recording them (with ``reviewer`` and ``reviewed_at`` when given). Decisions
    replace any applied before: they are always taken from the check's own coverage."""
    coverage = report_json.get("coverage")
    if not coverage:
        raise ValueError("this report JSON has no coverage record (report format 2 or later): check the thesis again")
    out = copy.deepcopy(report_json)
    base = coverage["options"]
    switched = {kind: (getattr(decisions, name) if getattr(decisions, name) is not None else bool(base[name]))
                for kind, name in _SWITCHES.items()}
    min_words = int(coverage["min_words"])
    total = coverage["total_chars"]
    matches = out["matches"]
    by_id = {m["id"]: m for m in matches}
    excluded = {m["id"] for m in matches
                if m["id"] in decisions.excluded_matches or m["source_id"] in decisions.excluded_sources}
    spans = [s for s in coverage["spans"] if switched[s["kind"]]]

    # 2. each segment's cited kind; 3. each match's counted words
    cited_kind = []
    counted_words = {m["id"]: 0 for m in matches}
    for start, _end, words, _chars, owner in coverage["segments"]:
        kind = next((s["kind"] for s in spans if s["start"] <= start < s["end"]), None)
        cited_kind.append(kind)
        if kind is None and owner >= 0:
            counted_words[owner] += words
    counts = {i: n >= max(1, min_words) for i, n in counted_words.items()}

    # 4. every segment's characters to one place; 5. the coefficients
    cited = {QUOTE: 0, BIBLIOGRAPHY: 0, COMMON_PASSAGE: 0, REVIEWER: 0}
    borrowed = 0
    parts = {part: 0 for part in BORROWED_PARTS}
    shares = {s["id"]: 0 for s in out["sources"]}
    short_chars = long_chars = 0
    for (start, _end, _words, chars, owner), kind in zip(coverage["segments"], cited_kind):
        if kind is not None:
            cited[kind] += chars
            continue
        if owner >= 0 and owner not in excluded:
            short_chars += chars if counted_words[owner] >= coverage["short_words"] else 0
            long_chars += chars if counted_words[owner] >= coverage["long_words"] else 0
        if owner < 0 or not counts[owner]:
            continue
        if owner in excluded:
            cited[REVIEWER] += chars
            continue
        match = by_id[owner]
        borrowed += chars
        shares[match["source_id"]] = shares.get(match["source_id"], 0) + chars
        part = BORROWED_PART_OF_KIND.get(match["kind"], match["kind"])
        parts[part] = parts.get(part, 0) + chars

    def share(chars: int) -> float:
        return chars / total if total else 0.0

    similarity, cited_share = round(share(borrowed), 6), round(share(sum(cited.values())), 6)
    out.update(similarity=similarity, cited=cited_share, original=round(max(0.0, 1 - similarity - cited_share), 6))
    out["borrowed_by_kind"] = split_rounded({k: share(v) for k, v in parts.items()}, similarity, 6)
    out["excluded_by_kind"] = {k: round(share(v), 6) for k, v in cited.items()}
    out["coefficients"] = {f"matches_{coverage['short_words']}_words": round(share(short_chars), 6),
                           f"matches_{coverage['long_words']}_words": round(share(long_chars), 6)}

    # 6. matches, sources and the exclusions list
    exclusions = [{k: s[k] for k in ("kind", "start", "end", "reason")} for s in spans]
    for m in matches:
        i = m["id"]
        m["counted"] = counts[i] and i not in excluded
        m["counted_words"] = 0 if i in excluded else counted_words[i]
        m["excluded_by_reviewer"] = i in excluded
        start, end = m["this_offset"], m["this_offset"] + m["this_length"]
        if not counts[i] and counted_words[i] > 0:
            exclusions.append({"kind": SHORT_MATCH, "start": start, "end": end,
                               "reason": f"match of {counted_words[i]} counted word(s), fewer than {min_words}"})
        if i in excluded:
            why = (f"source {m['source_id']}" if m["source_id"] in decisions.excluded_sources else f"match {i}")
            exclusions.append({"kind": REVIEWER, "start": start, "end": end,
                               "reason": f"excluded by the reviewer: {why}"})
    out["exclusions"] = sorted(exclusions, key=lambda e: (e["start"], e["end"]))
    for s in out["sources"]:
        s["share"] = round(share(shares.get(s["id"], 0)), 6)
        s["matches"] = sum(1 for m in matches if m["source_id"] == s["id"] and m["counted"])
        s["excluded_by_reviewer"] = s["id"] in decisions.excluded_sources
    out["options"] = {**out["options"], **{name: switched[kind] for kind, name in _SWITCHES.items()}}
    record = decisions.to_dict()
    if reviewer is not None:
        record["reviewer"] = reviewer
    if reviewed_at is not None:
        record["reviewed_at"] = reviewed_at
    out["decisions"] = record
    return out


__all__ = ["Decisions", "REVIEWER", "apply_decisions"]
