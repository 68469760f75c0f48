// Agenda page: drag an item to its place within its group (mouse). The arrow buttons stay
// for the keyboard, screen readers and touch screens. Dropping sends the group's new order
// through the page's hidden form; the server refuses an order made on a stale page.
(function () {
  "use strict";
  var dragged = null;

  function send(list) {
    var form = document.querySelector("form[data-agenda-order='" + list.dataset.agendaGroup + "']");
    if (!form) { return; }
    form.querySelectorAll("input[name=item_id]").forEach(function (el) { el.remove(); });
    list.querySelectorAll("li[data-item-id]").forEach(function (li) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "item_id";
      input.value = li.dataset.itemId;
      form.appendChild(input);
    });
    form.submit();
  }

  document.querySelectorAll("ol[data-agenda-group]").forEach(function (list) {
    var before = null;
    list.addEventListener("dragstart", function (event) {
      var li = event.target.closest("li[data-item-id]");
      if (!li) { return; }
      dragged = li;
      before = Array.prototype.map.call(list.querySelectorAll("li[data-item-id]"),
                                        function (el) { return el.dataset.itemId; }).join(",");
      li.classList.add("opacity-50");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", li.dataset.itemId);
    });
    list.addEventListener("dragover", function (event) {
      if (!dragged || dragged.parentNode !== list) { return; }
      event.preventDefault();
      var over = event.target.closest("li");
      if (!over || over === dragged || over.parentNode !== list) { return; }
      var box = over.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      list.insertBefore(dragged, after ? over.nextSibling : over);
    });
    list.addEventListener("drop", function (event) { event.preventDefault(); });
    list.addEventListener("dragend", function () {
      if (!dragged) { return; }
      dragged.classList.remove("opacity-50");
      dragged = null;
      var now = Array.prototype.map.call(list.querySelectorAll("li[data-item-id]"),
                                         function (el) { return el.dataset.itemId; }).join(",");
      if (now !== before) { send(list); }
    });
  });
})();
