// Review form: keep a copy of what the member types in this tab (sessionStorage), and offer
// it back if the page comes back without it (expired session, browser restored the tab).
(function () {
  "use strict";
  var form = document.querySelector("form[data-review-key]");
  if (!form) { return; }
  var key = "icm-review:" + form.getAttribute("data-review-key");
  var serverTime = Date.parse(form.getAttribute("data-saved-at") || "") || 0;
  var banner = document.getElementById("review-restore");

  function values() {
    var data = {};
    form.querySelectorAll("textarea, input[type=radio]:checked").forEach(function (el) {
      data[el.name] = el.value;
    });
    return data;
  }

  function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  function apply(data) {
    Object.keys(data).forEach(function (name) {
      form.querySelectorAll("[name='" + name + "']").forEach(function (el) {
        if (el.type === "radio") { el.checked = el.value === data[name]; } else { el.value = data[name]; }
      });
    });
  }

  var stored = null;
  try { stored = JSON.parse(window.sessionStorage.getItem(key) || "null"); } catch (e) { stored = null; }
  if (stored && !same(stored.data, values()) && stored.at > serverTime && banner) {
    banner.hidden = false;
    banner.querySelector("button").addEventListener("click", function () {
      apply(stored.data);
      banner.hidden = true;
    });
  } else if (stored && same(stored.data, values())) {
    window.sessionStorage.removeItem(key);
  }

  var timer = null;
  form.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      try {
        window.sessionStorage.setItem(key, JSON.stringify({at: Date.now(), data: values()}));
      } catch (e) { /* storage full or disabled: the server-side paths still apply */ }
    }, 400);
  });
})();
