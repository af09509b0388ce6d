"""The printable PDF report (summary page, sources table, highlighted excerpts) via PyMuPDF's Story.

:func:`render_pdf` is a pure function of a :class:`~plagcheck.report.build.Report`: it writes a
simple HTML (all text escaped) and lets :class:`pymupdf.Story` lay it out on A4 pages, so no new
dependency is needed. MuPDF's built-in fonts cover Latin, Cyrillic and the Kazakh letters.
"""

from __future__ import annotations

import io

import pymupdf

from plagcheck import defaults
from plagcheck.report.build import Report, ReportMatch
from plagcheck.report.html import esc
from plagcheck.report.text import ALERT_LABELS, EXCLUSION_LABELS, document_title, explanation, metadata_rows, percent

EXCERPT_CHARS = 900       # longer passages are shortened in print (the HTML report has them whole)
MAX_EXCERPTS = 100        # the HTML report has every match
_MARGIN = 42

_CSS = """
body {font-family: sans-serif; font-size: 9.5pt; line-height: 1.35;}
h1 {font-size: 18pt; margin: 0 0 4pt 0;}
h2 {font-size: 13pt; margin: 12pt 0 4pt 0; border-bottom: 1px solid #999;}
h3 {font-size: 10.5pt; margin: 10pt 0 2pt 0;}
.big {font-size: 28pt; font-weight: bold; color: #b00020;}
.muted {color: #666666; font-size: 8.5pt;}
table {border-collapse: collapse; width: 100%;}
th {text-align: left; background-color: #eeeeee; padding: 2pt 4pt; font-size: 9pt;}
td {padding: 2pt 4pt; vertical-align: top; font-size: 9pt; border-bottom: 1px solid #dddddd;}
.excerpt {margin: 2pt 0 2pt 8pt; font-size: 9pt;}
.chg {background-color: #ffe066; text-decoration: underline;}
.alert {color: #8a1c00;}
"""


def render_pdf(report: Report) -> bytes:
    """The report as PDF bytes: summary page, sources table, alerts, exclusions, highlighted excerpts."""
    return _number_pages(html_to_pdf(_html(report), _CSS, _MARGIN), document_title(report))


def html_to_pdf(html: str, css: str, margin: float) -> bytes:
    """Flow ``html`` over as many A4 pages as it needs (PyMuPDF's Story), margins in points."""
    story = pymupdf.Story(html=html, user_css=css)
    buffer = io.BytesIO()
    writer = pymupdf.DocumentWriter(buffer)
    page = pymupdf.paper_rect("a4")
    where = page + (margin, margin, -margin, -margin)
    more = True
    while more:
        device = writer.begin_page(page)
        more, _ = story.place(where)
        story.draw(device)
        writer.end_page()
    writer.close()
    return buffer.getvalue()


def _number_pages(data: bytes, title: str) -> bytes:
    """Add "title — page n of N" at the foot of every page."""
    pdf = pymupdf.open("pdf", data)
    pdf.set_metadata({"title": f"Similarity report: {title}", "creator": "plagcheck"})
    for number, page in enumerate(pdf, start=1):
        footer = f"plagcheck similarity report · {title[:80]} · page {number} of {pdf.page_count}"
        rect = pymupdf.Rect(_MARGIN, page.rect.height - 30, page.rect.width - _MARGIN, page.rect.height - 14)
        page.insert_htmlbox(rect, f'<p style="font-size:7.5pt;color:#777777;text-align:center">{esc(footer)}</p>')
    return pdf.tobytes(garbage=3, deflate=True)


