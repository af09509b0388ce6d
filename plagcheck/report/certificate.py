"""The certificate of a check (справка / анықтама): one page for the file, then the full text.

:func:`render_certificate` works from the stored report JSON alone (the worker writes one for
every job), with the reviewer's decisions applied (:mod:`plagcheck.report.decisions`), in the
reader's language. Its first page: institution and department, the thesis' metadata, the three
figures adding up to 100%, the verdict against the department's threshold, the reviewer's
decisions (who, when, what), the check's date, the engine version and corpus state (so that the
check can be run again the same way) and a signature line. Then, from a new page, the full text
with every match highlighted, exactly as in the PDF report (:func:`plagcheck.report.pdf.full_text`).
"""

from __future__ import annotations

from plagcheck.report.decisions import Decisions, apply_decisions
from plagcheck.report.i18n import Translator, translator
from plagcheck.report.json import report_from_json
from plagcheck.report.pdf import _CSS, _MARGIN, _layout, esc, figures, finish, full_text, key_values
from plagcheck.report.text import (SUPERVISOR_KEYS, corpus_line, document_title, field_label, metadata_value,
                                   three_percents)
from plagcheck.summary import EXCEEDS, WITHIN, verdict

_CERTIFICATE_CSS = _CSS + """
h1 {font-size: 15pt; text-align: center; margin: 6pt 0 8pt 0;}
.head {text-align: center; font-size: 10.5pt; margin: 0;}
.verdict {font-size: 11pt; font-weight: bold; margin: 6pt 0;}
.within {color: #1d7a3a;}
.exceeds {color: #b00020;}
.sign {margin: 16pt 0 0 0; font-size: 10pt;}
"""


def render_certificate(report_json: dict, *, lang: str, institution: str | None, department: str | None,
                       threshold_percent: float | None, decisions: Decisions | None = None,
                       reviewer: str | None = None, reviewed_at: str | None = None) -> bytes:
    """The certificate as PDF bytes, in ``lang`` (kk, ru or en), from a report JSON
    (:func:`~plagcheck.report.json.render_json`; report format 2 or later). ``institution`` and
    ``department`` default to the thesis' metadata; ``threshold_percent`` is the department's
    limit on the borrowed share (None: no verdict); ``decisions`` are applied before any figure is
    shown, and listed with ``reviewer`` and ``reviewed_at``."""
    t = translator(lang)
    if decisions is not None or reviewer is not None:
        report_json = apply_decisions(report_json, decisions or Decisions(), reviewer=reviewer,
                                      reviewed_at=reviewed_at)
    report = report_from_json(report_json)
    first = _first_page(report_json, report, t, institution, department, threshold_percent)
    data, starts = _layout([(first, _CERTIFICATE_CSS), (full_text(report, t, sources=True), _CSS)], _MARGIN)
    return finish(data, t("certificate"), document_title(report), [t("certificate"), t("full_text")], starts, t,
                  footer_key="footer_certificate")


