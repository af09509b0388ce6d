"""Metadata CSVs as Excel saves them (';' or tab, Windows-1251 or UTF-8 with BOM or UTF-16),
through `corpus add` and `submit`, down to the corpus and the report."""

from __future__ import annotations

import codecs
import json

import pytest
from click.testing import CliRunner

from plagcheck.cli import cli
from plagcheck.store import Store

ALIYEV = ("Цифровые сервисы изменили общение школы с родителями. Учителя публикуют оценки в электронном "
          "журнале, родители отвечают на сообщения вечером, а ученики сдают домашние задания через портал, "
          "выбранный министерством после долгого конкурса. ") * 6
BEKOVA = ("The memorandum sets out how the two universities exchange students, share laboratories and "
          "publish joint papers. Each side names a coordinator, reports once a year and may end the "
          "agreement with six months of notice. ") * 6
ROWS = [  # Russian only: Windows-1251 has no Kazakh letters (ә, ғ, қ, ...); UTF-8 CSVs bring those
    ["Файл", "Название", "Автор", "Год", "Кафедра", "Научный руководитель"],
    ["aliyev.txt", "Цифровая школа; опыт Алматы", "Алиев А.", "2025", "Педагогика", "Проф. Сарсенова Г."],
    ["missing.txt", "Тема, которой нет", "Нет Н.", "2025", "", ""],
    ["", "Строка без файла", "Кто-то", "", "", ""],
    ["", "", "", "", "", ""],
]


def _excel_csv(path, rows, delimiter, encoding):
    """Write rows the way Excel does: CRLF, cells with the delimiter quoted, in ``encoding``."""
    def cell(value):
        return f'"{value}"' if delimiter in value or '"' in value else value
    text = "".join(delimiter.join(cell(v) for v in row) + "\r\n" for row in rows)
    data = text.encode(encoding)
    if encoding == "utf-8-sig" and not data.startswith(codecs.BOM_UTF8):
        data = codecs.BOM_UTF8 + data
    path.write_bytes(data)
    return path


def _theses(tmp_path):
    folder = tmp_path / "theses"
    folder.mkdir()
    (folder / "aliyev.txt").write_text(ALIYEV, encoding="utf-8")
    (folder / "bekova.txt").write_text(BEKOVA, encoding="utf-8")
    return folder


def _warnings(stderr):
    return [line for line in stderr.splitlines() if line and not line.startswith("new corpus database: ")]


@pytest.mark.parametrize("delimiter, encoding", [(";", "cp1251"), (";", "utf-8-sig"), ("\t", "utf-16"),
                                                 ("\t", "utf-8"), (",", "utf-8")],
                         ids=["cp1251-semicolon", "utf8-bom-semicolon", "unicode-text-tab", "utf8-tab", "utf8-comma"])
def test_corpus_add_reads_excel_csvs_and_keeps_extra_columns(tmp_path, delimiter, encoding):
    folder = _theses(tmp_path)
    csv_path = _excel_csv(tmp_path / "Дипломы 2025.csv", ROWS, delimiter, encoding)
    db = tmp_path / "c.db"
    runner = CliRunner()
    result = runner.invoke(cli, ["corpus", "add", str(folder), "--db", str(db), "--metadata", str(csv_path)])
    assert result.exit_code == 0, result.output
    assert "2 added" in result.stdout
    warnings = _warnings(result.stderr)
    assert len(warnings) == 3, warnings  # one line each, nothing else
    assert all(w.startswith("warning: ") for w in warnings)
    assert any(f"{csv_path} line 4: names no file" in w for w in warnings)
    assert any(f"{csv_path} line 3: no file missing.txt among those given" in w for w in warnings)
    assert any(f"{folder / 'bekova.txt'}: no row for it in {csv_path}" in w for w in warnings)

    docs = {d["path"].rsplit("/", 1)[-1]: d for d in json.loads(
        runner.invoke(cli, ["corpus", "list", "--db", str(db), "--format", "json"]).stdout)}
    aliyev = docs["aliyev.txt"]
    assert (aliyev["title"], aliyev["author"], aliyev["year"], aliyev["department"]) == (
        "Цифровая школа; опыт Алматы", "Алиев А.", 2025, "Педагогика")
    assert aliyev["extra"] == {"научный руководитель": "Проф. Сарсенова Г."}
    assert docs["bekova.txt"]["title"] == "bekova" and docs["bekova.txt"]["extra"] == {}


