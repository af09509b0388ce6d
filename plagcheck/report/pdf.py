"""The printable PDF report, a certificate: a summary, then the full text with every match highlighted.

:func:`render_pdf` is a pure function of a :class:`~plagcheck.report.build.Report`: it writes
simple HTML (all text escaped) and lets :class:`pymupdf.Story` lay it out on A4 pages, so no new
dependency is needed. MuPDF's built-in fonts cover Latin, Cyrillic and the Kazakh letters.

Three quirks of MuPDF's HTML layout shape the markup:

- ``border-collapse: collapse`` makes it draw a table's backgrounds again on every later page
  (the grey stripes and colour swatches that used to reappear over the excerpts), so tables here
  keep the default separate borders;
- a first block taller than a page is not split but runs off the page, so each story starts with
  a heading and the text is one paragraph per line;
- everything after a table that reaches the foot of a page is lost (the sources and the
  metadata, once tables, took "What the numbers mean" with them), so only the short tables of the
  three figures are tables, at the top; lists of any length are paragraphs.

The labels are in the language asked for (:mod:`plagcheck.report.i18n`); :func:`full_text`,
:func:`figures`, :func:`finish` serve the certificate (:mod:`plagcheck.report.certificate`) too.
"""

from __future__ import annotations

import io

import pymupdf

from plagcheck.report.build import Report
from plagcheck.report.html import esc as html_esc
from plagcheck.report.i18n import DEFAULT_LANGUAGE, Translator, translator
from plagcheck.report.text import (alert_label, alert_message, borrowed_numbers, borrowed_split_line, counted_kinds,
                                   document_title, excluded_document_lines, exclusion_label, exclusion_reason,
                                   exclusions_applied, explanation, is_semantic, kind_label, metadata_rows, names_page,
                                   semantic_note, text_pieces, three_numbers, three_percents)

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
p.kv {margin: 0.5pt 0; font-size: 9pt;}
p.src {margin: 2pt 0; font-size: 9pt;}
.sw {font-weight: bold;}
"""


def render_pdf(report: Report, lang: str = DEFAULT_LANGUAGE) -> bytes:
    """The report as PDF bytes, its labels in ``lang`` (kk, ru or en): the summary (figures,
    sources, alerts, exclusions, how it was checked), then from a new page the full text with
    every match highlighted in its source's colour and numbered in text order."""
    t = translator(lang)
    data, starts = _layout([(_summary(report, t), _CSS), (full_text(report, t), _CSS)], _MARGIN)
    return finish(data, t("similarity_report"), document_title(report), [t("summary"), t("full_text")], starts, t)


def html_to_pdf(html: str, css: str, margin: float) -> bytes:
    """Flow ``html`` over as many A4 pages as it needs (PyMuPDF's Story), margins in points."""
    return _layout([(html, css)], margin)[0]


def _layout(stories: list[tuple[str, str]], margin: float) -> tuple[bytes, list[int]]:
    """Lay out each (html, css) story from a new page; returns the PDF and each story's first page.
    (No table may reach the foot of a page: see the module's docstring.)"""
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


def finish(data: bytes, kind: str, title: str, sections: list[str], starts: list[int], t: Translator,
           footer_key: str = "footer") -> bytes:
    """Add "title — page n of N" at the foot of every page (message ``footer_key``), the PDF's
    title (``kind: title``) and an outline (one entry per section, at its first page)."""
    pdf = pymupdf.open("pdf", data)
    pdf.set_metadata({"title": f"{kind}: {title}", "creator": "plagcheck"})
    pdf.set_toc([[1, section, start + 1] for section, start in zip(sections, starts)])
    for number, page in enumerate(pdf, start=1):
        footer = t(footer_key, title=title[:80], n=number, total=pdf.page_count)
        rect = pymupdf.Rect(_MARGIN, page.rect.height - 30, page.rect.width - _MARGIN, page.rect.height - 14)
        page.insert_htmlbox(rect, f'<p style="font-size:7.5pt;color:#777777;text-align:center">{esc(footer)}</p>')
    return pdf.tobytes(garbage=3, deflate=True)


