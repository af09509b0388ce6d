"""The HTML similarity report: one self-contained file (inline CSS and JS, no network).

:func:`render_html` is a pure function of a :class:`~plagcheck.report.build.Report`. Every piece
of document and source text goes through :func:`html.escape`; the script reads only data
attributes, never text, so a thesis containing ``<script>`` shows it as text.
"""

from __future__ import annotations

import html
import json

from plagcheck.report.build import Report, ReportMatch, SourceExcerpt
from plagcheck.report.i18n import DEFAULT_LANGUAGE, Translator, translator
from plagcheck.report.text import (alert_label, alert_message, borrowed_numbers, borrowed_percents,
                                   borrowed_split_line, counted_kinds, document_title, excluded_document_lines,
                                   exclusion_label, exclusion_reason, explanation, is_semantic, kind_label,
                                   meaning_matches, metadata_rows, names_page, part_label, text_pieces,
                                   three_numbers, three_percents, wording_same)


def esc(value) -> str:
    """HTML-escape anything (quotes included), None as an empty string."""
    return "" if value is None else html.escape(str(value), quote=True)


def render_html(report: Report, lang: str = DEFAULT_LANGUAGE) -> str:
    """The report as one self-contained HTML page, its labels in ``lang`` (kk, ru or en)."""
    t = translator(lang)
    title = document_title(report)
    semantic = any(is_semantic(rm.match) for rm in report.matches)
    return _PAGE.format(
        lang=esc(t.lang),
        title=esc(t("similarity_report") + " — " + title),
        css=_CSS,
        js=_JS,
        header=_header(report, title, t),
        sources=_sources(report, t),
        alerts=_alerts(report, t),
        exclusions=_exclusions(report, t),
        text=_document_text(report, t),
        panels="\n".join(_panel(report, k, m, t) for k, m in enumerate(report.matches)),
        record=_record(report),
        # The legend's hatched entry, shown when there is something hatched to explain.
        legend=f'<mark class="hl sem" style="--c:#ccc">{esc(t("legend.semantic"))}</mark> ' if semantic else "",
        nav=" ".join(f'<a href="#{anchor}">{esc(t(key))}</a>' for anchor, key in (
            ("sources", "sources"), ("alerts", "alerts"), ("exclusions", "exclusions"), ("text", "text"))),
        static_view=esc(t("static_view")),
        interactive=esc(t("interactive", n="{n}")),
        counted=esc(t("legend.counted")), not_counted=esc(t("legend.not_counted")),
        excluded=esc(t("legend.excluded")), alert=esc(t("legend.alert")),
        document_text=esc(t("document_text")), click_hint=esc(t("click_hint")), record_label=esc(t("record")),
        ocr_legend=f' <span class="ocr">{esc(t("legend.ocr"))}</span>' if report.document.ocr else "",
    )


# -- header ---------------------------------------------------------------------------------------
def _header(report: Report, title: str, t: Translator) -> str:
    rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in metadata_rows(report, t.lang))
    borrowed, cited, original = three_percents(report, t.lang)
    widths = dict(zip(("similarity", "cited", "original"), three_numbers(report)))
    figures = [
        ("similarity", t("borrowed"), borrowed, t("borrowed_hint_html")),
        ("cited", t("cited"), cited, t("cited_hint")),
        ("original", t("original"), original, t("original_hint")),
    ]
    split = borrowed_split_line(report, t.lang)  # "of which translated 3.1%, paraphrased 0.8%", if any
    of = {"similarity": f'<div class="of" id="fig-kinds">{esc(split)}</div>' if split else ""}
    cards = "".join(
        f'<div class="figure fig-{key}"><div class="value" id="fig-{key}">{esc(value)}</div>'
        f'<div class="label">{esc(label)}</div>{of.get(key, "")}<div class="hint">{esc(hint)}</div></div>'
        for key, label, value, hint in figures)
    # The same three shares as one bar: they add up to the whole text. Borrowed text found by
    # meaning (translated, paraphrased) is a hatched part of the borrowed one. Widths are CSS
    # numbers (a decimal point), whatever the language prints.
    parts = [("similarity", t("borrowed"), borrowed, widths["similarity"])]
    if split:
        by_kind, numbers = borrowed_percents(report, t.lang), borrowed_numbers(report)
        parts = [("similarity", t("borrowed_part", part=part_label("copied", t.lang)), by_kind["copied"],
                  numbers["copied"])] + [
            (f"similarity sem part-{k}", t("borrowed_part", part=part_label(k, t.lang)), by_kind[k], numbers[k])
            for k in ("translation", "paraphrase") if report.borrowed_by_kind[k] > 0]
    parts += [(key, label, value, widths[key]) for key, label, value, _ in figures[1:]]
    bar = "".join(f'<span class="part part-{key}" style="width:{width:.1f}%" title="{esc(label)} {esc(value)}"></span>'
                  for key, label, value, width in parts)
    notes = "".join(f"<li>{esc(line)}</li>" for line in explanation(report, t.lang))
    institution = report.result.document_info.get("institution")
    return (f'<header>{f"<p class=institution>{esc(institution)}</p>" if institution else ""}'
            f'<h1>{esc(t("similarity_report"))}</h1><p class="doctitle">{esc(title)}</p>'
            f'<div class="figures">{cards}</div><div class="split" aria-hidden="true">{bar}</div>'
            f'<details class="explain" open><summary>{esc(t("what_these_numbers_mean"))}</summary><ul>{notes}</ul>'
            f'</details><table class="meta">{rows}</table></header>')


