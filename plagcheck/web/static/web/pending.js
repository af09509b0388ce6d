// A thesis' page opened before its check finished: ask every few seconds, and show the report
// (reload the page) once the worker is done with it.
(function () {
  "use strict";
  var pending = document.getElementById("pending");
  if (!pending) return;
  var url = pending.getAttribute("data-status-url") + "?ids=" + pending.getAttribute("data-id");
  function poll() {
    fetch(url, {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : {jobs: []}; })
      .then(function (data) {
        var job = data.jobs[0];
        if (job && (job.state === "done" || job.state === "failed")) window.location.reload();
        else setTimeout(poll, 3000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 3000);
})();