# -- the summary ----------------------------------------------------------------------------------
def _summary(report: Report, t: Translator) -> str:
    info = report.result.document_info
    parts = []
    if info.get("institution"):
        parts.append(f'<p class="institution">{esc(info["institution"])}</p>')
    parts.append(f"<h1>{esc(t('similarity_report'))}</h1><p><b>{esc(document_title(report))}</b>"
                 + (f" — {esc(info['author'])}" if info.get("author") else "") + "</p>")
    parts.append(figures(report, t))
    parts.append(_sources(report, t))

    parts.append(f"<h2>{esc(t('alerts'))} ({len(report.alerts)})</h2>")
    if report.alerts:
        parts.append("<ul>" + "".join(
            f'<li class="alert"><b>{esc(alert_label(a.kind, t.lang))}</b>: {esc(alert_message(a, t.lang))}'
            f'{esc(where(report, t, a.start, a.page, a.message))}</li>' for a in report.alerts) + "</ul>")
    else:
        parts.append(f"<p>{esc(t('no_evasion'))}</p>")

    parts.append(_exclusions(report, t))
    parts.append(f"<h2>{esc(t('document_and_check'))}</h2>" + key_values(metadata_rows(report, t.lang)))
    parts.append(f"<h2>{esc(t('what_numbers_mean'))}</h2><ul>" + "".join(
        f"<li>{esc(line)}</li>" for line in explanation(report, t.lang)) + "</ul>")
    return "".join(parts)


def key_values(rows) -> str:
    """(label, value) rows as paragraphs, not a table: see :func:`_layout`."""
    return "".join(f'<p class="kv"><b>{esc(k)}</b>: {esc(v)}</p>' for k, v in rows)


def figures(report: Report, t: Translator) -> str:
    """The three figures side by side, one bar of the three below them, and what they add up to."""
    borrowed, cited, original = three_percents(report, t.lang)
    widths = three_numbers(report)
    split = borrowed_split_line(report, t.lang)  # "of which translated 3.1%, paraphrased 0.8%", if any
    cells = "".join(
        f'<td class="figure"><span class="big" style="color:{color}">{value}</span><br>'
        f"<b>{esc(label)}</b><br>{of}<span class=\"muted\">{esc(hint)}</span></td>"
        for label, value, color, hint, of in (
            (t("borrowed"), borrowed, _BORROWED, t("borrowed_hint"),
             f'<span class="of">{esc(split)}</span><br>' if split else ""),
            (t("cited"), cited, _CITED, t("cited_hint"), ""),
            (t("original"), original, _ORIGINAL, t("original_hint"), "")))
    # The three as one bar across the page, the borrowed part found by meaning in a lighter red; a
    # share under 0.5% gets no cell (it would not show). Widths are CSS numbers, with a point.
    parts = [(widths[0], _BORROWED)]
    if split:
        by_kind = borrowed_numbers(report)
        semantic = sum(v for k, v in by_kind.items() if k in ("translation", "paraphrase"))
        parts = [(by_kind["copied"], _BORROWED), (semantic, _BORROWED_BY_MEANING)]
    bar = "".join(f'<td style="width:{value:.1f}%;background-color:{color}">&#160;</td>'
                  for value, color in (*parts, (widths[1], _CITED), (widths[2], _ORIGINAL))
                  if value >= 0.5)
    note = semantic_note(report, t.lang)
    return (f"<table><tr>{cells}</tr></table>"
            f'<table class="split" cellspacing="0"><tr>{bar}</tr></table>'
            f'<p class="muted">{esc(t("shares_add_up", percent=t.percent(report.similarity_without_exclusions)))}'
            + (f" {esc(t('lighter_part'))} {esc(note)}" if split else "")
            + "</p>")


def _sources(report: Report, t: Translator) -> str:
    if not report.sources:
        return f"<h2>{esc(t('sources'))} (0)</h2><p>{esc(t('no_sources'))}</p>"
    return (f"<h2>{esc(t('sources'))} ({len(report.sources)})</h2>{source_lines(report, t)}"
            f'<p class="muted">{esc(t("numbers_note"))}</p>')