def test_submit_with_a_cp1251_csv_carries_extra_columns_into_the_report(tmp_path):
    folder = _theses(tmp_path)
    rows = [["File", " Title ", "AUTHOR", "Supervisor", "Group"],
            ["aliyev.txt", "Цифровая школа", "Алиев А.", "Сарсенова Г.", "ПО-21"],
            ["bekova.txt", "Memorandum", "B. Bekova", "Prof. Smith", "IR-22"]]
    csv_path = _excel_csv(tmp_path / "theses.csv", rows, ";", "cp1251")
    db = tmp_path / "c.db"
    Store(db).close()
    runner = CliRunner()
    result = runner.invoke(cli, ["submit", str(folder), "--db", str(db), "--metadata", str(csv_path)])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # every row matched a file and every file had a row
    assert runner.invoke(cli, ["worker", "--once", "--db", str(db), "--reports", str(tmp_path / "r")]).exit_code == 0
    listed = json.loads(runner.invoke(cli, ["jobs", "--db", str(db), "--format", "json"]).stdout)
    job = next(j for j in listed if j["name"].endswith("aliyev.txt"))
    assert job["state"] == "done", job
    report = json.loads(open(job["report_json"], encoding="utf-8").read())
    assert report["document"]["supervisor"] == "Сарсенова Г." and report["document"]["group"] == "ПО-21"
    assert report["document"]["title"] == "Цифровая школа" and report["document"]["author"] == "Алиев А."
    html = open(job["report_html"], encoding="utf-8").read()
    assert "<th>Supervisor</th><td>Сарсенова Г.</td>" in html and "<th>Group</th><td>ПО-21</td>" in html
    with Store(db) as store:
        (doc,) = [d for d in store.documents() if d.path.endswith("aliyev.txt")]
        assert doc.extra == {"supervisor": "Сарсенова Г.", "group": "ПО-21"}


def test_submit_warns_about_zip_members_and_rows_that_do_not_match(tmp_path):
    import zipfile

    with zipfile.ZipFile(tmp_path / "dept.zip", "w") as archive:
        archive.writestr("2025/aliyev.txt", ALIYEV)
        archive.writestr("2025/bekova.txt", BEKOVA)
    csv_path = _excel_csv(tmp_path / "m.csv", [["file", "author"], ["2025/aliyev.txt", "Әлиев"], ["kim.txt", "Ким"]],
                          ";", "utf-8-sig")
    db = tmp_path / "c.db"
    Store(db).close()
    result = CliRunner().invoke(cli, ["submit", str(tmp_path / "dept.zip"), "--db", str(db), "--metadata", str(csv_path)])
    assert result.exit_code == 0, result.output
    assert _warnings(result.stderr) == [f"warning: {csv_path} line 3: no file kim.txt among those given; row left out",
                                        f"warning: dept.zip/2025/bekova.txt: no row for it in {csv_path}"]
    with Store(db) as store:
        from plagcheck import jobs

        assert jobs.lease(store, "w").metadata == {"author": "Әлиев"}


@pytest.mark.parametrize("data, message", [
    (b"file;title\r\nx.txt;\x98\xff\xfe\r\n", "is not UTF-8, UTF-16 or Windows-1251 text"),
    (b"PK\x03\x04\x14\x00\x06\x00", "an Excel workbook, not a CSV"),
    ("Имя;Название\r\nx.txt;Тема\r\n".encode("cp1251"), "needs a 'file' column"),
    (b"file;year\r\nx.txt;two thousand\r\n", "line 2: year 'two thousand' of x.txt is not a number"),
], ids=["undecodable", "xlsx", "no-file-column", "bad-year"])
def test_unusable_csv_is_a_one_line_error_naming_it(tmp_path, data, message):
    (tmp_path / "a.txt").write_text(BEKOVA, encoding="utf-8")
    (tmp_path / "meta.csv").write_bytes(data)
    for command in (["corpus", "add"], ["submit"]):
        result = CliRunner().invoke(cli, [*command, str(tmp_path / "a.txt"), "--db", str(tmp_path / "c.db"),
                                          "--metadata", str(tmp_path / "meta.csv")])
        assert result.exit_code == 1, result.output
        assert result.output.count("\n") == 1, result.output
        assert str(tmp_path / "meta.csv") in result.output and message in result.output
        assert "Traceback" not in result.output


def test_a_refused_file_gets_its_error_and_no_warning_that_its_row_names_no_file(tmp_path):
    """An .xls in the batch is refused with its reason; its CSV row is not also 'a row that names no
    file given' (the file was given)."""
    (tmp_path / "batch").mkdir()
    (tmp_path / "batch" / "aliyev.txt").write_text(ALIYEV, encoding="utf-8")
    (tmp_path / "batch" / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0a spreadsheet")
    csv_path = _excel_csv(tmp_path / "m.csv", [["file", "author"], ["aliyev.txt", "Алиев"], ["old.xls", "Ким"]],
                          ";", "cp1251")
    db = tmp_path / "c.db"
    Store(db).close()
    result = CliRunner().invoke(cli, ["submit", str(tmp_path / "batch"), "--db", str(db), "--metadata", str(csv_path)])
    assert result.exit_code == 2
    assert "old.xls: unsupported file type .xls" in result.stderr
    assert "warning" not in result.stderr, result.stderr
