// Live progress on the jobs page: every few seconds, ask for the rows still queued or running and
// update them in place. Text from the server (names, titles, reasons) is set as text, never HTML.
(function () {
  "use strict";
  var table = document.getElementById("jobs");
  if (!table) return;
  var url = table.getAttribute("data-status-url");
  function pendingIds() {
    var rows = table.querySelectorAll("tbody tr[data-id]"), ids = [];
    for (var i = 0; i < rows.length; i++) {
      var state = rows[i].getAttribute("data-state");
      if (state === "queued" || state === "running") ids.push(rows[i].getAttribute("data-id"));
    }
    return ids;
  }
  function cell(row, cls) { return row.querySelector("." + cls); }
  function update(job) {
    var row = table.querySelector('tr[data-id="' + job.id + '"]');
    if (!row) return;
    row.setAttribute("data-state", job.state);
    row.className = "state-" + job.state;
    var state = cell(row, "c-state");
    state.textContent = job.state_label;
    if (job.error) {  // as the page renders it: a long reason folded, its full text one click away
      var reason = document.createElement(job.error_short ? "details" : "div");
      reason.className = "reason";
      if (job.error_short) {
        var summary = document.createElement("summary");
        summary.textContent = job.error_short;
        reason.appendChild(summary);
      }
      reason.appendChild(document.createTextNode(job.error));
      state.appendChild(reason);
    }
    cell(row, "c-similarity").textContent = job.similarity;
    cell(row, "c-verdict").textContent = job.verdict;
  }
  function poll() {
    var ids = pendingIds();
    if (!ids.length) { document.body.setAttribute("data-jobs-settled", "1"); return; }
    document.body.setAttribute("data-jobs-settled", "0");
    fetch(url + "?ids=" + ids.join(","), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : {jobs: []}; })
      .then(function (data) { data.jobs.forEach(update); })
      .catch(function () {})
      .then(function () { setTimeout(poll, 2000); });
  }
  poll();
})();
