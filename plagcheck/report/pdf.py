"""The printable PDF report, a certificate: a summary, then the full text with every match highlighted.

:func:`render_pdf` is a pure function of a :class:`~plagcheck.report.build.Report`: it writes
simple HTML (all text escaped) and lets :class:`pymupdf.Story` lay it out on A4 pages, so no new
dependency is needed. MuPDF's built-in fonts cover Latin, Cyrillic and the Kazakh letters.

Two quirks of MuPDF's HTML layout shape the markup:

- ``border-collapse: collapse`` makes it draw a table's backgrounds again on every later page
  (the grey stripes and colour swatches that used to reappear over the excerpts), so tables here
  keep the default separate borders;
- a first block taller than a page is not split but runs off the page, so each story starts with
  a heading and the text is one paragraph per line.
"""

from __future__ import annotations

import io

import pymupdf

from plagcheck.report.build import Report
from plagcheck.report.html import esc as html_esc
from plagcheck.report.text import (ALERT_LABELS, EXCLUSION_LABELS, borrowed_percents, borrowed_split_line,
                                   counted_kinds, document_title, excluded_document_lines, exclusions_applied,
                                   explanation, is_semantic, kind_label, metadata_rows, names_page, percent,
                                   semantic_note, text_pieces, three_percents)

_MARGIN = 42
_SEMANTIC_TEXT = "#1a3d8f"  # translated or paraphrased text in the full text (blue on the source's colour)
_PAGE = pymupdf.paper_rect("a4")
# The three shares' colours: the same hues as the HTML report's bar.
_BORROWED, _CITED, _ORIGINAL = "#d6334a", "#4a8ad6", "#5cb87a"
_BORROWED_BY_MEANING = "#ec9aa5"  # the translated and paraphrased part of the bar (MuPDF cannot hatch)
_CITED_TEXT = "#5a5a5a"   # cited or excluded text in the full text: grey, not highlighted


def esc(value) -> str:
    """Text escaped for MuPDF's Story, which decodes character references twice: the ``&`` of an
    HTML-escaped text is escaped once more, or a thesis saying ``&lt;`` would be quoted as ``<``."""
    return html_esc(value).replace("&", "&amp;")


_CSS = """
body {font-family: sans-serif; font-size: 9.5pt; line-height: 1.35;}
h1 {font-size: 18pt; margin: 0 0 4pt 0;}
h2 {font-size: 13pt; margin: 12pt 0 4pt 0; border-bottom: 1px solid #999999;}
h2.text {border-bottom: none;}
.institution {font-size: 10pt; color: #444444; margin: 0 0 4pt 0;}
.muted {color: #666666; font-size: 8.5pt;}
table {width: 100%;}
th {text-align: left; padding: 1pt 4pt; font-size: 9pt; color: #444444;}
td {padding: 1pt 4pt; vertical-align: top; font-size: 9pt; border-bottom: 1px solid #dddddd;}
td.figure {border-bottom: none; width: 33%;}
.big {font-size: 22pt; font-weight: bold;}
.split td {border-bottom: none; padding: 0; font-size: 4pt;}
.alert {color: #8a1c00;}
p.line {margin: 0.1pt 0;}
p.gap {margin: 0; font-size: 4pt;}
.mn {font-weight: bold; font-size: 7.5pt;}
.pg {color: #888888; font-size: 7.5pt;}
.kd {font-weight: normal; font-style: italic;}
.of {color: #b00020; font-size: 8.5pt; font-weight: bold;}
"""


def render_pdf(report: Report) -> bytes:
    """The report as PDF bytes: the summary (figures, sources, alerts, exclusions, how it was
    checked), then from a new page the full text with every match highlighted in its source's
    colour and numbered in text order."""
    data, starts = _layout([(_summary(report), _CSS), (_full_text(report), _CSS)], _MARGIN)
    return _finish(data, document_title(report), starts)


def html_to_pdf(html: str, css: str, margin: float) -> bytes:
    """Flow ``html`` over as many A4 pages as it needs (PyMuPDF's Story), margins in points."""
    return _layout([(html, css)], margin)[0]


def _layout(stories: list[tuple[str, str]], margin: float) -> tuple[bytes, list[int]]:
    """Lay out each (html, css) story from a new page; returns the PDF and each story's first page."""
    buffer = io.BytesIO()
    writer = pymupdf.DocumentWriter(buffer)
    where = _PAGE + (margin, margin, -margin, -margin)
    starts, pages = [], 0
    for html, css in stories:
        starts.append(pages)
        story = pymupdf.Story(html=html, user_css=css)
        more = True
        while more:
            device = writer.begin_page(_PAGE)
            more, _ = story.place(where)
            story.draw(device)
            writer.end_page()
            pages += 1
    writer.close()
    return buffer.getvalue(), starts


