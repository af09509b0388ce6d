"""The department summary: one row per thesis with its figures and verdict, exported as CSV (for
Excel in a Kazakh or Russian locale) and XLSX.

:class:`SummaryRow` is plain data the caller fills (the web cabinet from its jobs and stored
reports); :func:`write_csv` and :func:`write_xlsx` write the rows under headers in the reader's
language. Every cell is text the students and secretaries typed, so both writers guard against
spreadsheet formulas: a cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return, which Excel also reads as the start of a formula) is written with a leading apostrophe,
as OWASP's "CSV injection" advice says, and the XLSX writer stores every text cell as a string,
never as a formula.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, fields

from plagcheck.report.i18n import DEFAULT_LANGUAGE, translator

WITHIN, EXCEEDS = "within", "exceeds"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def verdict(borrowed: float | None, threshold_percent: float | None) -> str | None:
    """``'within'`` or ``'exceeds'`` the department's threshold, comparing the borrowed share
    (a fraction) as printed (in percent, rounded to 0.1) with ``threshold_percent``; None when
    there is no threshold or no figure. A thesis exactly at the threshold is within it."""
    if borrowed is None or threshold_percent is None:
        return None
    return WITHIN if round(100 * borrowed, 1) <= threshold_percent else EXCEEDS


@dataclass
class SummaryRow:
    """One thesis of the department summary. The figures are fractions of the whole text (0.123 is
    12.3%), ``borrowed + cited + original = 1``; None for a thesis not checked yet (or failed).
    ``verdict`` is ``'within'``, ``'exceeds'`` (see :func:`verdict`) or None."""

    job_id: int
    author: str | None
    title: str | None
    supervisor: str | None
    year: int | str | None
    department: str | None
    language: str | None
    status: str                     # queued, running, done, failed
    similarity: float | None        # in any match, before exclusions
    borrowed: float | None
    cited: float | None
    original: float | None
    verdict: str | None
    checked_at: str | None


def row_from_job(status, report_json: dict | None = None, *, threshold_percent: float | None = None,
                 decisions=None) -> SummaryRow:
    """The summary row of a job (a :class:`plagcheck.jobs.JobStatus`): its metadata, state and,
    from its report JSON when given, the figures after the reviewer's ``decisions``
    (:class:`~plagcheck.report.decisions.Decisions`) and the verdict against ``threshold_percent``.
    Without the JSON, the borrowed share the job recorded and no other figure."""
    info = status.metadata or {}
    figures = {"similarity": None, "borrowed": status.similarity, "cited": None, "original": None}
    language = info.get("language")
    if report_json is not None:
        if decisions is not None:
            from plagcheck.report.decisions import apply_decisions

            report_json = apply_decisions(report_json, decisions)
        figures = {"similarity": report_json.get("similarity_without_exclusions"),
                   "borrowed": report_json["similarity"], "cited": report_json["cited"],
                   "original": report_json["original"]}
        language = language or report_json.get("document", {}).get("language")
    year = info.get("year")
    return SummaryRow(job_id=status.id, author=info.get("author"), title=info.get("title") or status.name,
                      supervisor=info.get("supervisor"), year=int(year) if str(year or "").isdigit() else year,
                      department=info.get("department"), language=language, status=status.state, **figures,
                      verdict=verdict(figures["borrowed"], threshold_percent) if status.state == "done" else None,
                      checked_at=status.finished_at if status.state == "done" else None)


_COLUMNS = tuple(f.name for f in fields(SummaryRow))
_FIGURES = ("similarity", "borrowed", "cited", "original")


def headers(lang: str = DEFAULT_LANGUAGE) -> list[str]:
    """The column headers in ``lang``, in :class:`SummaryRow`'s field order."""
    t = translator(lang)
    return [t(f"col.{name}") for name in _COLUMNS]


def _values(row: SummaryRow, lang: str) -> list:
    """A row's cells: figures in percent rounded to 0.1 (numbers), words in ``lang``, text guarded."""
    t = translator(lang)
    out = []
    for name in _COLUMNS:
        value = getattr(row, name)
        if name in _FIGURES:
            out.append(None if value is None else round(100 * value, 1))
        elif name == "status":
            out.append(guard(t.get(f"status.{value}", str(value))))
        elif name == "verdict":
            if value:
                out.append(guard(t.get(f"verdict.{value}", str(value))))
            else:  # "no threshold" only for a checked thesis: one without figures (queued, failed) has no verdict
                out.append(t("verdict.none") if row.borrowed is not None else None)
        elif name == "language" and value in ("kk", "ru", "en", "mixed"):
            out.append(t(f"language.{value}"))
        elif isinstance(value, str):
            out.append(guard(value))
        else:
            out.append(value)
    return out


def guard(text: str) -> str:
    """``'=HYPERLINK(...)'`` → ``"'=HYPERLINK(...)"``: text a spreadsheet would take for a formula,
    made plain text."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def write_csv(rows, fp, lang: str = DEFAULT_LANGUAGE) -> None:
    """The rows as CSV on the binary file ``fp``: UTF-8 with a byte-order mark and ``;`` between
    cells, which Excel opens right in Kazakh and Russian locales (where ``,`` is the decimal mark:
    figures are written with it there)."""
    t = translator(lang)
    text = io.StringIO(newline="")
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers(lang))
    for row in rows:
        writer.writerow(["" if v is None else t.number(v) if isinstance(v, float) else v for v in _values(row, lang)])
    fp.write(text.getvalue().encode("utf-8-sig"))


def write_xlsx(rows, fp, lang: str = DEFAULT_LANGUAGE) -> None:
    """The rows as an Excel workbook on the binary file ``fp`` (openpyxl): bold, frozen headers,
    figures as numbers, every text cell a string."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    t = translator(lang)
    book = Workbook()
    sheet = book.active
    sheet.title = t("summary")[:31]
    sheet.append(headers(lang))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(_values(row, lang))
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # a string, even one openpyxl would read as a formula
    sheet.freeze_panes = "A2"
    for column, header in zip(sheet.columns, headers(lang)):
        width = max([len(header)] + [len(str(c.value)) for c in column if c.value is not None])
        sheet.column_dimensions[column[0].column_letter].width = min(60, width + 2)
    book.save(fp)


__all__ = ["EXCEEDS", "SummaryRow", "WITHIN", "guard", "headers", "row_from_job", "verdict", "write_csv",
           "write_xlsx"]