def _first_page(data: dict, report, t: Translator, institution, department, threshold_percent) -> str:
    info = data["document"]
    institution = institution or info.get("institution")
    department = department or info.get("department")
    parts = [f'<p class="head"><b>{esc(institution)}</b></p>' if institution else "",
             f'<p class="head">{esc(department)}</p>' if department else "",
             f"<h1>{esc(t('certificate'))}</h1>"]

    # the thesis
    rows = [(t("field.title"), document_title(report))]
    # the supervisor under any header the cabinet takes for one (a CSV's "Научный руководитель")
    supervisor = next((info[key] for key in SUPERVISOR_KEYS if info.get(key) not in (None, "")), None)
    rows += [(field_label(key, t.lang), metadata_value(key, supervisor if key == "supervisor" else info.get(key), t.lang))
             for key in ("author", "supervisor", "year", "language")
             if (supervisor if key == "supervisor" else info.get(key)) not in (None, "")]
    rows.append((field_label("path", t.lang), info.get("path")))
    parts.append(key_values(rows))

    # the figures, the verdict
    parts.append(f"<p><b>{esc(t('similarity'))}</b>: "
                 f"{esc(t('similarity_line', percent=t.percent(report.similarity_without_exclusions)))}</p>")
    parts.append(figures(report, t))
    borrowed = three_percents(report, t.lang)[0]
    outcome = verdict(report.similarity, threshold_percent)
    threshold = t.number(threshold_percent) + "%" if threshold_percent is not None else ""
    sentence = {WITHIN: t("threshold_ok", borrowed=borrowed, threshold=threshold),
                EXCEEDS: t("threshold_over", borrowed=borrowed, threshold=threshold)}.get(outcome, t("no_threshold"))
    parts.append(f'<p class="verdict {outcome or ""}">{esc(t("verdict"))}: {esc(sentence)}</p>')

    # the reviewer's decisions
    parts.append(f"<h2>{esc(t('decisions'))}</h2>" + _decisions(data, t))

    # how and when it was checked
    corpus = data.get("corpus", {})
    parts.append(key_values([
        (t("check_date"), _when(data.get("created_at"))),
        (t("engine_corpus"), f"plagcheck {corpus.get('engine_version')}; {corpus_line(corpus, t.lang)}"),
    ]))
    reviewer = (data.get("decisions") or {}).get("reviewer")
    parts.append(f'<p class="sign">{esc(t("reviewer"))}: {esc(reviewer) if reviewer else "_" * 28}'
                 f"&#160;&#160;&#160;{esc(t('signature'))}: {'_' * 22}&#160;&#160;&#160;{esc(t('date'))}: "
                 f"{'_' * 14}</p>")
    parts.append(f'<p class="muted">{esc(t("checked_text_follows"))}</p>')
    return "".join(parts)


def _decisions(data: dict, t: Translator) -> str:
    """What the reviewer changed, one item each, under who decided and when; or that nothing was."""
    record = data.get("decisions") or {}
    sources = {s["id"]: s for s in data.get("sources", ())}
    numbers = {m["id"]: n for n, m in enumerate(data.get("matches", ()), start=1)}
    items = [t("decision.source", label=_source_label(sources.get(i), i)) for i in record.get("excluded_sources", ())]
    for i in record.get("excluded_matches", ()):
        match = next((m for m in data["matches"] if m["id"] == i), None)
        if match is not None and match["source_id"] not in record.get("excluded_sources", ()):
            items.append(t("decision.match", n=numbers[i], label=_source_label(sources.get(match["source_id"]),
                                                                               match["source_id"])))
    checked = data.get("coverage", {}).get("options", {})
    for name, what in (("exclude_quotes", "switch.quotes"), ("exclude_bibliography", "switch.bibliography"),
                       ("exclude_common", "switch.common")):
        value = record.get(name)
        if value is not None and value != checked.get(name):
            label = t(what, n=data.get("options", {}).get("common_min_documents", ""))
            items.append(t("decision.switch_on" if value else "decision.switch_off", what=label))
    if not items:
        return f"<p>{esc(t('no_decisions'))}</p>"
    who = t("decided_by", reviewer=record.get("reviewer") or "—", when=_when(record.get("reviewed_at")) or "—")
    return f"<p>{esc(who)}</p><ul>" + "".join(f"<li>{esc(item)}</li>" for item in items) + "</ul>"


def _source_label(source: dict | None, source_id: int) -> str:
    if source is None:
        return str(source_id)
    parts = [source.get("title") or source.get("path") or str(source_id), source.get("author"), source.get("year")]
    return ", ".join(str(p) for p in parts if p)


def _when(stamp: str | None) -> str:
    """``'2026-05-01T10:00:00+00:00'`` → ``'2026-05-01 10:00 UTC'`` (other text as it is)."""
    if not stamp:
        return ""
    if len(stamp) >= 16 and stamp[10] == "T":
        zone = stamp[19:]
        return stamp[:10] + " " + stamp[11:16] + (" UTC" if zone in ("+00:00", "Z") else f" {zone}" if zone else "")
    return stamp


__all__ = ["render_certificate"]
