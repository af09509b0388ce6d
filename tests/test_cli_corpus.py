"""`plagcheck corpus add/list` and `plagcheck check` through click, on real files."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from plagcheck.cli import cli
from tests.builders import make_docx, make_pdf, paragraphs, wrap


def _folder_with_good_and_bad_files(tmp_path, ru_text, en_text, en_text2):
    folder = tmp_path / "batch"
    folder.mkdir()
    make_pdf(folder / "good.pdf", [wrap(ru_text[:1500]), wrap(ru_text[1500:3000])])
    make_docx(folder / "good.docx", paragraphs(en_text))
    (folder / "good.txt").write_text(en_text2, encoding="utf-8")
    make_pdf(folder / "locked.pdf", [["Закрытый текст."]], encrypt="secret")
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "broken.docx").write_bytes(b"PK\x03\x04broken")
    return folder


def test_corpus_add_adds_good_files_and_names_bad_ones(tmp_path, ru_text, en_text, en_text2):
    folder = _folder_with_good_and_bad_files(tmp_path, ru_text, en_text, en_text2)
    db = tmp_path / "c.db"
    runner = CliRunner()
    result = runner.invoke(cli, ["corpus", "add", str(folder), "--db", str(db)])
    assert result.exit_code == 2, result.output
    assert "3 added, 0 already present, 3 failed" in result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 3
    assert any("locked.pdf: encrypted PDF" in e for e in errors)
    assert any("empty.pdf: empty file" in e for e in errors)
    assert any("broken.docx: corrupt DOCX" in e for e in errors)
    assert "Traceback" not in result.output

    listed = runner.invoke(cli, ["corpus", "list", "--db", str(db), "--format", "json"])
    docs = json.loads(listed.stdout)
    assert sorted(d["path"].rsplit("/", 1)[-1] for d in docs) == ["good.docx", "good.pdf", "good.txt"]
    assert {d["language"] for d in docs} == {"ru", "en"}

    again = runner.invoke(cli, ["corpus", "add", str(folder / "good.txt"), "--db", str(db)])
    assert again.exit_code == 0
    assert "0 added, 1 already present" in again.stdout


def test_db_falls_back_to_environment_and_metadata_csv(tmp_path, monkeypatch, en_text2):
    db = tmp_path / "env.db"
    monkeypatch.setenv("PLAGCHECK_DB", str(db))
    (tmp_path / "memo.txt").write_text(en_text2, encoding="utf-8")
    (tmp_path / "meta.csv").write_text("file,author,title,year,department,language\n"
                                       "memo.txt,Ә. Сәрсенбаева,Меморандум,2024,Педагогика,en\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["corpus", "add", str(tmp_path / "memo.txt"), "--metadata", str(tmp_path / "meta.csv")])
    assert result.exit_code == 0, result.output
    assert db.exists()
    (doc,) = json.loads(runner.invoke(cli, ["corpus", "list", "--format", "json"]).stdout)
    assert (doc["author"], doc["title"], doc["year"], doc["department"]) == ("Ә. Сәрсенбаева", "Меморандум", 2024, "Педагогика")


def test_check_json_reports_offsets_in_the_files_characters(tmp_path, ru_text, en_text):
    db = tmp_path / "c.db"
    (tmp_path / "ru.txt").write_text(ru_text, encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(cli, ["corpus", "add", str(tmp_path / "ru.txt"), "--db", str(db)]).exit_code == 0
    copied = " ".join(ru_text.split()[200:320])
    # zero-width characters and homoglyphs inside the copied text; offsets must index the file's characters
    obfuscated = copied.replace("о", "o").replace("и", "и\u200b")
    thesis = en_text[:1500] + "\n" + obfuscated + "\n" + en_text[1500:]
    (tmp_path / "thesis.txt").write_text(thesis, encoding="utf-8")
    result = runner.invoke(cli, ["check", str(tmp_path / "thesis.txt"), "--db", str(db), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"document", "similarity", "sources", "matches"} <= set(data)
    (match,) = data["matches"]
    assert set(match) >= {"source_id", "source_path", "this_offset", "this_length", "source_offset",
                          "source_length", "score"}
    assert thesis[match["this_offset"]:match["this_offset"] + match["this_length"]] == obfuscated
    assert data["sources"][0]["path"].endswith("ru.txt")


def test_check_missing_database_is_one_line_error(tmp_path):
    (tmp_path / "a.txt").write_text("текст", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "a.txt"), "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "no corpus database" in result.output


@pytest.mark.parametrize("args", [
    ["submit", "{file}"], ["worker", "--once"], ["jobs"], ["jobs", "--watch"], ["check", "{file}"],
    ["report", "{file}"], ["corpus", "list"], ["reindex"], ["reindex", "--full"], ["serve"],
], ids=lambda args: " ".join(a for a in args if not a.startswith("{")))
def test_every_command_but_corpus_add_refuses_a_missing_database(tmp_path, monkeypatch, args):
    """A mistyped --db (dept.bd for dept.db) must not create an empty database that every check
    then reports 0.0% against."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text("Текст дипломной работы о цифровых сервисах в школах.", encoding="utf-8")
    typo = tmp_path / "dept.bd"
    result = CliRunner().invoke(cli, [a.format(file=tmp_path / "a.txt") for a in args] + ["--db", str(typo)])
    assert result.exit_code == 1, result.output
    assert result.output.count("\n") == 1, result.output
    assert str(typo) in result.output and "plagcheck corpus add" in result.output
    assert not typo.exists() and list(tmp_path.iterdir()) == [tmp_path / "a.txt"]


def test_a_missing_path_an_empty_folder_and_a_new_database_are_said(tmp_path):
    """A mistyped path is 'no such file', not 'unsupported file type'; a folder with nothing to read
    and a newly created database (a mistyped --db at corpus add) are named, never silent."""
    runner = CliRunner()
    (tmp_path / "empty").mkdir()
    db = tmp_path / "new.db"
    result = runner.invoke(cli, ["corpus", "add", str(tmp_path / "empty"), str(tmp_path / "nope"), "--db", str(db)])
    assert result.exit_code == 2
    assert f"new corpus database: {db}" in result.stderr
    assert f"error: {tmp_path / 'nope'}: no such file or folder" in result.stderr
    assert f"warning: {tmp_path / 'empty'}: no PDF, DOCX, DOC, ODT, RTF, TXT or zip file in this folder" in result.stderr
    result = runner.invoke(cli, ["corpus", "add", str(tmp_path / "empty"), "--db", str(db)])
    assert "new corpus database" not in result.stderr
    result = runner.invoke(cli, ["check", str(tmp_path / "nope"), "--db", str(db)])
    assert result.exit_code == 1 and result.stderr == f"Error: {tmp_path / 'nope'}: no such file or folder\n"
    result = runner.invoke(cli, ["submit", str(tmp_path / "empty"), str(tmp_path / "nope"), "--db", str(db)])
    assert result.exit_code == 2 and "0 jobs queued" in result.stdout
    assert f"error: {tmp_path / 'nope'}: no such file or folder" in result.stderr
    assert f"warning: {tmp_path / 'empty'}: no PDF, DOCX, DOC, ODT, RTF, TXT or zip file in this folder" in result.stderr
