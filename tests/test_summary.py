"""The department summary exported as CSV and XLSX, read back with the csv module and openpyxl:
headers in the reader's language, the values, Excel's CSV dialect for kk/ru locales, and no
spreadsheet formula smuggled in through a title or a name."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from plagcheck.report.i18n import LANGUAGES, translator
from plagcheck.summary import EXCEEDS, WITHIN, SummaryRow, guard, headers, verdict, write_csv, write_xlsx

ROWS = [
    SummaryRow(job_id=12, author="Асель Нурланова", title="Экологиялық тәрбие", supervisor="Иванов И.И.", year=2026,
               department="Педагогика", language="kk", status="done", similarity=0.2315, borrowed=0.1402,
               cited=0.0530, original=0.8068, verdict=verdict(0.1402, 25), checked_at="2026-05-04T09:30:00+00:00"),
    SummaryRow(job_id=13, author="=HYPERLINK(\"http://evil.example\",\"click\")", title="+7 777 123", supervisor="-1+2",
               year=2026, department="@SUM(A1)", language="ru", status="done", similarity=0.61, borrowed=0.4,
               cited=0.1, original=0.5, verdict=verdict(0.4, 25), checked_at="2026-05-04T10:00:00+00:00"),
    SummaryRow(job_id=14, author="Студент", title="Черновик", supervisor=None, year=None, department="Педагогика",
               language=None, status="queued", similarity=None, borrowed=None, cited=None, original=None,
               verdict=None, checked_at=None),
]


def test_verdict_compares_the_printed_borrowed_share_with_the_threshold():
    assert verdict(0.25, 25) == WITHIN and verdict(0.2504, 25) == WITHIN  # 25.0% is within 25%
    assert verdict(0.2506, 25) == EXCEEDS and verdict(0.1, None) is None and verdict(None, 25) is None


def test_guard():
    assert [guard(s) for s in ("=1+1", "+7", "-x", "@A1", "\t=1", "Name", "a=b")] == [
        "'=1+1", "'+7", "'-x", "'@A1", "'\t=1", "Name", "a=b"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_csv_is_excel_s_dialect_with_localized_headers(lang):
    buffer = io.BytesIO()
    write_csv(ROWS, buffer, lang)
    raw = buffer.getvalue()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark: Excel then reads UTF-8
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    t = translator(lang)
    assert table[0] == headers(lang) and table[0][0] == t("col.job_id") and len(table) == 4
    first = dict(zip(table[0], table[1]))
    assert first[t("col.author")] == "Асель Нурланова" and first[t("col.title")] == "Экологиялық тәрбие"
    assert first[t("col.borrowed")] == t.number(14.0) and first[t("col.original")] == t.number(80.7)
    assert first[t("col.similarity")] == t.number(23.2)
    assert first[t("col.verdict")] == t("verdict.within") and first[t("col.status")] == t("status.done")
    assert first[t("col.language")] == t("language.kk")
    second = dict(zip(table[0], table[2]))
    assert second[t("col.author")] == "'=HYPERLINK(\"http://evil.example\",\"click\")"
    assert second[t("col.title")] == "'+7 777 123" and second[t("col.supervisor")] == "'-1+2"
    assert second[t("col.department")] == "'@SUM(A1)" and second[t("col.verdict")] == t("verdict.exceeds")
    third = dict(zip(table[0], table[3]))
    assert third[t("col.borrowed")] == "" and third[t("col.verdict")] == ""  # queued: no figure, no verdict
    assert third[t("col.status")] == t("status.queued")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_xlsx_reads_back_with_numbers_and_no_formula(tmp_path, lang):
    path = tmp_path / "summary.xlsx"
    with path.open("wb") as fp:
        write_xlsx(ROWS, fp, lang)
    sheet = openpyxl.load_workbook(path).active
    t = translator(lang)
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == headers(lang) and len(rows) == 4
    first = dict(zip(rows[0], rows[1]))
    assert first[t("col.job_id")] == 12 and first[t("col.year")] == 2026
    assert first[t("col.borrowed")] == 14.0 and first[t("col.cited")] == 5.3 and first[t("col.original")] == 80.7
    assert first[t("col.author")] == "Асель Нурланова" and first[t("col.verdict")] == t("verdict.within")
    second = dict(zip(rows[0], rows[2]))
    assert second[t("col.author")].startswith("'=HYPERLINK")
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", cell.coordinate  # nothing a spreadsheet would evaluate
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold


def test_rows_from_the_worker_s_jobs_with_decisions(tmp_path, store):
    """A department's jobs as the worker leaves them: one done (figures from its stored report JSON,
    after a reviewer excluded its source), one still queued."""
    import json
    from pathlib import Path

    from plagcheck import jobs
    from plagcheck.report.decisions import Decisions
    from plagcheck.summary import row_from_job
    from tests.builders import make_pdf, wrap
    from tests.report_fixtures import RU, build_corpus, own_prose, words
    from workers.worker import process

    ids = build_corpus(tmp_path, store).ids
    done = make_pdf(tmp_path / "a.pdf", [wrap(own_prose(150) + " " + words(RU, 100, 90))])
    waiting = make_pdf(tmp_path / "b.pdf", [wrap(own_prose(100, 300))])
    metadata = {str(done): {"title": "=cmd|' /C calc'!A0", "author": "Асель", "supervisor": "Иванов", "year": "2026",
                            "department": "Педагогика"},
                str(waiting): {"title": "Черновик", "author": "Ерлан", "department": "Педагогика"}}
    jobs.submit(store, [done, waiting], metadata, no_index=True)
    assert process(store, jobs.lease(store, "test"), "test", tmp_path / "reports") == jobs.DONE
    first, second = jobs.statuses(store)
    data = json.loads(Path(first.report_json).read_text(encoding="utf-8"))
    decisions = Decisions(excluded_sources=frozenset({ids["ru"]}))
    rows = [row_from_job(first, data, threshold_percent=25, decisions=decisions), row_from_job(second, threshold_percent=25)]
    assert (rows[0].status, rows[0].year, rows[0].supervisor, rows[0].language) == ("done", 2026, "Иванов", "mixed")
    assert data["similarity"] > 0.2 and rows[0].borrowed == 0
    assert rows[0].cited == pytest.approx(data["cited"] + data["similarity"], abs=2e-6)
    assert rows[0].similarity == data["similarity_without_exclusions"] and rows[0].verdict == WITHIN
    assert rows[0].checked_at == first.finished_at
    assert (rows[1].status, rows[1].borrowed, rows[1].verdict, rows[1].title) == ("queued", None, None, "Черновик")
    buffer = io.BytesIO()
    write_csv(rows, buffer, "ru")
    table = list(csv.reader(io.StringIO(buffer.getvalue().decode("utf-8-sig"), newline=""), delimiter=";"))
    assert table[1][2] == "'=cmd|' /C calc'!A0" and table[1][7] == "готово" and table[2][7] == "в очереди"
    assert table[1][6] == "смешанный" and table[1][9] == "0,0"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_thesis_without_figures_has_no_verdict_not_no_threshold(tmp_path, lang):
    """A queued or failed thesis has no figure to compare: its verdict cell is empty. "No threshold"
    is for a checked thesis whose department has none -- not a claim about a department that has one."""
    t = translator(lang)
    no_threshold = SummaryRow(job_id=15, author="A", title="T", supervisor=None, year=2026, department="Педагогика",
                              language="kk", status="done", similarity=0.1, borrowed=0.1, cited=0.0, original=0.9,
                              verdict=verdict(0.1, None), checked_at="2026-05-04T09:30:00+00:00")
    failed = SummaryRow(job_id=16, author="B", title="T", supervisor=None, year=2026, department="Педагогика",
                        language=None, status="failed", similarity=None, borrowed=None, cited=None, original=None,
                        verdict=None, checked_at="2026-05-04T09:30:00+00:00")
    path = tmp_path / "summary.xlsx"
    with path.open("wb") as fp:
        write_xlsx([ROWS[2], no_threshold, failed], fp, lang)
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    verdicts = [dict(zip(rows[0], row))[t("col.verdict")] for row in rows[1:]]
    assert verdicts == [None, t("verdict.none"), None]
    out = io.BytesIO()
    write_csv([ROWS[2], no_threshold, failed], out, lang)
    cells = [row[t("col.verdict")] for row in csv.DictReader(io.StringIO(out.getvalue().decode("utf-8-sig")), delimiter=";")]
    assert cells == ["", t("verdict.none"), ""]
