"""The HTML and JSON reports: figures, sources, highlights, escaping, source excerpts; the CLI command."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from plagcheck.cli import cli
from plagcheck.extract import extract
from plagcheck.models import Document
from plagcheck.report import build_report, render_html, render_json
from plagcheck.report.text import percent
from tests.builders import make_docx
from tests.report_fixtures import RU, EN_MEMO, build_corpus, own_prose, words

SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def corpus(tmp_path, store):
    return build_corpus(tmp_path, store)


def _thesis_text() -> str:
    return "\n\n".join([own_prose(120), words(RU, 100, 90), own_prose(120, 200), words(EN_MEMO, 150, 80),
                        own_prose(100, 400)])


def test_html_report_shows_figures_sources_and_highlights(store, corpus):
    report = build_report(store, Document("thesis.txt", "txt", _thesis_text()), metadata={"title": "Дипломная работа"})
    page = render_html(report)
    assert f'id="fig-similarity">{percent(report.similarity)}<' in page
    assert len(report.sources) == 2
    for source in report.sources:
        assert f'data-source="{source.id}"' in page and source.color in page
    marks = re.findall(r'<mark class="hl" data-m="(\d+)"', page)
    assert {int(k) for k in marks} == set(range(len(report.matches)))
    assert page.count('class="panel"') == len(report.matches)
    assert "Дипломная работа" in page and "http://" not in page and "https://" not in page
    assert report.result.corpus["engine_version"] in page


def test_document_text_with_script_is_escaped(store, tmp_path, corpus):
    copied = words(RU, 100, 90)
    text = own_prose(100) + f"\n{SCRIPT}\n" + copied[:300] + f" {SCRIPT} " + copied[300:] + "\n" + own_prose(80, 300)
    report = build_report(store, Document("thesis <b>.txt", "txt", text),
                          metadata={"title": "<img src=x onerror=alert(2)>"})
    assert report.matches
    page = render_html(report)
    assert SCRIPT not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 2
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "thesis &lt;b&gt;.txt" in page
    assert len(re.findall(r"<script>", page)) == 1  # only the report's own script


def test_source_excerpt_is_the_passage_and_a_little_context(store, corpus):
    report = build_report(store, Document("thesis.txt", "txt", _thesis_text()))
    source_len = len(store.document_text(report.matches[0].source_id))
    for rm in report.matches:
        ex = rm.excerpt
        assert ex.match_end - ex.match_start == rm.match.source_length
        assert len(ex.text) <= rm.match.source_length + 2 * report.options.context_chars
        assert len(ex.text) < source_len


def test_word_differences_are_marked_beside_the_source(store, corpus):
    copied = words(RU, 100, 90).split()
    copied[10] = "ИЗМЕНЁННОЕ"
    copied[40] = "вставка"
    report = build_report(store, Document("t.txt", "txt", own_prose(120) + "\n" + " ".join(copied) + "\n" + own_prose(100, 300)))
    (rm,) = report.matches
    changed_here = [report.document.text[a:b] for a, b in rm.excerpt.this_changed]
    assert "ИЗМЕНЁННОЕ" in changed_here and "вставка" in changed_here
    assert len(rm.excerpt.changed) == 2
    assert '<span class="chg">ИЗМЕНЁННОЕ</span>' in render_html(report)


def test_json_report_is_the_check_json_plus_exclusions_and_alerts(store, corpus):
    text = _thesis_text() + "\nСписок литературы\n1. Иванов И.И. Теория систем. – М.: Наука, 2019. – 240 с.\nзнaчение"
    report = build_report(store, Document("thesis.txt", "txt", text))
    data = json.loads(render_json(report))
    for key in ("document", "similarity", "sources", "matches", "alerts", "settings", "corpus",
                "similarity_without_exclusions", "coefficients", "exclusions", "options"):
        assert key in data
    assert data["similarity"] == pytest.approx(sum(s["share"] for s in data["sources"]), abs=1e-5)
    assert [e["kind"] for e in data["exclusions"]] == ["bibliography"]
    assert [a["kind"] for a in data["alerts"]] == ["homoglyph"]
    m = data["matches"][0]
    assert text[m["this_offset"]:m["this_offset"] + m["this_length"]].split()[:3] == words(RU, 100, 3).split()
    assert data["corpus"]["documents"] == 3 and "index_params" in data["corpus"]


def test_report_command_writes_html_by_default_and_pdf_and_json_by_extension(tmp_path, db_path, corpus, monkeypatch):
    path = make_docx(tmp_path / "my-thesis.docx", _thesis_text().split("\n\n"))
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["report", str(path), "--db", str(db_path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "report written to my-thesis.report.html" in result.output
    assert (tmp_path / "my-thesis.report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")

    result = runner.invoke(cli, ["report", str(path), "--db", str(db_path), "--out", "r.json", "--min-words", "200"])
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data["similarity"] == 0.0 and data["similarity_without_exclusions"] > 0.2
    assert data["options"]["min_words"] == 200

    result = runner.invoke(cli, ["report", str(path), "--db", str(db_path), "--out", "r.pdf", "--include-quotes",
                                 "--include-bibliography", "--include-common"])
    assert result.exit_code == 0 and (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")

    bad = runner.invoke(cli, ["report", str(path), "--db", str(db_path), "--out", "r.txt"])
    assert bad.exit_code == 2 and "--format" in bad.output
    missing = runner.invoke(cli, ["report", str(tmp_path / "nope.pdf"), "--db", str(db_path)])
    assert missing.exit_code == 1 and "file not found" in missing.output and "Traceback" not in missing.output
    assert extract(path).text  # the thesis itself was not changed


def test_an_alert_names_its_page_once(store, corpus, tmp_path):
    from plagcheck.models import Alert
    from tests.builders import make_pdf, wrap

    thesis = extract(make_pdf(tmp_path / "t.pdf", [wrap(own_prose(120)), wrap(own_prose(120, 300))]))
    alert = Alert("white_text", "white text on page 2: 'hidden words'", 10, 20, page=2)
    unlabelled = Alert("microscopic_text", "microscopic text", 30, 40, page=2)
    from dataclasses import replace

    html = render_html(build_report(store, replace(thesis, alerts=(alert, unlabelled))))
    items = re.findall(r'<li class="alert alert-[a-z_]+">.*?</li>', html, re.S)
    white = next(i for i in items if "alert-white_text" in i)
    micro = next(i for i in items if "alert-microscopic_text" in i)
    assert white.count("page 2") == 1 and micro.count("page 2") == 1
