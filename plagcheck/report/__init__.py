"""The similarity report: :func:`build_report` gathers it, one renderer per format writes it.

>>> from plagcheck.report import build_report, render_html, render_json, render_pdf  # doctest: +SKIP
"""

from plagcheck.report.build import (PALETTE, Report, ReportMatch, ReportOptions, ReportSource, SourceExcerpt,
                                    build_report, report_from_result)
from plagcheck.report.html import render_html
from plagcheck.report.json import render_json
from plagcheck.report.pdf import render_pdf

FORMATS = {".html": "html", ".htm": "html", ".json": "json", ".pdf": "pdf"}


def render(report: Report, fmt: str) -> bytes:
    """The report in ``fmt`` (``html``, ``json`` or ``pdf``) as bytes ready to write to a file."""
    if fmt == "html":
        return render_html(report).encode("utf-8")
    if fmt == "json":
        return render_json(report).encode("utf-8")
    if fmt == "pdf":
        return render_pdf(report)
    raise ValueError(f"unknown report format {fmt!r}: expected html, json or pdf")


__all__ = ["FORMATS", "PALETTE", "Report", "ReportMatch", "ReportOptions", "ReportSource", "SourceExcerpt",
           "build_report", "render", "render_html", "render_json", "render_pdf", "report_from_result"]
