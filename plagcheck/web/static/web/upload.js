// Upload page: drag and drop of files, folders and zips (folders walked with their relative
// paths, so that a CSV row "2025/aliyev.pdf" finds its file), a list of what will be sent, and the
// upload itself with a progress line. Without this script the form still posts files and zips.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  var zone = document.getElementById("dropzone");
  var list = document.getElementById("chosen");
  var filesInput = document.getElementById("files");
  var folderInput = document.getElementById("folder");
  var dropped = [];  // {file, path}

  function chosen() {
    var out = [], i;
    for (i = 0; i < filesInput.files.length; i++) out.push({file: filesInput.files[i], path: filesInput.files[i].name});
    for (i = 0; i < folderInput.files.length; i++) {
      var f = folderInput.files[i];
      out.push({file: f, path: f.webkitRelativePath || f.name});
    }
    return out.concat(dropped);
  }
  var readable = /\.(pdf|docx|txt|doc|docm|odt|rtf|zip|csv|md|json)$/i;  // csv/md/json beside theses are skipped, not refused
  function render() {
    var items = chosen();
    list.textContent = "";
    items.forEach(function (item) {
      var li = document.createElement("li");
      li.textContent = item.path + " (" + Math.ceil(item.file.size / 1024) + " KiB)";
      if (!readable.test(item.path)) {  // named at once; the review page gives the reason too
        li.className = "unsupported";
        li.textContent += " — " + list.getAttribute("data-unsupported");
      }
      list.appendChild(li);
    });
  }
  function walk(entry, prefix) {
    return new Promise(function (resolve) {
      if (entry.isFile) {
        entry.file(function (file) { dropped.push({file: file, path: prefix + file.name}); resolve(); }, resolve);
      } else if (entry.isDirectory) {
        var reader = entry.createReader(), children = [];
        (function more() {  // readEntries returns at most 100 entries a call
          reader.readEntries(function (batch) {
            if (!batch.length) {
              Promise.all(children.map(function (c) { return walk(c, prefix + entry.name + "/"); })).then(resolve);
            } else { children = children.concat(Array.prototype.slice.call(batch)); more(); }
          }, resolve);
        })();
      } else resolve();
    });
  }
  zone.addEventListener("dragover", function (ev) { ev.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", function () { zone.classList.remove("over"); });
  zone.addEventListener("drop", function (ev) {
    ev.preventDefault();
    zone.classList.remove("over");
    var items = ev.dataTransfer.items, walks = [];
    for (var i = 0; i < items.length; i++) {
      var entry = items[i].webkitGetAsEntry ? items[i].webkitGetAsEntry() : null;
      if (entry) walks.push(walk(entry, ""));
      else if (items[i].getAsFile()) dropped.push({file: items[i].getAsFile(), path: items[i].getAsFile().name});
    }
    Promise.all(walks).then(render);
  });
  filesInput.addEventListener("change", render);
  folderInput.addEventListener("change", render);

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var data = new FormData();
    var fields = form.elements;
    for (var i = 0; i < fields.length; i++) {
      var el = fields[i];
      if (!el.name || el.type === "file" || el.disabled) continue;
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) continue;
      data.append(el.name, el.value);
    }
    chosen().forEach(function (item) { data.append("files", item.file); data.append("paths", item.path); });
    var csv = document.getElementById("metadata");
    if (csv.files.length) data.append("metadata", csv.files[0]);
    var button = document.getElementById("upload-button");
    button.disabled = true;
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) button.textContent = Math.round(100 * e.loaded / e.total) + "%";
    });
    xhr.addEventListener("load", function () {
      if (xhr.status === 200 && xhr.responseURL && xhr.responseURL.indexOf("/upload/") >= 0 &&
          !/\/upload\/$/.test(xhr.responseURL.split("?")[0])) {
        window.location.assign(xhr.responseURL);  // the review page of the staged batch
        return;
      }
      document.open(); document.write(xhr.responseText); document.close();  // the form with its error
    });
    xhr.addEventListener("error", function () { button.disabled = false; button.textContent = "!"; });
    xhr.send(data);
  });
})();
