"""The README's first command on the bundled sample corpus: the sample thesis' report finds what it
was built to contain (``corpus/build_samples.py``) and nothing else.

Runs on the committed files in ``corpus/samples`` and ``corpus/theses``; builds nothing.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from plagcheck.cli import cli

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SAMPLES = CORPUS / "samples"
THESIS = CORPUS / "theses" / "sample-thesis.pdf"

COPIED = {"kk-01-abai-pedagogical-legacy.pdf", "ru-02-formative-assessment.docx",
          "en-03-school-family-partnership.txt"}
QUOTED = "ru-01-teaching-practice.pdf"


def _name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("samples")
    db = tmp / "sample.db"
    runner = CliRunner()
    added = runner.invoke(cli, ["corpus", "add", str(SAMPLES), "--metadata", str(SAMPLES / "metadata.csv"),
                                "--db", str(db)])
    assert added.exit_code == 0, added.output
    assert "12 added, 0 already present, 0 failed" in added.stdout
    out = tmp / "sample-report.json"
    result = runner.invoke(cli, ["report", str(THESIS), "--db", str(db), "--format", "json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text(encoding="utf-8"))


def test_sample_texts_are_six_per_language_of_250_to_400_words():
    for language in ("kk", "ru", "en"):
        texts = sorted((CORPUS / "texts" / language).glob("*.txt"))
        assert len(texts) == 6
        for text in texts:
            assert 250 <= len(text.read_text(encoding="utf-8").split()) <= 400, text.name
    assert (CORPUS / "texts" / "LICENSE.md").exists()
    with open(SAMPLES / "metadata.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 12 and all((SAMPLES / row["file"]).exists() for row in rows)


def test_the_three_copied_sources_are_found_and_nothing_else(report):
    shares = {_name(s["path"]): s["share"] for s in report["sources"]}
    assert {name for name, share in shares.items() if share > 0} == COPIED
    # the quoted source is listed only through its excluded quotation
    assert set(shares) <= COPIED | {QUOTED}
    assert shares.get(QUOTED, 0.0) == 0.0
    for name in COPIED:
        assert 0.02 <= shares[name] <= 0.12, (name, shares[name])
    assert report["similarity"] == pytest.approx(sum(shares.values()), abs=1e-4)
    assert 0.08 <= report["similarity"] <= 0.25
    counted = [m for m in report["matches"] if m["counted"]]
    assert sorted(_name(m["source_path"]) for m in counted) == sorted(COPIED)
    assert all(m["words"] >= 60 for m in counted)  # whole paragraphs, not fragments


def test_quote_and_bibliography_are_excluded(report):
    quotes = [e for e in report["exclusions"] if e["kind"] == "quote"]
    assert len(quotes) == 1 and "[1, с. 3]" in quotes[0]["reason"]
    (quoted,) = [m for m in report["matches"] if _name(m["source_path"]) == QUOTED]
    assert not quoted["counted"]
    assert quotes[0]["start"] <= quoted["this_offset"]
    assert quoted["this_offset"] + quoted["this_length"] <= quotes[0]["end"]

    bibliography = [e for e in report["exclusions"] if e["kind"] == "bibliography"]
    assert len(bibliography) == 1 and "4 reference(s)" in bibliography[0]["reason"]
    assert bibliography[0]["end"] == report["document"]["chars"]  # the thesis ends with it
    assert all(m["this_offset"] + m["this_length"] <= bibliography[0]["start"] for m in report["matches"])
    assert report["excluded_by_kind"]["quote"] > 0 and report["excluded_by_kind"]["bibliography"] > 0
    assert report["similarity_without_exclusions"] > report["similarity"]


def test_homoglyphs_in_the_russian_copy_raise_an_alert(report):
    (alert,) = [a for a in report["alerts"] if a["kind"] == "homoglyph"]
    (copy,) = [m for m in report["matches"] if _name(m["source_path"]) == "ru-02-formative-assessment.docx"]
    assert alert["start"] < copy["this_offset"] + copy["this_length"] and copy["this_offset"] < alert["end"]
    assert {a["kind"] for a in report["alerts"]} == {"homoglyph"}
