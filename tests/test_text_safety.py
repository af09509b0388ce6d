"""File names and metadata with newlines and terminal escape sequences never reach the terminal raw."""

from __future__ import annotations

import csv
import json
import re
import zipfile

from click.testing import CliRunner

from plagcheck.cli import cli
from plagcheck.store import Store
from plagcheck.text_safety import json_printable, printable

NEWLINE = "line\nbreak"
CLEAR = "\x1b[2Jclear"
TITLE = "\x1b]0;pwned\x07title"
BIDI = "\u202egpj"
# Anything a terminal acts on; a line feed is allowed only as the end of an output line.
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
TEXT = ("Digital services changed the way schools talk to parents. Teachers publish marks online, parents "
        "answer messages in the evening, and pupils submit homework through a portal that the ministry "
        "chose after a long tender. The thesis studies how three schools in Almaty adopted the portal, "
        "what the teachers said about the extra work, and which parents stopped coming to meetings. ") * 4


def _clean(result):
    assert not RAW.search(result.stdout), result.stdout
    assert not RAW.search(result.stderr), result.stderr
    assert "Traceback" not in result.output


def test_printable_shows_control_characters_as_escapes():
    assert printable(NEWLINE) == "line\\nbreak"
    assert printable(CLEAR) == "\\x1b[2Jclear"
    assert printable(TITLE) == "\\x1b]0;pwned\\x07title"
    assert printable(BIDI) == "\\u202egpj"
    assert printable("a\x85b\x9bc\x7fd\u2028e\u2066f") == "a\\x85b\\x9bc\\x7fd\\u2028e\\u2066f"
    assert printable("Дипломная жұмыс — thesis.pdf") == "Дипломная жұмыс — thesis.pdf"
    text = json.dumps({"name": "a\x85\u202e\u2029b\x1b"}, ensure_ascii=False)
    assert not RAW.search(json_printable(text)) and json.loads(json_printable(text)) == {"name": "a\x85\u202e\u2029b\x1b"}


def test_corpus_add_and_list_escape_names_and_titles(tmp_path):
    folder = tmp_path / "theses"
    folder.mkdir()
    (folder / f"{TITLE}.txt").write_text(TEXT, encoding="utf-8")
    (folder / f"{BIDI}.txt").write_text(TEXT, encoding="utf-8")  # the same content: "skipped"
    (folder / f"{NEWLINE}.pdf").write_bytes(b"")
    (folder / f"{CLEAR}.docx").write_bytes(b"PK\x03\x04broken")
    with open(tmp_path / "meta.csv", "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["file", "title", "author"], [f"{TITLE}.txt", "\x1b[31mRed\u202e", "A\nB"]])
    db = tmp_path / "c.db"
    runner = CliRunner()
    result = runner.invoke(cli, ["corpus", "add", str(folder), "--db", str(db), "--metadata", str(tmp_path / "meta.csv")])
    assert result.exit_code == 2, result.output
    _clean(result)
    lines = [line for line in result.stderr.splitlines()  # (the progress bar leaves an empty line)
             if line and not line.startswith("new corpus database: ")]
    warnings = [line for line in lines if line.startswith("warning: ")]  # the three files without a CSV row
    assert len(warnings) == 3 and any("line\\nbreak.pdf: no row for it" in line for line in warnings), warnings
    lines = [line for line in lines if line not in warnings]
    assert len(lines) == 3, lines  # two errors and one duplicate, one line each
    assert any(line.startswith("error: ") and "line\\nbreak.pdf: empty file" in line for line in lines)
    assert any(line.startswith("error: ") and "\\x1b[2Jclear.docx: corrupt DOCX" in line for line in lines)
    assert any(line.startswith("skipped: ") and "\\u202egpj.txt" in line and "\\x1b]0;pwned\\x07title.txt" in line
               for line in lines)

    listed = runner.invoke(cli, ["corpus", "list", "--db", str(db)], env={"COLUMNS": "200"})
    _clean(listed)
    assert "\\x1b[31mRed\\u202e" in listed.stdout and "A\\nB" in listed.stdout
    as_json = runner.invoke(cli, ["corpus", "list", "--db", str(db), "--format", "json"])
    _clean(as_json)
    (doc,) = json.loads(as_json.stdout)
    assert (doc["title"], doc["author"]) == ("\x1b[31mRed\u202e", "A\nB")  # the data is kept as it was


def test_submit_jobs_reindex_check_and_report_escape_names(tmp_path):
    db = tmp_path / "c.db"
    runner = CliRunner()
    corpus_file = tmp_path / f"{CLEAR}.txt"
    corpus_file.write_text(TEXT, encoding="utf-8")
    assert runner.invoke(cli, ["corpus", "add", str(corpus_file), "--db", str(db)]).exit_code == 0

    corpus_file.unlink()  # the nightly reindex names it as missing
    result = runner.invoke(cli, ["reindex", "--db", str(db)])
    _clean(result)
    (line,) = result.stderr.splitlines()
    assert line.startswith("missing: ") and "\\x1b[2Jclear.txt" in line

    broken = tmp_path / f"{NEWLINE}.pdf"
    broken.write_bytes(b"%PDF-1.4 broken")
    for command in (["check", str(broken)], ["report", str(broken), "--out", str(tmp_path / "r.html")]):
        result = runner.invoke(cli, command + ["--db", str(db)])
        assert result.exit_code == 1, result.output
        _clean(result)
        assert result.output.count("\n") == 1 and "line\\nbreak.pdf" in result.output

    with zipfile.ZipFile(tmp_path / "dept.zip", "w") as archive:
        archive.writestr(f"{TITLE}.exe", "not a thesis")
        archive.writestr(f"{BIDI}.docx", "not a docx either")
    result = runner.invoke(cli, ["submit", str(broken), str(tmp_path / "dept.zip"), "--db", str(db)])
    assert result.exit_code == 2, result.output
    _clean(result)
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: ") and "\\x1b]0;pwned\\x07title.exe: unsupported file type" in line
    result = runner.invoke(cli, ["worker", "--once", "--db", str(db), "--reports", str(tmp_path / "reports")])
    _clean(result)
    table = runner.invoke(cli, ["jobs", "--db", str(db)], env={"COLUMNS": "200"})
    _clean(table)
    assert "line\\nbreak.pdf" in table.stdout and "\\u202egpj.docx" in table.stdout
    listed = runner.invoke(cli, ["jobs", "--db", str(db), "--format", "json"])
    _clean(listed)
    assert {job["name"] for job in json.loads(listed.stdout)} == {str(broken), f"dept.zip/{BIDI}.docx"}
    with Store(db) as store:
        assert store.document_count() == 1