def _sources(report: Report, t: Translator) -> str:
    if not report.sources:
        return (f'<section id="sources"><h2>{esc(t("sources"))}</h2><p class="none">{esc(t("no_sources"))}</p>'
                '</section>')
    items = []
    for n, s in enumerate(report.sources, start=1):
        first = next((k for k, m in enumerate(report.matches) if m.source_id == s.id), None)
        why = "source_excluded_by_reviewer" if s.excluded_by_reviewer else "all_matches_excluded"
        note = "" if s.matches else f' <span class="muted">{esc(t(why))}</span>'
        items.append(
            f'<li class="source" data-source="{s.id}" data-first="{"" if first is None else first}" tabindex="0">'
            f'<span class="swatch" style="background:{esc(s.color)}"></span>'
            f'<span class="num">{n}</span>'
            f'<span class="stitle">{esc(s.label)}</span>'
            f'<span class="share">{esc(t.percent(s.share))}</span>'
            f'<span class="count">{esc(t.plural("n_matches", s.matches))}{note}{_kinds(report, s.id, t)}</span>'
            f'<span class="path">{esc(s.source.path)} · '
            f'{esc(t("before_exclusions", percent=t.percent(s.share_without_exclusions)))}</span>'
            f'</li>')
    return (f'<section id="sources"><h2>{esc(t("sources"))} ({len(report.sources)})</h2>'
            f'<ol class="sources">{"".join(items)}</ol></section>')


def _kinds(report: Report, source_id: int, t: Translator) -> str:
    """A source's counted matches that are not copied passages: ``1 translation from Russian``."""
    counts = counted_kinds(report, source_id, t.lang)
    return f'<br><span class="kinds">{esc(counts)}</span>' if counts else ""


def _alerts(report: Report, t: Translator) -> str:
    if not report.alerts:
        return (f'<section id="alerts"><h2>{esc(t("alerts"))}</h2><p class="none">{esc(t("no_evasion"))}</p>'
                '</section>')
    items = []
    for k, a in enumerate(report.alerts):
        where = []
        if a.page is not None and not names_page(a.message, a.page):  # said once, not twice
            where.append(esc(t("page_n", n=a.page)))
        if a.start is not None:
            where.append(f'<a href="#alert-{k}">{esc(t("characters", start=a.start, end=a.end))}</a>')
        items.append(f'<li class="alert alert-{esc(a.kind)}"><b>{esc(alert_label(a.kind, t.lang))}</b> '
                     f'{esc(alert_message(a, t.lang))} <span class="where">{" · ".join(where)}</span></li>')
    return (f'<section id="alerts"><h2>{esc(t("alerts"))} ({len(report.alerts)})</h2>'
            f'<ul class="alerts">{"".join(items)}</ul></section>')


