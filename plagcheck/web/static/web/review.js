// The report page's interactive exclusions: the figures are recomputed at once from the report's
// JSON when the reviewer excludes a source or a passage or switches an exclusion kind. This is
// plagcheck/report/decisions.py's algorithm (its module docstring), step for step; saving the form
// records the decision on the server, which recomputes it there with apply_decisions.
(function () {
  "use strict";
  var review = document.getElementById("review");
  var form = document.getElementById("decision-form");
  if (!review || !form) return;
  var threshold = parseFloat(review.getAttribute("data-threshold"));
  var frame = document.getElementById("report-frame");
  var report = null;

  // As the server and the report write a share: 9.5% in English, 9,5% in Kazakh and Russian.
  var decimalComma = document.documentElement.lang !== "en";
  function pct(x) {
    var text = (100 * x).toFixed(1);
    return (decimalComma ? text.replace(".", ",") : text) + "%";
  }

  function decisions() {
    var d = {excluded_sources: {}, excluded_matches: {}};
    form.querySelectorAll('input[name="source"]:checked').forEach(function (el) { d.excluded_sources[el.value] = true; });
    form.querySelectorAll('input[name="match"]:checked').forEach(function (el) { d.excluded_matches[el.value] = true; });
    form.querySelectorAll("select[data-switch]").forEach(function (el) {
      d[el.getAttribute("data-switch")] = el.value === "" ? null : el.value === "on";
    });
    return d;
  }

  function recompute(rep, d) {
    var coverage = rep.coverage, base = coverage.options;
    var kinds = {quote: "exclude_quotes", bibliography: "exclude_bibliography", common_passage: "exclude_common"};
    var switched = {};
    Object.keys(kinds).forEach(function (kind) {  // 1. the switched-on kinds
      var chosen = d[kinds[kind]];
      switched[kind] = chosen === null || chosen === undefined ? !!base[kinds[kind]] : chosen;
    });
    var byId = {}, excluded = {};
    rep.matches.forEach(function (m) {
      byId[m.id] = m;
      if (d.excluded_matches[m.id] || d.excluded_sources[m.source_id]) excluded[m.id] = true;
    });
    var spans = coverage.spans.filter(function (s) { return switched[s.kind]; });
    var citedKind = [], countedWords = {};
    rep.matches.forEach(function (m) { countedWords[m.id] = 0; });
    coverage.segments.forEach(function (seg) {  // 2. each segment's cited kind; 3. counted words
      var kind = null;
      for (var i = 0; i < spans.length; i++) {
        if (spans[i].start <= seg[0] && seg[0] < spans[i].end) { kind = spans[i].kind; break; }
      }
      citedKind.push(kind);
      if (kind === null && seg[4] >= 0) countedWords[seg[4]] += seg[2];
    });
    var minWords = Math.max(1, parseInt(coverage.min_words, 10));
    var borrowed = 0, cited = 0, shares = {};
    coverage.segments.forEach(function (seg, i) {  // 4. every segment's characters to one place
      var chars = seg[3], owner = seg[4];
      if (citedKind[i] !== null) { cited += chars; return; }
      if (owner < 0 || countedWords[owner] < minWords) return;
      if (excluded[owner]) { cited += chars; return; }
      borrowed += chars;
      var source = byId[owner].source_id;
      shares[source] = (shares[source] || 0) + chars;
    });
    var total = coverage.total_chars;
    function share(chars) { return total ? chars / total : 0; }
    var similarity = Math.round(share(borrowed) * 1e6) / 1e6, citedShare = Math.round(share(cited) * 1e6) / 1e6;
    return {similarity: similarity, cited: citedShare, original: Math.max(0, 1 - similarity - citedShare),
            shares: shares, share: share};
  }

  function show() {
    if (!report) return;
    var figures = recompute(report, decisions());
    document.getElementById("fig-borrowed").textContent = pct(figures.similarity);
    document.getElementById("fig-cited").textContent = pct(figures.cited);
    document.getElementById("fig-original").textContent = pct(1 - Math.round(1000 * figures.similarity) / 1000 -
                                                                   Math.round(1000 * figures.cited) / 1000);
    var verdict = document.getElementById("fig-verdict");
    verdict.textContent = 100 * figures.similarity <= threshold + 1e-9 ? verdict.getAttribute("data-pass")
                                                                         : verdict.getAttribute("data-fail");
    form.querySelectorAll("[data-share-of]").forEach(function (el) {
      el.textContent = pct(figures.share(figures.shares[el.getAttribute("data-share-of")] || 0));
    });
    document.body.setAttribute("data-recomputed", String(figures.similarity));
  }

  form.querySelectorAll(".swatch[data-color]").forEach(function (el) {
    el.style.background = el.getAttribute("data-color");  // CSSOM: allowed where style attributes are not
  });
  form.addEventListener("change", show);
  form.querySelectorAll("[data-match-index]").forEach(function (el) {
    el.addEventListener("click", function (ev) {  // open the passage in the report below
      ev.preventDefault();
      frame.src = frame.src.split("#")[0] + "#m-" + el.getAttribute("data-match-index");
      frame.scrollIntoView({block: "start"});
    });
  });
  fetch(review.getAttribute("data-report-url"), {credentials: "same-origin"})
    .then(function (r) { return r.json(); })
    .then(function (data) { report = data; show(); document.body.setAttribute("data-review-ready", "1"); });
})();
