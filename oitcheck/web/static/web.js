// oitcheck web: live progress of a check (polls its progress endpoint; no other script).
(function () {
  "use strict";
  var box = document.getElementById("progress");
  if (!box || box.getAttribute("data-state") === "done") { return; }
  var url = box.getAttribute("data-url");
  function set(id, value) {
    var el = document.getElementById(id);
    if (el && value !== null && value !== undefined) { el.textContent = String(value); }
  }
  function tick() {
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (p) {
        if (!p) { return; }
        set("state", p.state_words);
        set("pages", p.pages);
        set("documents", p.documents);
        set("items-found", p.items_found);
        set("items", p.items);
        var bar = document.getElementById("bar");
        if (bar && p.items) { bar.max = p.items; bar.value = p.items_found || 0; }
        box.setAttribute("data-state", p.state);
        var note = document.getElementById("queued-note");
        if (note) { note.hidden = p.state !== "queued"; }
        if (p.state === "done") { window.location.reload(); return; }
        setTimeout(tick, 1000);
      })
      .catch(function () { setTimeout(tick, 3000); });
  }
  setTimeout(tick, 500);
})();