def _exclusions(report: Report, t: Translator) -> str:
    o = report.options
    state = [
        (t("switch.quotes"), o.exclude_quotes),
        (t("switch.bibliography"), o.exclude_bibliography),
        (t("switch.short", n=o.min_words), o.min_words > 0),
        (t("switch.common", n=o.common_min_documents), o.exclude_common),
    ]
    switches = "".join(f'<li class="{"on" if on else "off"}">{esc(label)}: '
                       f'{esc(t("switch_on") if on else t("switch_off"))}</li>' for label, on in state)
    items = []
    text = report.document.text
    for k, e in enumerate(report.exclusions):
        snippet = text[e.start:e.end]
        if len(snippet) > 160:
            snippet = snippet[:120] + " … " + snippet[-30:]
        items.append(f'<li class="exclusion ex-{esc(e.kind)}"><b>{esc(exclusion_label(e.kind, t.lang))}</b> '
                     f'<a href="#ex-{k}">{esc(t("characters", start=e.start, end=e.end))}</a>: '
                     f'{esc(exclusion_reason(e, t.lang))}<q>{esc(snippet)}</q></li>')
    items += [f'<li class="exclusion ex-document"><b>{esc(t("document_left_out"))}</b> {esc(line)}</li>'
              for line in excluded_document_lines(report, t.lang)]
    body = (f'<ul class="exclusions">{"".join(items)}</ul>' if items
            else f'<p class="none">{esc(t("nothing_excluded"))}</p>')
    return (f'<section id="exclusions"><h2>{esc(t("exclusions"))} ({len(items)})</h2>'
            f'<ul class="switches">{switches}</ul>{body}</section>')


# -- the document text with highlights --------------------------------------------------------------
def _document_text(report: Report, t: Translator) -> str:
    """The full text, cut at every boundary of a match, exclusion or alert, each piece wrapped."""
    text = report.document.text
    colors = {s.id: s.color for s in report.sources}
    anchors: dict[int, list[str]] = {}
    for k, a in enumerate(report.alerts):
        if a.start is not None and a.end is not None:
            anchors.setdefault(a.start, []).append(f'<span class="anchor" id="alert-{k}"></span>')
    for k, e in enumerate(report.exclusions):
        if e.kind != "short_match":
            anchors.setdefault(e.start, []).append(f'<span class="anchor" id="ex-{k}"></span>')
    for k, m in enumerate(report.matches):
        anchors.setdefault(m.match.this_start, []).append(f'<span class="anchor" id="m-{k}"></span>')

    # Text recognised by OCR from a scan or a picture is marked, so that a reader judges a match
    # on it knowing that the letters were read from an image (and may be misread).
    recognised = report.document.ocr
    out = []
    for piece in text_pieces(report, tuple(p for span in recognised for p in span)):
        out.extend(anchors.get(piece.start, ()))
        html_piece = esc(text[piece.start:piece.end])
        if piece.alert:
            html_piece = f'<span class="al">{html_piece}</span>'
        if any(start <= piece.start < end for start, end in recognised):
            html_piece = f'<span class="ocr" title="recognised by OCR from an image">{html_piece}</span>'
        if piece.exclusion is not None:
            e = report.exclusions[piece.exclusion]
            title = t("excluded_title", reason=exclusion_reason(e, t.lang))
            html_piece = f'<span class="ex ex-{esc(e.kind)}" title="{esc(title)}">{html_piece}</span>'
        if piece.match is not None:
            rm = report.matches[piece.match]
            state = "hl" if rm.counted else "hl off"
            if rm.match.kind != "verbatim":
                state += f" k-{rm.match.kind}" + (" sem" if is_semantic(rm.match) else "")
            label = kind_label(rm.match, t.lang)
            title = f' title="{esc(label)}"' if label else ""
            html_piece = (f'<mark class="{esc(state)}" data-m="{piece.match}" data-source="{rm.source_id}"{title} '
                          f'style="--c:{esc(colors.get(rm.source_id, "#ddd"))}">{html_piece}</mark>')
        out.append(html_piece)
    return "".join(out)


