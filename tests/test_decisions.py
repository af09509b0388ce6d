"""Reviewer decisions recomputed from the report JSON alone: excluding a source or a match moves
its text from borrowed to cited, switches agree with a fresh report, the three figures still add
up to 100%, and a stored report renders again the same from its JSON."""

from __future__ import annotations

import itertools
import json

import pytest
from click.testing import CliRunner

from plagcheck.cli import cli
from plagcheck.report import ReportOptions, build_report, render_html, report_from_result
from plagcheck.report.decisions import Decisions, apply_decisions
from plagcheck.report.json import report_from_json
from plagcheck.store import Store
from tests.report_fixtures import build_corpus, copying_thesis


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """(store, thesis, corpus ids, report, its JSON as stored) for :func:`copying_thesis`."""
    tmp_path = tmp_path_factory.mktemp("decisions")
    with Store(tmp_path / "corpus.db") as store:
        corpus = build_corpus(tmp_path, store)
        thesis = copying_thesis(tmp_path)
        report = build_report(store, thesis, semantic=False)
        yield store, thesis, corpus.ids, report, json.loads(json.dumps(report.to_dict()))


def _adds_up(data: dict) -> None:
    assert data["similarity"] + data["cited"] + data["original"] == pytest.approx(1.0, abs=1e-9)
    assert sum(s["share"] for s in data["sources"]) == pytest.approx(data["similarity"], abs=1e-5)
    assert sum(data["excluded_by_kind"].values()) == pytest.approx(data["cited"], abs=1e-5)
    assert sum(data["borrowed_by_kind"].values()) == pytest.approx(data["similarity"], abs=1e-9)


def test_the_fixture_has_two_sources_a_quotation_and_a_bibliography(checked):
    _, _, ids, report, data = checked
    counted = {s["id"] for s in data["sources"] if s["share"] > 0}
    assert counted == {ids["ru"], ids["memo"]}
    assert data["excluded_by_kind"]["quote"] > 0 and data["excluded_by_kind"]["bibliography"] > 0
    assert data["report_format"] == 2 and data["text"] == report.document.text
    assert [m["id"] for m in data["matches"]] == list(range(len(data["matches"])))


def test_no_decision_changes_no_figure_and_is_recorded(checked):
    data = checked[4]
    same = apply_decisions(data, Decisions(), reviewer="A. Reviewer", reviewed_at="2026-05-01T10:00:00+00:00")
    for key in ("similarity", "cited", "original", "borrowed_by_kind", "coefficients", "sources", "exclusions"):
        expected = data[key]
        if key == "sources":
            expected = [{**s, "excluded_by_reviewer": False} for s in expected]
        assert same[key] == expected, key
    assert same["decisions"] == {"excluded_sources": [], "excluded_matches": [], "exclude_quotes": None,
                                 "exclude_bibliography": None, "exclude_common": None,
                                 "reviewer": "A. Reviewer", "reviewed_at": "2026-05-01T10:00:00+00:00"}
    assert "decisions" not in data  # the input is left as it was


def test_excluding_a_source_moves_its_share_from_borrowed_to_cited(checked):
    store, thesis, ids, _, data = checked
    ru = ids["ru"]
    ru_share = next(s["share"] for s in data["sources"] if s["id"] == ru)
    after = apply_decisions(data, Decisions(excluded_sources=frozenset({ru})))
    _adds_up(after)
    assert after["similarity"] == pytest.approx(data["similarity"] - ru_share, abs=2e-6)
    assert after["cited"] == pytest.approx(data["cited"] + ru_share, abs=2e-6)
    assert after["original"] == pytest.approx(data["original"], abs=2e-6)
    assert after["excluded_by_kind"]["reviewer"] == pytest.approx(ru_share, abs=2e-6)
    shares = {s["id"]: s for s in after["sources"]}
    assert shares[ru]["share"] == 0 and shares[ru]["excluded_by_reviewer"] and shares[ru]["matches"] == 0
    assert all(not m["counted"] and m["excluded_by_reviewer"] for m in after["matches"] if m["source_id"] == ru)
    assert any(e["kind"] == "reviewer" for e in after["exclusions"])
    # the same borrowed figure and the other source's share as a fresh check without that source
    checked = CliRunner().invoke(cli, ["check", thesis.path, "--db", str(store.path), "--format", "json",
                                       "--exclude-document", str(ru), "--no-semantic"])
    assert checked.exit_code == 0, checked.output
    fresh = json.loads(checked.stdout)
    assert after["similarity"] == fresh["similarity"]
    assert shares[ids["memo"]]["share"] == next(s["share"] for s in fresh["sources"] if s["id"] == ids["memo"])
    # ... where that fresh check calls the text original, the reviewer's decision calls it cited
    assert fresh["original"] == pytest.approx(after["original"] + ru_share, abs=2e-6)


