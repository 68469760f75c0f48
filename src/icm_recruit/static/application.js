// Application form: live word counter for texts with a limit, and one click per submit.
(function () {
  "use strict";

  function countWords(text) {
    var words = text.trim().split(/\s+/);
    return words[0] === "" ? 0 : words.length;
  }

  document.querySelectorAll("textarea[data-word-limit]").forEach(function (area) {
    var limit = parseInt(area.getAttribute("data-word-limit"), 10);
    var counter = document.getElementById(area.getAttribute("aria-describedby"));
    if (!counter) { return; }
    var template = counter.getAttribute("data-template");
    function update() {
      var n = countWords(area.value);
      counter.textContent = template.replace("__N__", n).replace("__LIMIT__", limit);
      counter.classList.toggle("over", n > limit);
    }
    area.addEventListener("input", update);
    update();
  });

  // A second click while the first submission travels would only be refused by the server.
  document.querySelectorAll("button[data-once]").forEach(function (button) {
    var form = button.form;
    if (!form) { return; }
    form.addEventListener("submit", function () {
      window.setTimeout(function () { button.disabled = true; }, 0);
    });
  });
}());