# -- the source beside a match ------------------------------------------------------------------------
def _panel(report: Report, k: int, rm: ReportMatch, t: Translator) -> str:
    source = report.source(rm.source_id)
    m = rm.match
    reasons = "; ".join(exclusion_reason(e, t.lang) for e in report.exclusions
                        if e.start < m.this_end and m.this_start < e.end)
    status = t("counts") if rm.counted else t("not_counted", reasons=reasons or t("excluded"))

    # A word diff marks nearly every word of a translation or paraphrase: they are shown without one.
    diff = not is_semantic(m)
    this_html = _marked(report.document.text[m.this_start:m.this_end], rm.excerpt.this_changed if diff else (),
                        -m.this_start)
    label = kind_label(m, t.lang)
    badge = (f'<p class="kind k-{esc(m.kind)}"><span class="kswatch" style="--c:{esc(source.color)}"></span>'
             f'{esc(label)}</p>' if label else "")
    if is_semantic(m):
        same = f'<span class="same meaning" title="{esc(t("semantic_hint"))}">{esc(meaning_matches(m, t.lang))}</span>'
    else:
        same = f'<span class="same" title="{esc(t("same_hint"))}">{esc(wording_same(rm, t.lang))}</span>'
    language = m.source_language if m.source_language in ("kk", "ru", "en") else None
    in_language = f" ({t('in.' + language)})" if language and m.kind != "translation" else ""
    context = t("with_context", n=report.options.context_chars) + ("; " + t("differing_marked") if diff else "")
    return (f'<section class="panel" id="panel-{k}" data-m="{k}" hidden>'
            f'<h3><span class="swatch" style="background:{esc(source.color)}"></span>{esc(source.label)}</h3>{badge}'
            f'<p class="pmeta">{esc(t("n_words", n=m.words))} · {same} · {esc(status)}<br>'
            f'{esc(t("source_characters", start=m.source_start, end=m.source_end, path=source.source.path))}'
            f'{esc(in_language)}</p>'
            f'<h4>{esc(t("source_passage"))} <span class="muted">({esc(context)})</span></h4>'
            f'<div class="passage source-passage">{_excerpt_html(rm.excerpt, diff)}</div>'
            f'<h4>{esc(t("this_document"))}</h4><div class="passage this-passage">{this_html}</div></section>')


def _excerpt_html(excerpt: SourceExcerpt, diff: bool = True) -> str:
    text = excerpt.text
    before = esc(text[:excerpt.match_start])
    after = esc(text[excerpt.match_end:])
    inner = _marked(text[excerpt.match_start:excerpt.match_end], excerpt.changed if diff else (), -excerpt.match_start)
    lead = "… " if excerpt.start > 0 else ""
    return f'<span class="ctx">{lead}{before}</span><span class="matched">{inner}</span><span class="ctx">{after} …</span>'


def _marked(text: str, changed: tuple[tuple[int, int], ...], shift: int) -> str:
    """``text`` escaped, with the word ranges in ``changed`` (shifted by ``shift``) wrapped as differences."""
    out, pos = [], 0
    for start, end in sorted(changed):
        start, end = start + shift, end + shift
        if start < pos or end > len(text):
            continue
        out.append(esc(text[pos:start]))
        out.append(f'<span class="chg">{esc(text[start:end])}</span>')
        pos = end
    out.append(esc(text[pos:]))
    return "".join(out)


def _record(report: Report) -> str:
    """Engine version, parameters and corpus state, so the check can be re-run the same way."""
    data = {"corpus": report.result.corpus, "settings": report.result.settings,
            "options": report.options.to_dict(), "timings": report.result.timings}
    return esc(json.dumps(data, ensure_ascii=False, indent=2))


_PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>{title}</title>
<style>{css}</style>
</head>
<body data-ready="0" data-interactive="{interactive}">
{header}
<nav class="bar">{nav}
<span id="js-status" class="muted">{static_view}</span>
<span class="legend"><mark class="hl" style="--c:#ccc">{counted}</mark> {legend}<mark class="hl off" style="--c:#ccc">{not_counted}</mark> <span class="ex">{excluded}</span> <span class="al">{alert}</span>{ocr_legend}</span></nav>
{sources}
{alerts}
{exclusions}
<div class="reader">
<section id="text"><h2>{document_text}</h2><div class="doc" id="doc">{text}</div></section>
<aside id="side"><div class="side-inner"><p class="hint" id="side-hint">{click_hint}</p>
{panels}
</div></aside>
</div>
<footer><details><summary>{record_label}</summary><pre>{record}</pre></details></footer>
<script>{js}</script>
</body>
</html>
"""

_CSS = """
*{box-sizing:border-box}
body{font:15px/1.5 "DejaVu Sans",system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0;color:#1d1d1f;background:#f6f6f8}
header,section,footer,nav.bar{margin:0 auto;max-width:1400px;padding:12px 24px}
h1{margin:8px 0 0;font-size:24px}
.doctitle{margin:2px 0 12px;color:#444;font-size:17px}
.figures{display:flex;flex-wrap:wrap;gap:12px}
.figure{background:#fff;border:1px solid #ddd;border-radius:8px;padding:10px 16px;min-width:170px}
.figure .value{font-size:30px;font-weight:700}
.fig-similarity .value{color:#b00020}.fig-cited .value{color:#1f5fa8}.fig-original .value{color:#1d7a3a}
.split{display:flex;height:10px;max-width:560px;margin:10px 0 0;border-radius:5px;overflow:hidden;background:#ddd}
.split .part{display:block;height:100%}.part-similarity{background:#d6334a}.part-cited{background:#4a8ad6}.part-original{background:#5cb87a}
.institution{margin:8px 0 0;color:#444;font-weight:600}
.figure .label{font-weight:600}.figure .hint{font-size:12px;color:#666}
.explain{margin:12px 0;font-size:14px}
table.meta{border-collapse:collapse;font-size:13px;margin-top:8px}
table.meta th{text-align:left;color:#555;font-weight:600;padding:1px 12px 1px 0;vertical-align:top}
table.meta td{padding:1px 0;word-break:break-all}
/* --bar is the sticky bar's height, measured by the script (it wraps on narrow windows); the
   fallback covers two wrapped lines. A match opened by #m-N, or scrolled to, lands below the bar. */
html{scroll-padding-top:calc(var(--bar,88px) + 12px)}
.anchor{scroll-margin-top:calc(var(--bar,88px) + 12px)}
nav.bar{position:sticky;top:0;background:#f6f6f8ee;border-bottom:1px solid #ddd;z-index:5;display:flex;gap:6px 14px;align-items:center;flex-wrap:wrap}
.legend{margin-left:auto;font-size:13px}
.muted{color:#777;font-size:13px}
ol.sources{list-style:none;padding:0;margin:0;display:grid;gap:6px}
li.source{display:grid;grid-template-columns:22px 28px 1fr 80px 160px;grid-template-rows:auto auto;column-gap:8px;align-items:center;background:#fff;border:1px solid #ddd;border-radius:6px;padding:6px 10px;cursor:pointer}
li.source:hover,li.source:focus{outline:2px solid #6a8dff}
.swatch{display:inline-block;width:16px;height:16px;border-radius:3px;border:1px solid #0003;vertical-align:middle;margin-right:6px}
li.source .num{font-weight:700;color:#555}
li.source .share{font-weight:700;text-align:right}
li.source .path{grid-column:3/6;font-size:12px;color:#777;word-break:break-all}
ul.alerts,ul.exclusions,ul.switches{padding-left:20px;margin:4px 0}
li.alert{color:#8a1c00;margin:3px 0}
li.alert .where{color:#555;font-size:13px}
li.exclusion{margin:3px 0;font-size:14px}
li.exclusion q{display:block;color:#666;font-size:13px;margin-left:12px}
ul.switches li.off{color:#8a1c00}
.reader{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:16px;max-width:1400px;margin:0 auto;padding:0 24px}
.reader>section{padding:0}
.doc{white-space:pre-wrap;overflow-wrap:anywhere;background:#fff;border:1px solid #ddd;border-radius:6px;padding:16px 20px;font-size:15px;line-height:1.65}
mark.hl{background:var(--c);color:inherit;border-bottom:2px solid #0004;cursor:pointer;padding:1px 0}
mark.hl.off{background:none;border-bottom:2px dashed var(--c);outline:1px dashed var(--c)}
mark.hl.active{outline:2px solid #1d1d1f;background:var(--c)}
/* Found by meaning (translation, paraphrase): the source's colour hatched with white, so that it
   reads as "to review" and still says which source; backgrounds print (print-color-adjust below). */
mark.hl.sem,mark.hl.sem.active,.part.sem,.kind.k-translation .kswatch,.kind.k-paraphrase .kswatch{background:repeating-linear-gradient(135deg,var(--c) 0 5px,#fff 5px 8px)}
mark.hl.sem.off{background:repeating-linear-gradient(135deg,#0000 0 5px,var(--c) 5px 7px)}
.part.sem{--c:#d6334a}
.fig-similarity .of{font-size:13px;color:#b00020;font-weight:600}
.kind{margin:2px 0;font-weight:700;font-size:14px}
.kind .kswatch{display:inline-block;width:22px;height:14px;border:1px solid #0003;border-radius:3px;vertical-align:middle;margin-right:6px;background:var(--c)}
.same.meaning{color:#6b3d00}
li.source .kinds{font-size:12px;color:#555}
.ex{color:#666;background-image:repeating-linear-gradient(135deg,#0000 0 6px,#00000012 6px 8px)}
.al{text-decoration:underline wavy #d40000;text-decoration-skip-ink:none}
.ocr{border-bottom:1px dotted #3b6ea8;background-image:linear-gradient(#eef4fb,#eef4fb)}
#side .side-inner{position:sticky;top:calc(var(--bar,88px) + 8px);max-height:calc(100vh - var(--bar,88px) - 16px);overflow:auto}
.panel{background:#fff;border:1px solid #bbb;border-radius:6px;padding:10px 14px;margin:0}
.panel h3{margin:4px 0;font-size:16px}.panel h4{margin:10px 0 4px;font-size:14px}
.pmeta{font-size:13px;color:#555;margin:2px 0}
.passage{white-space:pre-wrap;font-size:14px;line-height:1.55;border-left:4px solid #ccc;padding-left:10px}
.passage .ctx{color:#888}
.chg{background:#ffe066;text-decoration:underline #c77700}
.none{color:#555}
footer pre{font-size:12px;background:#fff;border:1px solid #ddd;padding:8px;overflow:auto}
.same{border-bottom:1px dotted #777;cursor:help}
/* Printing keeps the highlight colours (browsers drop backgrounds by default) and the legend,
   in a bar that stays at the top of the first page instead of covering every page. */
@media print{
*{print-color-adjust:exact;-webkit-print-color-adjust:exact}
nav.bar{position:static;background:none}
nav.bar a,#js-status,#side{display:none}
.reader{display:block}
}
"""

_JS = r"""
(function(){
  "use strict";
  var doc = document.getElementById("doc");
  var marks = doc.querySelectorAll("mark.hl");
  var current = null;
  function show(k){
    var panels = document.querySelectorAll(".panel");
    for (var i = 0; i < panels.length; i++) panels[i].hidden = panels[i].getAttribute("data-m") !== String(k);
    for (var j = 0; j < marks.length; j++) marks[j].classList.toggle("active", marks[j].getAttribute("data-m") === String(k));
    document.getElementById("side-hint").hidden = true;
    current = k;
    document.body.setAttribute("data-shown", String(k));
  }
  doc.addEventListener("click", function(ev){
    var mark = ev.target.closest ? ev.target.closest("mark.hl") : null;
    if (mark) show(mark.getAttribute("data-m"));
  });
  var sources = document.querySelectorAll("li.source");
  for (var s = 0; s < sources.length; s++) {
    sources[s].addEventListener("click", function(){
      var k = this.getAttribute("data-first");
      if (k === "") return;
      var anchor = document.getElementById("m-" + k);
      if (anchor) anchor.scrollIntoView({behavior: "smooth", block: "center"});
      show(k);
    });
  }
  document.addEventListener("keydown", function(ev){
    if (!marks.length || (ev.key !== "n" && ev.key !== "p")) return;
    var count = document.querySelectorAll(".panel").length;
    var k = current === null ? 0 : (Number(current) + (ev.key === "n" ? 1 : count - 1)) % count;
    var anchor = document.getElementById("m-" + k);
    if (anchor) anchor.scrollIntoView({block: "center"});
    show(k);
  });
  var matched = {};
  for (var m = 0; m < marks.length; m++) matched[marks[m].getAttribute("data-m")] = true;
  document.body.setAttribute("data-highlights", String(Object.keys(matched).length));
  // the status line's words come in the page's language, from a data attribute (never from text)
  document.getElementById("js-status").textContent =
    document.body.getAttribute("data-interactive").replace("{n}", String(Object.keys(matched).length));
  var bar = document.querySelector("nav.bar");
  function fitBar(){  // the bar wraps to more lines on narrow windows: keep anchors and panels clear of it
    document.documentElement.style.setProperty("--bar", bar.offsetHeight + "px");
  }
  fitBar();  // after the status text above, which makes the bar wrap at 1000 px
  if (window.ResizeObserver) new ResizeObserver(fitBar).observe(bar);
  else window.addEventListener("resize", fitBar);
  var linked = /^#m-(\d+)$/.exec(location.hash);  // a link to one match opens its source
  if (linked) {
    show(linked[1]);
    var target = document.getElementById("m-" + linked[1]);
    if (target) target.scrollIntoView({block: "start"});  // again, now that the bar's height is known
  }
  document.body.setAttribute("data-ready", "1");
})();
"""
