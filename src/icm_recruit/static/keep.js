// Text typed in a form marked data-keep-copy is never lost to an expired session or page:
// a copy stays in this browser (data-keep-store="session": this tab only) while the user
// types, and when the page comes back without it, a banner in the form, or the element
// named by data-restore-banner, offers to put it back. The server's copy, once it matches,
// makes the browser forget its own.
(function () {
  "use strict";

  function storeOf(form) {
    try {
      return form.getAttribute("data-keep-store") === "session" ? window.sessionStorage
        : window.localStorage;
    } catch (e) { return null; }
  }

  function values(form) {
    var data = {};
    form.querySelectorAll("textarea, input[type=text], input[type=number], input[type=radio]:checked")
      .forEach(function (el) { if (el.name && el.name !== "csrf_token") { data[el.name] = el.value; } });
    return data;
  }

  function apply(form, data) {
    Object.keys(data).forEach(function (name) {
      form.querySelectorAll("[name='" + name + "']").forEach(function (el) {
        if (el.type === "radio") { el.checked = el.value === data[name]; } else { el.value = data[name]; }
        el.dispatchEvent(new Event("input", {bubbles: true}));
      });
    });
  }

  function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  document.querySelectorAll("form[data-keep-copy]").forEach(function (form) {
    var store = storeOf(form);
    if (!store) { return; }
    var key = "icm-keep:" + form.getAttribute("data-keep-copy");
    var saved = Date.parse(form.getAttribute("data-saved-at") || "") || 0;
    var bannerId = form.getAttribute("data-restore-banner");
    var banner = bannerId ? document.getElementById(bannerId) : form.querySelector("[data-restore]");
    var stored = null;
    try { stored = JSON.parse(store.getItem(key) || "null"); } catch (e) { stored = null; }
    if (stored && same(stored.data, values(form))) {
      store.removeItem(key);
    } else if (stored && stored.at > saved && banner) {
      banner.hidden = false;
      banner.querySelector("button").addEventListener("click", function () {
        apply(form, stored.data);
        banner.hidden = true;
      });
    }
    var timer = null;
    form.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        try {
          store.setItem(key, JSON.stringify({at: Date.now(), data: values(form)}));
        } catch (e) { /* storage full or disabled: the server-side paths still apply */ }
      }, 300);
    });
  });
}());