def test_excluding_everything_leaves_nothing_borrowed(checked):
    data = checked[4]
    by_source = apply_decisions(data, Decisions(excluded_sources=frozenset(s["id"] for s in data["sources"])))
    by_match = apply_decisions(data, Decisions(excluded_matches=frozenset(m["id"] for m in data["matches"])))
    for after in (by_source, by_match):
        _adds_up(after)
        assert after["similarity"] == 0 and all(s["share"] == 0 for s in after["sources"])
        assert after["cited"] == pytest.approx(data["cited"] + data["similarity"], abs=2e-6)
        assert set(after["coefficients"].values()) == {0.0}


def test_excluding_one_match_never_raises_a_figure_but_cited(checked):
    data = checked[4]
    for m in data["matches"]:
        after = apply_decisions(data, Decisions(excluded_matches=frozenset({m["id"]})))
        _adds_up(after)
        assert after["similarity"] <= data["similarity"] and after["original"] <= data["original"] + 1e-6
        assert after["cited"] >= data["cited"]
        before = {s["id"]: s["share"] for s in data["sources"]}
        assert all(s["share"] <= before[s["id"]] for s in after["sources"])


@pytest.mark.parametrize("quotes,bibliography", list(itertools.product((False, True), repeat=2)))
def test_switches_give_the_figures_of_a_fresh_report_with_those_options(checked, quotes, bibliography):
    store, thesis, _, report, data = checked
    after = apply_decisions(data, Decisions(exclude_quotes=quotes, exclude_bibliography=bibliography))
    fresh = report_from_result(store, report.result, ReportOptions(exclude_quotes=quotes,
                                                                   exclude_bibliography=bibliography)).to_dict()
    for key in ("similarity", "cited", "original", "borrowed_by_kind", "coefficients"):
        assert after[key] == fresh[key], key
    assert {s["id"]: (s["share"], s["matches"]) for s in after["sources"]} == {
        s["id"]: (s["share"], s["matches"]) for s in fresh["sources"]}
    assert [(e["kind"], e["start"], e["end"]) for e in after["exclusions"]] == [
        (e["kind"], e["start"], e["end"]) for e in fresh["exclusions"]]
    assert [(m["counted"], m["counted_words"]) for m in after["matches"]] == [
        (m["counted"], m["counted_words"]) for m in fresh["matches"]]
    assert {k: after["options"][k] for k in ("exclude_quotes", "exclude_bibliography")} == {
        "exclude_quotes": quotes, "exclude_bibliography": bibliography}


def test_decisions_replace_those_applied_before(checked):
    data = checked[4]
    first = apply_decisions(data, Decisions(excluded_sources=frozenset({data["sources"][0]["id"]}), exclude_quotes=False))
    second = Decisions(excluded_matches=frozenset({data["matches"][-1]["id"]}))
    assert apply_decisions(first, second) == apply_decisions(data, second)


def test_decisions_round_trip_through_json_and_refuse_bad_input():
    decisions = Decisions(excluded_sources=frozenset({3, 1}), excluded_matches=frozenset({7}), exclude_common=False)
    assert Decisions.from_dict(json.loads(json.dumps(decisions.to_dict()))) == decisions
    assert decisions.to_dict()["excluded_sources"] == [1, 3]
    assert Decisions.from_dict({}) == Decisions() and Decisions().empty and not decisions.empty
    for bad in ({"excluded_sources": ["1"]}, {"excluded_sources": 1}, {"exclude_quotes": "yes"},
                {"exclude_everything": True}, {"excluded_matches": [True]}, ["excluded_sources"]):
        with pytest.raises(ValueError):
            Decisions.from_dict(bad)


def test_a_report_json_without_coverage_cannot_be_recomputed(checked):
    data = {k: v for k, v in checked[4].items() if k != "coverage"}
    with pytest.raises(ValueError, match="coverage"):
        apply_decisions(data, Decisions())


def test_a_stored_report_renders_the_same_from_its_json(checked):
    report, data = checked[3], checked[4]
    assert render_html(report_from_json(data)) == render_html(report)
    # with decisions: the excluded source's passages are no longer counted highlights
    ru = checked[2]["ru"]
    before = render_html(report)
    after = render_html(report_from_json(apply_decisions(data, Decisions(excluded_sources=frozenset({ru})))))
    assert after.count("(excluded by the reviewer)") == 1 and "(excluded by the reviewer)" not in before
    for m in data["matches"]:
        if m["source_id"] == ru:
            assert f'<mark class="hl" data-m="{m["id"]}"' in before
            assert f'<mark class="hl off" data-m="{m["id"]}"' in after and f'<mark class="hl" data-m="{m["id"]}"' not in after