def _finish(data: bytes, title: str, starts: list[int]) -> bytes:
    """Add "title — page n of N" at the foot of every page, the title and an outline."""
    pdf = pymupdf.open("pdf", data)
    pdf.set_metadata({"title": f"Similarity report: {title}", "creator": "plagcheck"})
    pdf.set_toc([[1, "Summary", starts[0] + 1], [1, "Full text with highlights", starts[1] + 1]])
    for number, page in enumerate(pdf, start=1):
        footer = f"plagcheck similarity report · {title[:80]} · page {number} of {pdf.page_count}"
        rect = pymupdf.Rect(_MARGIN, page.rect.height - 30, page.rect.width - _MARGIN, page.rect.height - 14)
        page.insert_htmlbox(rect, f'<p style="font-size:7.5pt;color:#777777;text-align:center">{esc(footer)}</p>')
    return pdf.tobytes(garbage=3, deflate=True)


# -- the summary ----------------------------------------------------------------------------------
def _summary(report: Report) -> str:
    info = report.result.document_info
    parts = []
    if info.get("institution"):
        parts.append(f'<p class="institution">{esc(info["institution"])}</p>')
    parts.append(f"<h1>Similarity report</h1><p><b>{esc(document_title(report))}</b>"
                 + (f" — {esc(info['author'])}" if info.get("author") else "") + "</p>")
    parts.append(_figures(report))
    parts.append(_sources(report))

    parts.append(f"<h2>Alerts ({len(report.alerts)})</h2>")
    if report.alerts:
        parts.append("<ul>" + "".join(
            f'<li class="alert"><b>{esc(ALERT_LABELS.get(a.kind, a.kind))}</b>: {esc(a.message)}'
            f'{esc(_where(report, a.start, a.page, a.message))}</li>' for a in report.alerts) + "</ul>")
    else:
        parts.append("<p>No signs of evasion found.</p>")

    parts.append(_exclusions(report))
    parts.append("<h2>Document and check</h2><table>" + "".join(
        f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in metadata_rows(report)) + "</table>")
    parts.append("<h2>What the numbers mean</h2><ul>" + "".join(
        f"<li>{esc(line)}</li>" for line in explanation(report)) + "</ul>")
    return "".join(parts)


def _figures(report: Report) -> str:
    borrowed, cited, original = three_percents(report)
    split = borrowed_split_line(report)  # "of which translated 3.1%, paraphrased 0.8%", if any
    cells = "".join(
        f'<td class="figure"><span class="big" style="color:{color}">{value}</span><br>'
        f"<b>{label}</b><br>{of}<span class=\"muted\">{esc(hint)}</span></td>"
        for label, value, color, hint, of in (
            ("Borrowed", borrowed, _BORROWED, "found in a source and not cited",
             f'<span class="of">{esc(split)}</span><br>' if split else ""),
            ("Cited or excluded", cited, _CITED, "quotations, bibliography, standard wording", ""),
            ("Original", original, _ORIGINAL, "no match, or too short to count", "")))
    # The three as one bar across the page, the borrowed part found by meaning in a lighter red; a
    # share under 0.5% gets no cell (it would not show).
    parts = [(borrowed, _BORROWED)]
    if split:
        by_kind = borrowed_percents(report)
        semantic = sum(float(v.rstrip("%")) for k, v in by_kind.items() if k in ("translation", "paraphrase"))
        parts = [(by_kind["copied"], _BORROWED), (f"{semantic:.1f}%", _BORROWED_BY_MEANING)]
    bar = "".join(f'<td style="width:{value};background-color:{color}">&#160;</td>'
                  for value, color in (*parts, (cited, _CITED), (original, _ORIGINAL))
                  if float(value.rstrip("%")) >= 0.5)
    note = semantic_note(report)
    return (f"<table><tr>{cells}</tr></table>"
            f'<table class="split" cellspacing="0"><tr>{bar}</tr></table>'
            f'<p class="muted">Shares of the whole text; they add up to 100%. Before exclusions '
            f"{esc(percent(report.similarity_without_exclusions))} of the text was in some match."
            + (f" The lighter part of the borrowed share was translated or paraphrased. {esc(note)}" if split else "")
            + "</p>")


def _sources(report: Report) -> str:
    if not report.sources:
        return "<h2>Sources (0)</h2><p>No matching sources found.</p>"
    numbers: dict[int, list[str]] = {}
    for k, rm in enumerate(report.matches, start=1):
        numbers.setdefault(rm.source_id, []).append(str(k) if rm.counted else f"({k})")
    kinds = {s.id: counted_kinds(report, s.id) for s in report.sources}  # "1 translation from Russian, ..."
    rows = "".join(
        f'<tr><td style="background-color:{esc(s.color)}">{n}</td><td>{esc(s.label)}<br>'
        + (f'<i>{esc(kinds[s.id])}</i><br>' if kinds[s.id] else "") +
        f'<span class="muted">{esc(s.source.path)}</span></td><td>{esc(percent(s.share))}</td>'
        f"<td>{esc(percent(s.share_without_exclusions))}</td><td>{esc(', '.join(numbers.get(s.id, [])))}</td></tr>"
        for n, s in enumerate(report.sources, start=1))
    return (f"<h2>Sources ({len(report.sources)})</h2>"
            "<table><tr><th>#</th><th>Source</th><th>Borrowed</th><th>Before exclusions</th>"
            f"<th>Matches in the text</th></tr>{rows}</table>"
            '<p class="muted">Matches are numbered in text order, as in the full text below; a number in '
            "brackets is a match that does not count (cited, or too short).</p>")


