"""The report JSON: the check JSON plus exclusions, alerts and the report's figures (see README),
and its way back: :func:`report_from_json` rebuilds the :class:`Report` that the HTML and PDF
renderers take, so that a stored report (with reviewer decisions applied or not) can be rendered
again in any language without the corpus."""

from __future__ import annotations

import json
from dataclasses import fields

from plagcheck.models import Alert, CheckResult, Document, ExcludedDocument, Exclusion, Match, PageSpan, SourceShare
from plagcheck.report.build import Report, ReportMatch, ReportOptions, ReportSource, SourceExcerpt


def render_json(report: Report) -> str:
    """The report as indented JSON (UTF-8 text, not ASCII-escaped)."""
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2)


def report_from_json(data: dict) -> Report:
    """The :class:`Report` a report JSON (``render_json``, or :func:`apply_decisions`' output) was
    written from, as far as the renderers need it. Needs report format 2 or later (the text)."""
    if "text" not in data:
        raise ValueError("this report JSON does not carry the text (report format 2 or later): check the thesis again")
    info = data["document"]
    alerts = tuple(Alert(**a) for a in data.get("alerts", ()))
    document = Document(path=info.get("path") or "", format=info.get("format") or "", text=data["text"],
                        pages=tuple(PageSpan(**p) for p in data.get("page_spans", ())), alerts=alerts)
    matches, report_matches = [], []
    for m in data["matches"]:
        match = Match(source_id=m["source_id"], this_start=m["this_offset"],
                      this_end=m["this_offset"] + m["this_length"],
                      source_start=m["source_offset"], source_end=m["source_offset"] + m["source_length"],
                      score=m["score"], words=m["words"], kind=m.get("kind", "verbatim"),
                      source_language=m.get("source_language"))
        e = m["source_excerpt"]
        excerpt = SourceExcerpt(start=e["offset"], end=e["offset"] + len(e["text"]), text=e["text"],
                                match_start=e["match_offset"], match_end=e["match_offset"] + e["match_length"],
                                changed=tuple(tuple(r) for r in e.get("changed", ())),
                                this_changed=tuple(tuple(r) for r in e.get("this_changed", ())))
        matches.append(match)
        report_matches.append(ReportMatch(match, match.source_id, m["counted"], m["counted_words"], excerpt))
    shares = [SourceShare(id=s["id"], path=s["path"], title=s.get("title"), author=s.get("author"), year=s.get("year"),
                          share=s.get("share_without_exclusions", s["share"]), matches=s.get("matches_found", 0))
              for s in data["sources"]]
    excluded = tuple(ExcludedDocument(**d) for d in data.get("excluded_documents", ()))
    result = CheckResult(document=document, document_info=info, matches=tuple(matches), sources=tuple(shares),
                         similarity=data.get("similarity_without_exclusions", data["similarity"]),
                         settings=data.get("settings", {}), corpus=data.get("corpus", {}),
                         timings=data.get("timings", {}), excluded_documents=excluded)
    sources = tuple(ReportSource(share, s.get("color", "#dddddd"), s["share"], s.get("share_without_exclusions", 0.0),
                                 s.get("matches", 0), bool(s.get("excluded_by_reviewer")))
                    for share, s in zip(shares, data["sources"]))
    known = {f.name for f in fields(ReportOptions)}
    options = ReportOptions(**{k: v for k, v in data.get("options", {}).items() if k in known})
    coefficients = list(data.get("coefficients", {}).values()) + [0.0, 0.0]
    return Report(result=result, options=options, alerts=alerts,
                  exclusions=tuple(Exclusion(**e) for e in data.get("exclusions", ())),
                  matches=tuple(report_matches), sources=sources, similarity=data["similarity"], cited=data["cited"],
                  original=data["original"],
                  similarity_without_exclusions=data.get("similarity_without_exclusions", data["similarity"]),
                  excluded_by_kind=data.get("excluded_by_kind", {}), borrowed_by_kind=data.get("borrowed_by_kind", {}),
                  short_coefficient=coefficients[0], long_coefficient=coefficients[1],
                  created_at=data.get("created_at", ""), coverage_record=data.get("coverage"))


__all__ = ["render_json", "report_from_json"]