def _html(report: Report) -> str:
    parts = [f"<h1>Similarity report</h1><p><b>{esc(document_title(report))}</b></p>"]
    parts.append(
        f'<p><span class="big">{esc(percent(report.similarity))}</span> similarity after exclusions</p>'
        f"<table><tr><th>Without exclusions</th><th>Matches ≥{defaults.SHORT_MATCH_WORDS} words</th>"
        f"<th>Matches ≥{defaults.LONG_MATCH_WORDS} words</th><th>Excluded text</th><th>Alerts</th></tr>"
        f"<tr><td>{esc(percent(report.similarity_without_exclusions))}</td><td>{esc(percent(report.short_coefficient))}</td>"
        f"<td>{esc(percent(report.long_coefficient))}</td><td>{esc(percent(report.cited))}</td>"
        f"<td>{len(report.alerts)}</td></tr></table>")
    parts.append("<h2>Document and check</h2><table>" + "".join(
        f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in metadata_rows(report)) + "</table>")
    parts.append("<h2>How the numbers are computed</h2><ul>" + "".join(
        f"<li>{esc(line)}</li>" for line in explanation(report)) + "</ul>")

    parts.append(f"<h2>Sources ({len(report.sources)})</h2>")
    if report.sources:
        rows = "".join(
            f'<tr><td style="background-color:{esc(s.color)}">{n}</td><td>{esc(s.label)}<br>'
            f'<span class="muted">{esc(s.source.path)}</span></td><td>{esc(percent(s.share))}</td>'
            f"<td>{esc(percent(s.share_without_exclusions))}</td><td>{s.matches}</td></tr>"
            for n, s in enumerate(report.sources, start=1))
        parts.append("<table><tr><th>#</th><th>Source</th><th>Share</th><th>Without exclusions</th>"
                     f"<th>Matches</th></tr>{rows}</table>")
    else:
        parts.append("<p>No matching sources found.</p>")

    parts.append(f"<h2>Alerts ({len(report.alerts)})</h2>")
    parts.append("<ul>" + "".join(
        f'<li class="alert"><b>{esc(ALERT_LABELS.get(a.kind, a.kind))}</b>: {esc(a.message)}'
        f'{esc(f" (characters {a.start}–{a.end})" if a.start is not None else "")}</li>'
        for a in report.alerts) + "</ul>" if report.alerts else "<p>No signs of evasion found.</p>")

    parts.append(f"<h2>Exclusions ({len(report.exclusions)})</h2>")
    parts.append("<ul>" + "".join(
        f"<li><b>{esc(EXCLUSION_LABELS.get(e.kind, e.kind))}</b>, characters {e.start}–{e.end}: {esc(e.reason)}</li>"
        for e in report.exclusions) + "</ul>" if report.exclusions else "<p>Nothing was excluded.</p>")

    parts.append("<h2>Matched passages</h2>")
    numbers = {s.id: n for n, s in enumerate(report.sources, start=1)}
    shown = [m for m in report.matches if m.counted][:MAX_EXCERPTS]
    for k, rm in enumerate(shown, start=1):
        parts.append(_excerpt(report, k, rm, numbers[rm.source_id]))
    if not shown:
        parts.append("<p>No counted matches.</p>")
    counted = sum(m.counted for m in report.matches)
    if counted > len(shown):
        parts.append(f'<p class="muted">{counted - len(shown)} more matched passages are in the HTML report.</p>')
    return "".join(parts)


def _excerpt(report: Report, k: int, rm: ReportMatch, number: int) -> str:
    source = report.source(rm.source_id)
    m = rm.match
    this = _shorten(report.document.text[m.this_start:m.this_end])
    matched = rm.excerpt.text[rm.excerpt.match_start:rm.excerpt.match_end]
    page = report.document.page_of(m.this_start)
    where = f"page {page}, " if page else ""
    return (f'<h3>{k}. Source {number}: {esc(source.label)}</h3>'
            f'<p class="muted">{where}characters {m.this_start}–{m.this_end} · {m.words} words · '
            f"cosine {m.score:.2f}</p>"
            f'<p class="excerpt"><b>This document:</b> <span style="background-color:{esc(source.color)}">'
            f"{esc(this)}</span></p>"
            f'<p class="excerpt"><b>Source:</b> {_source_html(matched, rm)}</p>')


def _source_html(matched: str, rm: ReportMatch) -> str:
    shift = rm.excerpt.match_start
    out, pos = [], 0
    for start, end in sorted(rm.excerpt.changed):
        start, end = start - shift, end - shift
        if start < pos or end > min(len(matched), EXCERPT_CHARS):
            continue
        out.append(esc(matched[pos:start]))
        out.append(f'<span class="chg">{esc(matched[start:end])}</span>')
        pos = end
    tail = matched[pos:EXCERPT_CHARS] if pos < EXCERPT_CHARS else ""
    out.append(esc(tail) + (" …" if len(matched) > EXCERPT_CHARS else ""))
    return "".join(out)


def _shorten(text: str) -> str:
    if len(text) <= EXCERPT_CHARS:
        return text
    return text[:EXCERPT_CHARS - 200] + " … " + text[-150:]
