// Send the CSRF token with every htmx request.
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) { event.detail.headers["X-CSRFToken"] = meta.content; }
});

// Refuse a file above its size limit before it is sent: the server would answer 413
// and the page, with everything typed on it, would be left behind.
document.addEventListener("change", function (event) {
  var input = event.target;
  if (!input.matches || !input.matches('input[type="file"][data-max-bytes]')) { return; }
  var limit = parseInt(input.dataset.maxBytes, 10);
  var file = input.files && input.files[0];
  var note = document.getElementById(input.id + "-size");
  if (note) { note.remove(); }
  input.setCustomValidity("");
  input.classList.remove("is-invalid");
  if (file && file.size > limit) {
    var message = document.createElement("div");
    message.id = input.id + "-size";
    message.className = "invalid-feedback d-block";
    message.setAttribute("role", "alert");
    message.textContent = input.dataset.tooLarge;
    input.classList.add("is-invalid");
    input.setCustomValidity(input.dataset.tooLarge);
    input.value = "";
    input.insertAdjacentElement("afterend", message);
  }
});

// Tables of rows stacked on a phone show each cell's column name, taken from the header.
function labelStackedCells(root) {
  root.querySelectorAll("table.table-stack").forEach(function (table) {
    var headers = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.querySelector(".visually-hidden") && th.textContent.trim() ===
        th.querySelector(".visually-hidden").textContent.trim() ? "" :
        th.textContent.replace(/[▲▼↑↓]/g, "").trim();
    });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, index) {
        if (headers[index] && cell.colSpan === 1) { cell.dataset.label = headers[index]; }
      });
    });
  });
}

// A table wider than its box scrolls inside it; keyboard users reach it with Tab.
function markScrollingTables(root) {
  root.querySelectorAll(".table-responsive").forEach(function (box) {
    var scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls && !box.hasAttribute("tabindex")) {
      box.setAttribute("tabindex", "0");
      box.dataset.madeFocusable = "1";
      if (!box.hasAttribute("role")) { box.setAttribute("role", "region"); }
      if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) {
        var section = box.closest("section");
        var heading = (section && section.querySelector("h2, h3")) ||
          document.querySelector("main h1");
        if (heading) { box.setAttribute("aria-label", heading.textContent.trim()); }
      }
    } else if (!scrolls && box.dataset.madeFocusable) {
      box.removeAttribute("tabindex");
      delete box.dataset.madeFocusable;
    }
  });
}

// A "select all" box in a table's header ticks every row of that table. It is hidden
// without JavaScript: rows are then ticked one by one (and pages that act on a whole
// filtered list say so on their confirmation step).
function wireSelectAll(root) {
  root.querySelectorAll("input[data-select-all]").forEach(function (box) {
    if (box.dataset.wired) { return; }
    box.dataset.wired = "1";
    box.hidden = false;
    var table = box.closest("table");
    function rows() {
      return Array.prototype.filter.call(
        table.querySelectorAll("tbody input[type=checkbox]"),
        function (row) { return !row.disabled; });
    }
    box.addEventListener("change", function () {
      rows().forEach(function (row) { row.checked = box.checked; });
    });
    table.addEventListener("change", function (event) {
      if (event.target === box || !event.target.matches("tbody input[type=checkbox]")) {
        return;
      }
      var all = rows();
      var ticked = all.filter(function (row) { return row.checked; }).length;
      box.checked = ticked > 0 && ticked === all.length;
      box.indeterminate = ticked > 0 && ticked < all.length;
    });
  });
}

function fitTables(root) {
  labelStackedCells(root);
  markScrollingTables(root);
  wireSelectAll(root);
}

document.addEventListener("DOMContentLoaded", function () { fitTables(document); });
window.addEventListener("resize", function () { markScrollingTables(document); });
document.addEventListener("htmx:load", function (event) { fitTables(event.detail.elt); });

// A job card polls while its job runs (hx-get). When the answer no longer polls, the job
// has ended: reload, so that its results replace the progress and the "being computed"
// notice shown when it started.
document.addEventListener("htmx:beforeSwap", function (event) {
  var card = event.detail.target;
  if (!card || !card.id || card.id.indexOf("job-") !== 0 || !card.hasAttribute("hx-get")) {
    return;
  }
  var answer = event.detail.xhr ? event.detail.xhr.responseText : "";
  if (event.detail.xhr.status === 200 && answer.indexOf("hx-get") === -1) {
    event.detail.shouldSwap = false;
    window.location.reload();
  }
});
