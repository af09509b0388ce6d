"""One headline number: borrowed + cited + original = 100% of the whole text, printed the same by
``check`` and ``report`` (text, JSON, HTML, PDF) for the same file and switches, on the bundled
sample corpus and thesis (real PDF, DOCX and TXT files)."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pymupdf
import pytest
from click.testing import CliRunner

from plagcheck.check import check_document
from plagcheck.cli import cli
from plagcheck.extract import extract
from plagcheck.report import ReportOptions, report_from_result
from plagcheck.store import Store

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "corpus" / "samples"
THESIS = ROOT / "corpus" / "theses" / "sample-thesis.pdf"
FIGURES = re.compile(r"(\d+\.\d)% borrowed, (\d+\.\d)% cited or excluded, (\d+\.\d)% original")


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("figures") / "sample.db"
    added = CliRunner().invoke(cli, ["corpus", "add", str(SAMPLES), "--metadata", str(SAMPLES / "metadata.csv"),
                                     "--db", str(db)])
    assert added.exit_code == 0, added.output
    return db


def _percent(fraction: float) -> str:
    return f"{100 * fraction:.1f}"


@pytest.mark.parametrize("switches", [[], ["--include-quotes", "--include-bibliography", "--min-words", "60"]])
def test_check_and_report_print_the_same_figures(sample_db, tmp_path, switches):
    runner = CliRunner()
    db = ["--db", str(sample_db)]

    def run(*args):
        result = runner.invoke(cli, [*args, *db, *switches], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.stdout

    check_text = run("check", str(THESIS))
    check_json = json.loads(run("check", str(THESIS), "--format", "json"))
    report_line = run("report", str(THESIS), "--out", str(tmp_path / "r.json"))
    run("report", str(THESIS), "--out", str(tmp_path / "r.html"))
    run("report", str(THESIS), "--out", str(tmp_path / "r.pdf"))
    report_json = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))

    figures = FIGURES.search(check_text).groups()
    assert FIGURES.search(report_line).groups() == figures
    for data in (check_json, report_json):
        assert data["similarity"] + data["cited"] + data["original"] == pytest.approx(1.0, abs=1e-6)
        assert sum(s["share"] for s in data["sources"]) == pytest.approx(data["similarity"], abs=1e-5)
        assert (_percent(data["similarity"]), _percent(data["cited"])) == figures[:2]
        assert data["options"] == report_json["options"]
    assert check_json["sources"] == [{k: v for k, v in s.items() if k != "color"} for s in report_json["sources"]]
    assert float(figures[0]) + float(figures[1]) + float(figures[2]) == pytest.approx(100.0)

    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    shown = [re.search(rf'id="fig-{key}">([\d.]+)%<', page).group(1) for key in ("similarity", "cited", "original")]
    assert tuple(shown) == figures
    pdf_text = " ".join(" ".join(page.get_text().split()) for page in pymupdf.open(tmp_path / "r.pdf"))
    assert f"Borrowed {figures[0]}%" in pdf_text and f"Cited or excluded {figures[1]}%" in pdf_text
    assert f"Original {figures[2]}%" in pdf_text

    # check says which exclusions it applied
    applied = re.search(r"exclusions applied: (.*)", check_text).group(1)
    assert ("quotations with a citation" in applied) == ("--include-quotes" not in switches)
    assert ("the bibliography" in applied) == ("--include-bibliography" not in switches)
    assert f"matches under {check_json['options']['min_words']} words" in applied


def test_defaults_on_the_sample_thesis(sample_db):
    """The README's example: quotation and bibliography move to cited; the three figures add up."""
    data = json.loads(CliRunner().invoke(cli, ["check", str(THESIS), "--db", str(sample_db), "--format",
                                               "json"]).stdout)
    assert data["options"]["exclude_quotes"] and data["options"]["exclude_bibliography"]
    assert 0.10 <= data["similarity"] <= 0.20 and 0.03 <= data["cited"] <= 0.10
    everything = json.loads(CliRunner().invoke(cli, ["check", str(THESIS), "--db", str(sample_db), "--format", "json",
                                                     "--include-quotes", "--include-bibliography"]).stdout)
    assert everything["cited"] == 0.0 and everything["similarity"] > data["similarity"]
    # the copied sources' shares did not rise when the quotation and the bibliography were excluded
    before = {s["id"]: s["share"] for s in everything["sources"]}
    assert all(s["share"] <= before[s["id"]] for s in data["sources"])


def test_every_combination_of_switches_adds_up_and_excluding_never_raises_a_figure(sample_db):
    with Store(sample_db, create=False) as store:
        result = check_document(store, extract(THESIS))
        reports = {}
        for quotes, bibliography, common, min_words in itertools.product((False, True), (False, True),
                                                                          (False, True), (0, 12, 100)):
            options = ReportOptions(exclude_quotes=quotes, exclude_bibliography=bibliography,
                                    exclude_common=common, min_words=min_words)
            reports[quotes, bibliography, common, min_words] = report_from_result(store, result, options).check_dict()
    for key, data in reports.items():
        assert data["similarity"] + data["cited"] + data["original"] == pytest.approx(1.0, abs=1e-6), key
        assert sum(s["share"] for s in data["sources"]) == pytest.approx(data["similarity"], abs=1e-5), key
        for switch in range(4):  # one more exclusion (or a higher min_words): no figure rises
            if switch < 3 and key[switch]:
                continue
            if switch == 3 and key[3] == 100:
                continue
            stricter = list(key)
            stricter[switch] = True if switch < 3 else {0: 12, 12: 100}[key[3]]
            more = reports[tuple(stricter)]
            assert more["similarity"] <= data["similarity"], (key, stricter)
            shares = {s["id"]: s["share"] for s in data["sources"]}
            assert all(s["share"] <= shares[s["id"]] for s in more["sources"]), (key, stricter)
            assert more["cited"] >= data["cited"]