def _exclusions(report: Report) -> str:
    applied = exclusions_applied(report.options)
    kinds = report.excluded_by_kind
    parts = [f"<h2>Exclusions ({len(report.exclusions)})</h2>",
             "<p>Applied: " + esc(", ".join(applied) if applied else "none") + ". Cited or excluded: "
             + esc("; ".join(f"{EXCLUSION_LABELS[k].lower()} {percent(v)}" for k, v in kinds.items()))
             + " of the text.</p>"]
    items = [f"<li><b>{esc(EXCLUSION_LABELS.get(e.kind, e.kind))}</b>{esc(_where(report, e.start))}: "
             f"{esc(e.reason)}</li>" for e in report.exclusions]
    items += [f"<li><b>Corpus document left out</b>: {esc(line)}</li>" for line in excluded_document_lines(report)]
    if items:
        parts.append("<ul>" + "".join(items) + "</ul>")
    return "".join(parts)


def _where(report: Report, start: int | None, page: int | None = None, said: str = "") -> str:
    """`` (page N)`` for a PDF, unless ``said`` (an alert's message) names the page already."""
    page = page or (report.document.page_of(start) if start is not None else None)
    return f" (page {page})" if page and not names_page(said, page) else ""


# -- the full text --------------------------------------------------------------------------------
def _full_text(report: Report) -> str:
    """The whole text, one paragraph per line, each match in its source's colour with its number."""
    text = report.document.text
    colors = {s.id: s.color for s in report.sources}
    labels: dict[int, list[str]] = {}
    for k, rm in enumerate(report.matches, start=1):
        style = f"background-color:{colors.get(rm.source_id, '#dddddd')}" if rm.counted else "color:#777777"
        # A copied sentence, a translation or a paraphrase says so in its number: [4 ≈ translated from Russian]
        kind = kind_label(rm.match)
        kind = f' <span class="kd">{"≈ " if is_semantic(rm.match) else ""}{esc(kind)}</span>' if kind else ""
        labels.setdefault(rm.match.this_start, []).append(f'<span class="mn" style="{style}">[{k}{kind}]</span> ')
    for span in report.document.pages:  # the thesis' own page numbers, to find a passage in the file
        labels.setdefault(span.start, []).insert(0, f'<span class="pg">[p. {span.page}]</span> ')

    lines: list[list[str]] = [[]]
    pending: list[str] = []
    for piece in text_pieces(report, tuple(span.start for span in report.document.pages)):
        style = ""
        if piece.match is not None and report.matches[piece.match].counted:
            style = f"background-color:{colors.get(report.matches[piece.match].source_id, '#dddddd')}"
            if is_semantic(report.matches[piece.match].match):
                # MuPDF's Story cannot hatch, and its sans italics set Cyrillic badly: a text colour
                style += f";color:{_SEMANTIC_TEXT}"
        elif piece.exclusion is not None:
            style = f"color:{_CITED_TEXT}"
        if piece.alert:
            style += ";text-decoration:underline" if style else "text-decoration:underline"
        pending += labels.pop(piece.start, [])
        for n, chunk in enumerate(text[piece.start:piece.end].split("\n")):
            if n:
                lines.append([])
            if chunk:  # a label goes before the next text, not at the end of the line before it
                lines[-1] += pending
                pending = []
                lines[-1].append(f'<span style="{style}">{esc(chunk)}</span>' if style else esc(chunk))
    body = "".join(f'<p class="line">{"".join(line)}</p>' if line else '<p class="gap">&#160;</p>' for line in lines)
    legend = ("Borrowed passages are highlighted in their source's colour (see the sources table) and "
              "numbered in text order; cited or excluded text is grey; a number in grey marks a "
              "match that does not count; underlined text raised an alert; [p. N] is a page of the "
              "submitted file.")
    if any(rm.match.kind == "short" for rm in report.matches):
        legend += " A copied sentence says so in its number: [4 copied sentence]."
    if any(is_semantic(rm.match) for rm in report.matches):
        legend += (" Text translated or paraphrased from a source is in blue on its source's colour, and its "
                   "number says so: [5 ≈ translated from Russian], [6 ≈ paraphrased]. " + semantic_note(report))
    # no rule under this heading: on the text pages the only drawings are the highlights
    return f'<h2 class="text">Full text with highlights</h2><p class="muted">{esc(legend)}</p>{body}'
