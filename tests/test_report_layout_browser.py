"""The HTML report's layout in headless Chromium at 1000 px: a match opened by its link (#m-N) and
its source panel's title are not hidden under the sticky bar; printing keeps the highlight colours.

Chromium is driven as in test_report_browser.py: skipped when absent on a developer machine, a
failure under CI. A probe script appended to the page measures the layout once the report's own
script has run and writes the numbers into the DOM, which ``--dump-dom`` prints.
"""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from plagcheck.extract import extract
from plagcheck.report import build_report, render_html
from tests.builders import make_docx
from tests.report_fixtures import EN_MEMO, RU, build_corpus, own_prose, words
from tests.test_report_browser import FLAGS, _chromium  # how Chromium is found and started


PROBE = """<script>
window.addEventListener("load", function(){ setTimeout(function(){
  var k = location.hash.slice(3);
  var box = function(el){ var r = el.getBoundingClientRect(); return {top: r.top, bottom: r.bottom}; };
  var mark = document.querySelector('mark[data-m="' + k + '"]').getClientRects()[0];
  document.body.setAttribute("data-probe", JSON.stringify({
    bar: box(document.querySelector("nav.bar")), anchor: box(document.getElementById("m-" + k)),
    mark: {top: mark.top, bottom: mark.bottom}, title: box(document.querySelector("#panel-" + k + " h3")),
    scrolled: window.scrollY, width: window.innerWidth, height: window.innerHeight}));
}, 300); });
</script>
"""




@pytest.fixture
def report(tmp_path, store):
    build_corpus(tmp_path, store)
    body = [own_prose(150), words(RU, 100, 90), own_prose(200, 150), own_prose(200, 350),
            words(EN_MEMO, 150, 80), own_prose(150, 0), own_prose(150, 200)]
    report = build_report(store, extract(make_docx(tmp_path / "thesis.docx", body)))
    assert len(report.matches) == 2
    return report


@pytest.mark.slow
def test_a_linked_match_and_its_source_title_are_below_the_sticky_bar_at_1000px(tmp_path, report):
    browser = _chromium()
    page = tmp_path / "report.html"
    page.write_text(render_html(report).replace("</body>", PROBE + "</body>"), encoding="utf-8")
    k = len(report.matches) - 1  # the last match: far down, so opening it must scroll
    run = subprocess.run([browser, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1000,800",
                          "--dump-dom", "--virtual-time-budget=5000", f"{page.as_uri()}#m-{k}"],
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    probe = re.search(r'data-probe="([^"]+)"', run.stdout)
    assert probe, "the probe did not run"
    layout = json.loads(probe.group(1).replace("&quot;", '"'))
    assert layout["width"] <= 1000 and layout["scrolled"] > 0, layout
    bar = layout["bar"]["bottom"]
    assert bar <= layout["anchor"]["top"] < layout["height"], layout    # the match's start is in view
    assert bar <= layout["mark"]["top"], layout                          # its first line too
    assert bar <= layout["title"]["top"] < layout["height"], layout     # and the source beside it


def test_css_keeps_anchors_clear_of_the_bar_and_colours_in_print(report):
    page = render_html(report)
    css = page[page.index("<style>"):page.index("</style>")]
    assert re.search(r"html\{scroll-padding-top:[^}]*var\(--bar", css)
    assert re.search(r"\.anchor\{scroll-margin-top:", css)
    printing = css[css.index("@media print"):]
    assert "print-color-adjust:exact" in printing and "-webkit-print-color-adjust:exact" in printing
    assert re.search(r"nav\.bar\{position:static", printing)
    panels = page[page.index('<section class="panel"'):page.index("</aside>")]
    assert "TF-IDF" not in panels and "cosine" not in panels
    assert page.count("% the same</span>") == len(report.matches)
    assert "wording 100% the same" in page  # the copied passages are verbatim
