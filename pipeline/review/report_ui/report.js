/* The review report's script: act on the report, offline, and take the result away as corrections.csv.
 *
 * A reviewer's work (accepted suggestions, typed corrections, forms marked reviewed) is kept in
 * localStorage under the report's own path, so it survives closing the page. A form page opened
 * inside the report (an iframe) sends its edits to the report with postMessage; opened on its own,
 * it writes them to localStorage, which the report reads again when it gets the focus back.
 * Nothing here ever writes data into the page as markup: every value goes through textContent.
 */
(function () {
  "use strict";
  var HEADER = ["form_id", "field", "value", "note", "reviewer"];
  var CONFIRM_NOTE = "复核确认：与原件一致";
  var doc = document.documentElement;
  var root = doc.getAttribute("data-root") || "";
  var KEY = "zpef-review:" + new URL(root + "report.html", location.href).pathname;
  var isReport = document.body.classList.contains("report");
  var embedded = !isReport && window.parent !== window;
  if (embedded) { document.body.classList.add("embedded"); }

  function blank() { return { reviewer: "", edits: [], reviewed: {}, removed: {} }; }
  function load() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(KEY) || "null");
      if (saved && Array.isArray(saved.edits)) {
        saved.reviewed = saved.reviewed || {};
        saved.removed = saved.removed || {};
        saved.reviewer = saved.reviewer || "";
        return saved;
      }
    } catch (error) { /* storage unavailable or damaged: start empty */ }
    return blank();
  }
  var state = load();
  function save() {
    if (embedded) { return; }
    try { window.localStorage.setItem(KEY, JSON.stringify(state)); } catch (error) { /* private mode: the page still works */ }
  }
  function keyOf(form, field) { return form + "\t" + field; }
  function editIndex(form, field) {
    for (var i = 0; i < state.edits.length; i++) {
      if (state.edits[i].form === form && state.edits[i].field === field) { return i; }
    }
    return -1;
  }
  function editOf(form, field) { var i = editIndex(form, field); return i < 0 ? null : state.edits[i]; }

  function setEdit(form, field, value, note, kind) {
    if (embedded) { window.parent.postMessage({ zpef: "edit", form: form, field: field, value: value, note: note, kind: kind }, "*"); return; }
    var i = editIndex(form, field);
    var edit = { form: form, field: field, value: value, note: note || "", kind: kind, reviewer: state.reviewer };
    if (i >= 0) { state.edits[i] = edit; } else { state.edits.push(edit); }
    delete state.removed[keyOf(form, field)];
    changed();
  }
  function dropEdit(form, field) {
    if (embedded) { window.parent.postMessage({ zpef: "remove", form: form, field: field }, "*"); return; }
    var i = editIndex(form, field);
    if (i >= 0) { state.edits.splice(i, 1); }
    changed();
  }
  function changed() { save(); refresh(); tellFrames(); }

  // --- corrections.csv -------------------------------------------------------------------------
  function existingLines() {
    var node = document.getElementById("existing-lines");
    if (!node) { return []; }
    try { return JSON.parse(node.textContent) || []; } catch (error) { return []; }
  }
  var existing = isReport ? existingLines() : [];
  function confirmations(form) {
    var card = document.getElementById("review-" + form);
    if (!card) { return []; }
    try { return JSON.parse(card.getAttribute("data-confirm") || "[]"); } catch (error) { return []; }
  }
  /* Every line of the file to download: the current file's lines (an edit of the same value
   * replaces its line in place), then new edits, then confirmations of forms marked reviewed. */
  function lines() {
    var out = [], used = {};
    existing.forEach(function (line) {
      var key = keyOf(line.form_id, line.field);
      if (state.removed[key] || used[key]) { return; }
      var edit = editOf(line.form_id, line.field);
      out.push(edit ? fromEdit(edit) : { form_id: line.form_id, field: line.field, value: line.value, note: line.note, reviewer: line.reviewer, source: "existing" });
      used[key] = true;
    });
    state.edits.forEach(function (edit) {
      var key = keyOf(edit.form, edit.field);
      if (!used[key]) { out.push(fromEdit(edit)); used[key] = true; }
    });
    Object.keys(state.reviewed).sort().forEach(function (form) {
      if (!state.reviewed[form]) { return; }
      confirmations(form).forEach(function (pair) {
        var key = keyOf(form, pair[0]);
        if (!used[key]) { out.push({ form_id: form, field: pair[0], value: pair[1], note: CONFIRM_NOTE, reviewer: state.reviewer, source: "reviewed" }); used[key] = true; }
      });
    });
    return out;
  }
  function fromEdit(edit) {
    return { form_id: edit.form, field: edit.field, value: edit.value, note: edit.note, reviewer: edit.reviewer || state.reviewer, source: edit.kind };
  }
  function csvField(text) {
    text = text === null || text === undefined ? "" : String(text);
    return /[",\r\n]/.test(text) ? "\"" + text.replace(/"/g, "\"\"") + "\"" : text;
  }
  function csvText() {
    var rows = [HEADER.join(",")];
    lines().forEach(function (line) { rows.push(HEADER.map(function (name) { return csvField(line[name]); }).join(",")); });
    return "\ufeff" + rows.join("\r\n") + "\r\n";
  }
  function download() {
    var blob = new Blob([csvText()], { type: "text/csv;charset=utf-8" });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = "corrections.csv";
    document.body.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 2000);
  }

  // --- showing the state -----------------------------------------------------------------------
  var SOURCE_ZH = { existing: "现有文件", accepted: "接受建议", typed: "输入更正", confirmed: "确认无误", reviewed: "标记已复核" };
  function cellOf(text) { var td = document.createElement("td"); td.textContent = text; return td; }
  function renderPending() {
    var body = document.querySelector("#pending tbody");
    if (!body) { return; }
    var fragment = document.createDocumentFragment();
    lines().forEach(function (line) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-form", line.form_id);
      tr.setAttribute("data-field", line.field);
      HEADER.forEach(function (name) { tr.appendChild(cellOf(line[name])); });
      tr.appendChild(cellOf(SOURCE_ZH[line.source] || line.source));
      var td = document.createElement("td");
      if (line.source !== "reviewed") {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "remove-line";
        button.textContent = line.source === "existing" ? "删除此行" : "撤销";
        td.appendChild(button);
      }
      tr.appendChild(td);
      fragment.appendChild(tr);
    });
    body.textContent = "";
    body.appendChild(fragment);
  }
  function refresh() {
    if (isReport) {
      renderPending();
      var values = document.querySelectorAll("figure.value[data-ptr]");
      for (var i = 0; i < values.length; i++) {
        var figure = values[i];
        var edit = editOf(figure.getAttribute("data-form"), figure.getAttribute("data-ptr"));
        figure.querySelector(".state").textContent = edit ? "将写入 corrections.csv：" + edit.value + (edit.note ? "（" + edit.note + "）" : "") : "";
        figure.querySelector(".undo").hidden = !edit;
        figure.classList.toggle("edited", !!edit);
      }
      var accepts = document.querySelectorAll(".accept-suggestion, .accept-candidate");
      for (var j = 0; j < accepts.length; j++) {
        var button = accepts[j];
        var pointers = JSON.parse(button.getAttribute("data-pointers"));
        var value = button.getAttribute("data-value");
        var done = pointers.every(function (p) { var e = editOf(button.getAttribute("data-form"), p); return e && e.value === value; });
        button.textContent = done ? "已接受" : (button.classList.contains("accept-candidate") ? "采用" : "接受建议");
        button.closest(".suggestion").classList.toggle("accepted", done && button.classList.contains("accept-suggestion"));
      }
      var cards = document.querySelectorAll("section.card[data-form]");
      var reviewed = 0;
      for (var k = 0; k < cards.length; k++) {
        var id = cards[k].getAttribute("data-form");
        var on = !!state.reviewed[id];
        reviewed += on ? 1 : 0;
        cards[k].classList.toggle("is-reviewed", on);
        var mark = cards[k].querySelector(".mark-reviewed");
        if (mark.getAttribute("aria-pressed") !== String(on)) {
          mark.setAttribute("aria-pressed", String(on));
          mark.firstChild.textContent = on ? "✓ 已复核 " : "标记已复核 ";
        }
      }
      var marks = document.querySelectorAll("#forms tbody tr");
      for (var m = 0; m < marks.length; m++) {
        marks[m].querySelector(".reviewed-mark").textContent = state.reviewed[marks[m].getAttribute("data-form")] ? "✓" : "";
      }
      var progress = document.getElementById("progress");
      if (progress) { progress.textContent = "已复核 " + reviewed + " / " + cards.length + " 张 · 待写入 " + lines().length + " 行"; }
      var reviewer = document.getElementById("reviewer");
      if (reviewer && document.activeElement !== reviewer) { reviewer.value = state.reviewer; }
      applyFilters();
    }
    markCells(document);
  }
  function markCells(scope) {
    var main = scope.querySelector("main.formpage");
    if (!main) { return; }
    var form = main.getAttribute("data-form");
    var cells = scope.querySelectorAll(".editable[data-ptr]");
    for (var i = 0; i < cells.length; i++) {
      var cell = cells[i];
      var edit = editOf(form, cell.getAttribute("data-ptr"));
      var shown = cell.querySelector(".new");
      if (edit && !shown) { shown = document.createElement("span"); shown.className = "new"; cell.appendChild(shown); }
      if (shown) { shown.textContent = edit ? "→ " + edit.value : ""; }
      cell.classList.toggle("edited", !!edit);
    }
  }

  // --- filters and sorting ---------------------------------------------------------------------
  function value(id) { var node = document.getElementById(id); return node ? node.value : ""; }
  function applyFilters() {
    var text = document.getElementById("filter-text");
    if (!text) { return; }
    var words = text.value.trim().toLowerCase();
    var status = value("filter-status"), rule = value("filter-rule"), template = value("filter-template");
    var year = value("filter-year"), unit = value("filter-unit");
    var onlyOpen = document.getElementById("filter-unreviewed").checked;
    var items = document.querySelectorAll(".filterable");
    var shown = 0, total = 0;
    for (var i = 0; i < items.length; i++) {
      var item = items[i];
      var hay = (item.getAttribute("data-file") + " " + item.getAttribute("data-code") + " " + item.getAttribute("data-text") + " " + item.getAttribute("data-unit")).toLowerCase();
      var ok = (!words || hay.indexOf(words) >= 0)
        && (!status || item.getAttribute("data-status") === status)
        && (!rule || (" " + item.getAttribute("data-rules") + " ").indexOf(" " + rule + " ") >= 0)
        && (!template || item.getAttribute("data-template") === template)
        && (!year || item.getAttribute("data-year") === year)
        && (!unit || item.getAttribute("data-unit") === unit)
        && (!onlyOpen || !state.reviewed[item.getAttribute("data-form")]);
      item.hidden = !ok;
      if (item.parentNode.closest("#forms")) { total += 1; shown += ok ? 1 : 0; }
    }
    document.getElementById("filter-count").textContent = "显示 " + shown + " / " + total + " 张表";
  }
  function sortBy(header) {
    var table = header.closest("table");
    var index = Array.prototype.indexOf.call(header.parentNode.children, header);
    var numeric = header.getAttribute("data-sort") === "num";
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var headers = header.parentNode.children;
    for (var i = 0; i < headers.length; i++) { headers[i].removeAttribute("aria-sort"); }
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var keyed = rows.map(function (row, n) {
      var text = row.cells[index].textContent.trim();
      var number = parseFloat(text);
      return { row: row, n: n, key: numeric ? (isNaN(number) ? -Infinity : number) : text };
    });
    keyed.sort(function (a, b) {
      var order = numeric ? a.key - b.key : a.key.localeCompare(b.key, "zh-CN");
      return (ascending ? order : -order) || a.n - b.n;
    });
    var fragment = document.createDocumentFragment();
    keyed.forEach(function (item) { fragment.appendChild(item.row); });
    body.appendChild(fragment);
  }

  // --- the editor dialog (form pages and the report) -------------------------------------------
  var editing = null;
  /* One editor for every value: a cell of a form page, or a value card of the report. */
  function openEditor(cell) {
    var dialog = document.getElementById("editor");
    var main = cell.closest("main.formpage");
    var form = cell.getAttribute("data-form") || (main ? main.getAttribute("data-form") : null);
    if (!dialog || !form || typeof dialog.showModal !== "function") { return; }
    var field = cell.getAttribute("data-ptr");
    var edit = editOf(form, field);
    editing = { form: form, field: field, read: cell.getAttribute("data-read"), suggested: cell.getAttribute("data-suggested"), note: cell.getAttribute("data-note") };
    var row = cell.closest("tr");
    var heading = row ? row.querySelector("th") : null;
    dialog.querySelector(".editor-label").textContent = cell.getAttribute("data-label") || (heading ? heading.textContent : "");
    dialog.querySelector(".editor-ptr").textContent = field;
    dialog.querySelector(".editor-read").textContent = editing.read || "（空）";
    dialog.querySelector("input[name=value]").value = edit ? edit.value : (editing.read || "");
    dialog.querySelector("input[name=note]").value = edit ? edit.note : "";
    dialog.querySelector(".remove").hidden = !edit;
    dialog.showModal();
  }
  function closeEditor(event) {
    var dialog = event.target;
    if (!editing) { return; }
    var valueText = dialog.querySelector("input[name=value]").value.trim();
    var note = dialog.querySelector("input[name=note]").value.trim();
    if (dialog.returnValue === "save" && valueText) {
      var kind = valueText === editing.suggested ? "accepted" : valueText === editing.read ? "confirmed" : "typed";
      setEdit(editing.form, editing.field, valueText, note || (kind === "accepted" ? editing.note : kind === "confirmed" ? CONFIRM_NOTE : ""), kind);
    } else if (dialog.returnValue === "remove") {
      dropEdit(editing.form, editing.field);
    }
    editing = null;
  }

  // --- frames: a form page inside the report ---------------------------------------------------
  function frames() { return Array.prototype.slice.call(document.querySelectorAll("details.whole iframe")); }
  function tellFrames() {
    if (!isReport) { return; }
    frames().forEach(function (frame) { sendState(frame.contentWindow, frame.getAttribute("data-form")); });
  }
  function sendState(target, form) {
    if (!target) { return; }
    var edits = state.edits.filter(function (e) { return e.form === form; });
    target.postMessage({ zpef: "state", edits: edits }, "*");
  }
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || typeof data !== "object" || typeof data.zpef !== "string") { return; }
    if (isReport) {
      var frame = frames().filter(function (f) { return f.contentWindow === event.source; })[0];
      if (!frame) { return; }
      var form = frame.getAttribute("data-form");
      if (data.zpef === "hello") { sendState(event.source, form); }
      if (data.zpef === "edit" && data.form === form) { setEdit(form, String(data.field), String(data.value), String(data.note || ""), String(data.kind || "typed")); }
      if (data.zpef === "remove" && data.form === form) { dropEdit(form, String(data.field)); }
    } else if (embedded && event.source === window.parent && data.zpef === "state" && Array.isArray(data.edits)) {
      state.edits = data.edits;
      refresh();
    }
  });

  // --- events ----------------------------------------------------------------------------------
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target.closest) { return; }
    var button = target.closest("button");
    var figure = button ? button.closest("figure.value[data-ptr]") : null;
    if (figure) {
      var id = figure.getAttribute("data-form"), field = figure.getAttribute("data-ptr");
      if (button.classList.contains("accept-one")) {
        setEdit(id, field, figure.getAttribute("data-suggested"), figure.getAttribute("data-note"), "accepted");
      } else if (button.classList.contains("confirm-one")) {
        setEdit(id, field, figure.getAttribute("data-read"), CONFIRM_NOTE, "confirmed");
      } else if (button.classList.contains("edit-open")) {
        openEditor(figure);
      } else if (button.classList.contains("undo")) {
        dropEdit(id, field);
      }
      return;
    }
    if (button && (button.classList.contains("accept-suggestion") || button.classList.contains("accept-candidate"))) {
      acceptSuggestion(button);
      return;
    }
    if (button && button.classList.contains("accept-rule")) {
      var rule = button.getAttribute("data-rule");
      var all = document.querySelectorAll(".accept-suggestion");
      for (var i = 0; i < all.length; i++) {
        if (all[i].getAttribute("data-rule") === rule) { acceptSuggestion(all[i], true); }
      }
      changed();
      return;
    }
    if (button && button.id === "download") { download(); return; }
    if (button && button.classList.contains("mark-reviewed")) {
      var card = button.closest("section.card").getAttribute("data-form");
      if (state.reviewed[card]) { delete state.reviewed[card]; } else { state.reviewed[card] = true; }
      changed();
      return;
    }
    if (button && button.classList.contains("remove-line")) {
      var row = button.closest("tr");
      var key = keyOf(row.getAttribute("data-form"), row.getAttribute("data-field"));
      var at = editIndex(row.getAttribute("data-form"), row.getAttribute("data-field"));
      if (at >= 0) { state.edits.splice(at, 1); } else { state.removed[key] = true; }
      changed();
      return;
    }
    var header = target.closest("table.sortable th");
    if (header) { sortBy(header); return; }
    var cell = target.closest(".editable[data-ptr]");
    if (cell) { openEditor(cell); }
  });
  function acceptSuggestion(button, quiet) {
    var form = button.getAttribute("data-form"), value = button.getAttribute("data-value"), note = button.getAttribute("data-note");
    JSON.parse(button.getAttribute("data-pointers")).forEach(function (pointer) {
      var i = editIndex(form, pointer);
      var edit = { form: form, field: pointer, value: value, note: note, kind: "accepted", reviewer: state.reviewer };
      if (i >= 0) { state.edits[i] = edit; } else { state.edits.push(edit); }
    });
    if (!quiet) { changed(); }
  }
  document.addEventListener("keydown", function (event) {
    var cell = event.key === "Enter" && event.target.closest ? event.target.closest(".editable[data-ptr]") : null;
    if (cell) { event.preventDefault(); openEditor(cell); }
  });
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.closest && target.closest("#filters")) {
      applyFilters();
    }
  });
  document.addEventListener("input", function (event) {
    if (event.target.id === "filter-text") { applyFilters(); }
    if (event.target.id === "reviewer") { state.reviewer = event.target.value.trim(); save(); }
  });
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (!details.classList || !details.classList.contains("whole") || !details.open || details.querySelector("iframe")) { return; }
    var frame = document.createElement("iframe");
    frame.setAttribute("data-form", details.closest("section.card").getAttribute("data-form"));
    frame.title = "整张表";
    frame.src = details.getAttribute("data-src");
    details.appendChild(frame);
  }, true);
  var dialog = document.getElementById("editor");
  if (dialog) { dialog.addEventListener("close", closeEditor); }
  ["mouseover", "mouseout"].forEach(function (kind) {
    document.addEventListener(kind, function (event) {
      var node = event.target.closest ? event.target.closest("td[data-ptr], rect[data-ptr]") : null;
      if (!node) { return; }
      var pointer = node.getAttribute("data-ptr");
      var same = document.querySelectorAll("[data-ptr]");
      for (var i = 0; i < same.length; i++) {
        if (same[i].getAttribute("data-ptr") === pointer && same[i].closest(".formpage")) { same[i].classList.toggle("hl", kind === "mouseover"); }
      }
    });
  });
  if (!embedded) {
    window.addEventListener("storage", function (event) { if (event.key === KEY) { state = load(); refresh(); tellFrames(); } });
    window.addEventListener("focus", function () { var fresh = load(); if (JSON.stringify(fresh) !== JSON.stringify(state)) { state = fresh; refresh(); tellFrames(); } });
  }
  if (embedded) { window.parent.postMessage({ zpef: "hello" }, "*"); }
  refresh();
  doc.setAttribute("data-ready", "1");
})();
