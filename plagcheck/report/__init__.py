"""The similarity report: :func:`build_report` gathers it, one renderer per format writes it.

>>> from plagcheck.report import build_report, render_html, render_json, render_pdf  # doctest: +SKIP

The stages load on first use: ``FORMATS`` alone must not import scikit-learn, since the client of
the check service (``plagcheck report --server``) needs it to tell the format from ``--out``.
"""

import importlib

from plagcheck.report.i18n import DEFAULT_LANGUAGE, LANGUAGES  # no dependencies: light enough for the CLI

FORMATS = {".html": "html", ".htm": "html", ".json": "json", ".pdf": "pdf"}

_LAZY = {**dict.fromkeys(("PALETTE", "Report", "ReportMatch", "ReportOptions", "ReportSource", "SourceExcerpt",
                          "build_report", "report_from_result"), "plagcheck.report.build"),
         "render_html": "plagcheck.report.html", "render_json": "plagcheck.report.json",
         "report_from_json": "plagcheck.report.json", "render_pdf": "plagcheck.report.pdf",
         "Decisions": "plagcheck.report.decisions", "apply_decisions": "plagcheck.report.decisions",
         "render_certificate": "plagcheck.report.certificate"}


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'plagcheck.report' has no attribute {name!r}")


def render(report, fmt: str, lang: str = DEFAULT_LANGUAGE) -> bytes:
    """The report in ``fmt`` (``html``, ``json`` or ``pdf``) as bytes ready to write to a file,
    its labels in ``lang`` (kk, ru or en; the JSON has no labels)."""
    from plagcheck.report.i18n import check_language

    lang = check_language(lang)
    if fmt == "html":
        from plagcheck.report.html import render_html

        return render_html(report, lang).encode("utf-8")
    if fmt == "json":
        from plagcheck.report.json import render_json

        return render_json(report).encode("utf-8")
    if fmt == "pdf":
        from plagcheck.report.pdf import render_pdf

        return render_pdf(report, lang)
    raise ValueError(f"unknown report format {fmt!r}: expected html, json or pdf")


__all__ = ["DEFAULT_LANGUAGE", "FORMATS", "LANGUAGES", "Decisions", "PALETTE", "Report", "ReportMatch", "ReportOptions",
           "ReportSource", "SourceExcerpt", "apply_decisions", "build_report", "render", "render_certificate",
           "render_html", "render_json", "render_pdf", "report_from_json", "report_from_result"]
