"""The HTML report rendered in headless Chromium (Debian's package): figures, sources, highlights, JS.

Skipped only when Chromium is absent on a developer machine; under CI (``CI`` set) a missing
browser is a failure, never a skip.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pymupdf
import pytest

from plagcheck.extract import extract
from plagcheck.report import build_report, render_html, render_json
from plagcheck.report.text import percent
from tests.builders import make_docx
from tests.report_fixtures import EN_MEMO, RU, build_corpus, own_prose, words

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "/usr/bin/chromium"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        pytest.fail("chromium is not installed (CI must install Debian's chromium package: see .ci/run)")
    pytest.skip("chromium is not installed (apt-get install chromium)")


def _run(browser: str, tmp_path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "chromium-profile"
    return subprocess.run([browser, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                          text=True, timeout=120, check=False)


def _pixels(png: Path, colours: list[str], tolerance: int = 6) -> tuple[dict[str, int], int]:
    """How many pixels of the image are within ``tolerance`` (per channel) of each ``#rrggbb``
    colour, and how many are dark (text)."""
    pix = pymupdf.Pixmap(str(png))
    rgb = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, pix.n)[..., :3].astype(np.int16)
    counts = {}
    for colour in colours:
        target = np.array([int(colour[k:k + 2], 16) for k in (1, 3, 5)], np.int16)
        counts[colour] = int((np.abs(rgb - target).max(axis=2) <= tolerance).sum())
    return counts, int((rgb.max(axis=2) < 100).sum())


# A source's colour also fills its swatch in the sources list (about 200 pixels); its highlights
# are lines of text on that background, tens of thousands of pixels.
MIN_HIGHLIGHT_PIXELS = 5_000
MIN_TEXT_PIXELS = 20_000


def _assert_highlights_drawn(png: Path, colours: list[str]) -> None:
    counts, text = _pixels(png, colours)
    assert text >= MIN_TEXT_PIXELS, f"the screenshot shows almost no text ({text} dark pixels): a blank page?"
    for colour, n in counts.items():
        assert n >= MIN_HIGHLIGHT_PIXELS, f"source colour {colour} covers {n} pixels: its highlights are not drawn"


def test_the_pixel_check_fails_on_a_blank_page(tmp_path):
    blank = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 1280, 900), False)
    blank.set_rect(blank.irect, (246, 246, 248))  # the report's background
    blank.save(tmp_path / "blank.png")
    assert _pixels(tmp_path / "blank.png", ["#ffb3b3", "#f6f6f8"]) == ({"#ffb3b3": 0, "#f6f6f8": 1280 * 900}, 0)
    with pytest.raises(AssertionError, match="almost no text"):
        _assert_highlights_drawn(tmp_path / "blank.png", ["#ffb3b3"])


def test_report_renders_in_headless_chromium(tmp_path, store):
    browser = _chromium()
    build_corpus(tmp_path, store)
    body = [own_prose(150), words(RU, 100, 90), own_prose(120, 200), words(EN_MEMO, 150, 80), own_prose(100, 400),
            "<script>document.title='pwned'</script>"]
    thesis = extract(make_docx(tmp_path / "thesis.docx", body))
    report = build_report(store, thesis, metadata={"title": "Дипломная работа"})
    assert len(report.sources) == 2
    page = tmp_path / "report.html"
    page.write_text(render_html(report), encoding="utf-8")

    dom = _run(browser, tmp_path, "--dump-dom", "--virtual-time-budget=3000", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    rendered = dom.stdout
    assert 'data-ready="1"' in rendered, "the report's script did not run"
    assert f'data-highlights="{len(report.matches)}"' in rendered
    assert "interactive: " in rendered
    figure = re.search(r'<div class="value" id="fig-similarity">([^<]+)</div>', rendered)
    assert figure and figure.group(1) == percent(report.similarity)
    listed = re.findall(r'<li class="source" data-source="(\d+)"', rendered)
    assert [int(i) for i in listed] == [s.id for s in report.sources]
    titles = [html.unescape(t) for t in re.findall(r'<span class="stitle">([^<]+)</span>', rendered)]
    assert titles == [s.label for s in report.sources]
    assert len(re.findall(r'<mark class="hl"', rendered)) >= len(report.matches)
    assert "<title>Similarity report — Дипломная работа</title>" in rendered  # the thesis' script never ran
    assert "&lt;script&gt;document.title='pwned'&lt;/script&gt;" in rendered

    # A link to a match shows its source passage beside it (the same code path as a click).
    linked = _run(browser, tmp_path, "--dump-dom", "--virtual-time-budget=3000", page.as_uri() + "#m-1").stdout
    assert 'data-shown="1"' in linked
    panel = re.search(r'<section class="panel" id="panel-1" data-m="1"( hidden(="")?)?>', linked)
    assert panel and not panel.group(1), "the source panel of match 1 is not shown"
    assert re.search(r'<section class="panel" id="panel-0" data-m="0" hidden', linked)
    assert re.search(r'<mark class="hl active" data-m="1"', linked)

    # The screenshot shows every source's highlights. (Loaded without a #fragment: headless
    # Chromium screenshots such a page scrolled, with a blank band where the top should be.)
    shot = tmp_path / "report.png"
    result = _run(browser, tmp_path, f"--screenshot={shot}", "--window-size=1280,3600", "--virtual-time-budget=3000",
                  page.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    colours = [s["color"] for s in json.loads(render_json(report))["sources"]]
    assert len(set(colours)) == 2
    _assert_highlights_drawn(shot, colours)


def test_a_stored_report_renders_in_kazakh_with_a_reviewer_s_decision(tmp_path, store):
    """The web cabinet's path: the stored report JSON, a reviewer's decision, rendered in Kazakh;
    the script's status line is Kazakh too, and the excluded source's passages are no longer counted."""
    import json

    from plagcheck.report import Decisions, apply_decisions, report_from_json

    browser = _chromium()
    ids = build_corpus(tmp_path, store).ids
    thesis = extract(make_docx(tmp_path / "thesis.docx", [own_prose(150), words(RU, 100, 90), own_prose(120, 200),
                                                          words(EN_MEMO, 150, 80), own_prose(100, 400)]))
    data = json.loads(json.dumps(build_report(store, thesis, semantic=False).to_dict()))
    after = apply_decisions(data, Decisions(excluded_sources=frozenset({ids["ru"]})))
    page = tmp_path / "report.html"
    page.write_text(render_html(report_from_json(after), "kk"), encoding="utf-8")
    rendered = _run(browser, tmp_path, "--dump-dom", "--virtual-time-budget=3000", page.as_uri()).stdout
    assert 'data-ready="1"' in rendered
    status = re.search(r'id="js-status"[^>]*>([^<]+)<', rendered).group(1)
    assert status.startswith(f"интерактивті: белгіленген үзінділер саны — {len(data['matches'])} ")
    figure = re.search(r'id="fig-similarity">([^<]+)<', rendered).group(1)
    assert figure == f"{100 * after['similarity']:.1f}%".replace(".", ",") and after["similarity"] < data["similarity"]
    ru_marks = re.findall(rf'<mark class="([^"]*)" data-m="\d+" data-source="{ids["ru"]}"', rendered)
    assert ru_marks and all("off" in c for c in ru_marks)