def source_lines(report: Report, t: Translator, paths: bool = True) -> str:
    """One paragraph a source, not a table row (see :func:`_layout`): its colour and number, share,
    label, the numbers of its matches in the full text, and (``paths``) its file."""
    numbers: dict[int, list[str]] = {}
    for k, rm in enumerate(report.matches, start=1):
        numbers.setdefault(rm.source_id, []).append(str(k) if rm.counted else f"({k})")
    kinds = {s.id: counted_kinds(report, s.id, t.lang) for s in report.sources}  # "1 translation from Russian, ..."
    return "".join(
        f'<p class="src"><span class="sw" style="background-color:{esc(s.color)}">&#160;{n}&#160;</span> '
        f'<b>{esc(t.percent(s.share))}</b> {esc(s.label)}'
        + (f' <i>{esc(t("source_excluded_by_reviewer"))}</i>' if s.excluded_by_reviewer else "") +
        f' <span class="muted">({esc(t("before_exclusions", percent=t.percent(s.share_without_exclusions)))}; '
        f'{esc(t("th.matches_in_text"))}: {esc(", ".join(numbers.get(s.id, [])) or "—")})</span>'
        + (f'<br><i>{esc(kinds[s.id])}</i>' if kinds[s.id] else "")
        + (f'<br><span class="muted">{esc(s.source.path)}</span>' if paths else "") + "</p>"
        for n, s in enumerate(report.sources, start=1))


def _exclusions(report: Report, t: Translator) -> str:
    applied = exclusions_applied(report.options, t.lang)
    kinds = report.excluded_by_kind
    parts = [f"<h2>{esc(t('exclusions'))} ({len(report.exclusions)})</h2>",
             "<p>" + esc(t("applied", list=", ".join(applied) if applied else t("none"))) + " "
             + esc(t("cited_of_text", list="; ".join(f"{exclusion_label(k, t.lang).lower()} {t.percent(v)}"
                                                      for k, v in kinds.items())))
             + "</p>"]
    items = [f"<li><b>{esc(exclusion_label(e.kind, t.lang))}</b>{esc(where(report, t, e.start))}: "
             f"{esc(exclusion_reason(e, t.lang))}</li>" for e in report.exclusions]
    items += [f"<li><b>{esc(t('document_left_out'))}</b>: {esc(line)}</li>"
              for line in excluded_document_lines(report, t.lang)]
    if items:
        parts.append("<ul>" + "".join(items) + "</ul>")
    return "".join(parts)


def where(report: Report, t: Translator, start: int | None, page: int | None = None, said: str = "") -> str:
    """`` (page N)`` for a PDF, unless ``said`` (an alert's message) names the page already."""
    page = page or (report.document.page_of(start) if start is not None else None)
    return f" ({t('page_n', n=page)})" if page and not names_page(said, page) else ""


# -- the full text --------------------------------------------------------------------------------
def full_text(report: Report, t: Translator, sources: bool = False) -> str:
    """The whole text, one paragraph per line, each match in its source's colour with its number;
    with ``sources``, the list of sources (their colours) between the legend and the text, for a
    document that has no sources list before (the certificate)."""
    text = report.document.text
    colors = {s.id: s.color for s in report.sources}
    labels: dict[int, list[str]] = {}
    for k, rm in enumerate(report.matches, start=1):
        style = f"background-color:{colors.get(rm.source_id, '#dddddd')}" if rm.counted else "color:#777777"
        # A copied sentence, a translation or a paraphrase says so in its number: [4 ≈ translated from Russian]
        kind = kind_label(rm.match, t.lang)
        kind = f' <span class="kd">{"≈ " if is_semantic(rm.match) else ""}{esc(kind)}</span>' if kind else ""
        labels.setdefault(rm.match.this_start, []).append(f'<span class="mn" style="{style}">[{k}{kind}]</span> ')
    for span in report.document.pages:  # the thesis' own page numbers, to find a passage in the file
        labels.setdefault(span.start, []).insert(0, f'<span class="pg">[{esc(t("page_mark", n=span.page))}]</span> ')

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
    legend = t("legend.pdf", page=t("page_mark", n="N"))
    if any(rm.match.kind == "short" for rm in report.matches):
        legend += t("legend.pdf_short", label=t("copied_sentence"))
    if any(is_semantic(rm.match) for rm in report.matches):
        legend += (t("legend.pdf_semantic", translated=t("translated_from.ru"), paraphrased=t("paraphrased"))
                   + semantic_note(report, t.lang))
    # no rule under this heading: on the text pages the only drawings are the highlights
    listed = source_lines(report, t, paths=False) + '<p class="gap">&#160;</p>' if sources else ""
    return f'<h2 class="text">{esc(t("full_text"))}</h2><p class="muted">{esc(legend)}</p>{listed}{body}'
