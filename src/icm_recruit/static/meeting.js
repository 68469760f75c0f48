// Meeting page: the chair's statement is never lost. A copy of what is typed stays in this
// browser until the server has it; when the live part of the page is refreshed while the
// chair types, the typing is put back; after an expired page or session, it is offered.
(function () {
  "use strict";
  // A swap copies settling attributes of the old box onto the new one; a style attribute
  // set there would be refused by the page's CSP.
  if (window.htmx) { htmx.config.attributesToSettle = ["class", "width", "height"]; }
  var dirty = {};  // form key -> true while typed text is not recorded

  function formOf(root) { return (root || document).querySelector("form[data-keep]"); }
  function keyOf(form) { return "icm-meeting:" + form.getAttribute("data-keep"); }

  function values(form) {
    var data = {};
    form.querySelectorAll("textarea, input[type=number], input[type=text], input[type=radio]:checked")
      .forEach(function (el) { if (el.name !== "csrf_token") { data[el.name] = el.value; } });
    return data;
  }

  function apply(form, data) {
    Object.keys(data).forEach(function (name) {
      form.querySelectorAll("[name='" + name + "']").forEach(function (el) {
        if (el.type === "radio") { el.checked = el.value === data[name]; } else { el.value = data[name]; }
      });
    });
  }

  function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  function read(form) {
    try { return JSON.parse(window.localStorage.getItem(keyOf(form)) || "null"); } catch (e) { return null; }
  }

  function setUp(form) {
    if (!form || form.dataset.ready) { return; }
    form.dataset.ready = "1";
    var key = form.getAttribute("data-keep");
    var stored = read(form);
    var saved = Date.parse(form.getAttribute("data-saved-at") || "") || 0;
    if (stored && dirty[key] && !same(stored.data, values(form))) {
      apply(form, stored.data);  // the page refreshed under the chair's fingers
    } else if (stored && !same(stored.data, values(form)) && stored.at > saved) {
      var banner = form.querySelector("#record-restore");
      if (banner) {
        banner.hidden = false;
        banner.querySelector("button").addEventListener("click", function () {
          apply(form, stored.data);
          banner.hidden = true;
          dirty[key] = true;
        });
      }
    } else if (stored) {
      try { window.localStorage.removeItem(keyOf(form)); } catch (e) { /* nothing kept */ }
      dirty[key] = false;
    }
    form.addEventListener("input", function () {
      dirty[key] = true;
      try {
        window.localStorage.setItem(keyOf(form), JSON.stringify({at: Date.now(), data: values(form)}));
      } catch (e) { /* storage full or disabled: the server-side paths still apply */ }
    });
    form.addEventListener("submit", function () { dirty[key] = false; });
  }

  // While the chair types, a refresh that shows the same item again is not applied: the
  // typing and the cursor stay. Another item (the pointer moved) is shown at once.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var form = formOf();
    if (!form || !event.detail.target || event.detail.target.id !== "live") { return; }
    var key = form.getAttribute("data-keep");
    var text = event.detail.serverResponse || "";
    if (dirty[key] && text.indexOf('data-keep="' + key + '"') !== -1) {
      event.detail.shouldSwap = false;
    }
  });

  // A refresh that was sent to the sign-in page (the session ended) or refused is never
  // put in the page; the member is told to reload instead.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (!event.detail.target || event.detail.target.id !== "live") { return; }
    var xhr = event.detail.xhr;
    var asked = new URL(event.detail.requestConfig.path, window.location.href).pathname;
    var landed = xhr.responseURL ? new URL(xhr.responseURL).pathname : asked;
    if (xhr.status === 204) { return; }
    if (xhr.status !== 200 || landed !== asked) {
      event.detail.shouldSwap = false;
      var notice = document.getElementById("live-problem");
      if (notice) { notice.hidden = false; }
    }
  });

  setUp(formOf());
  document.body.addEventListener("htmx:afterSettle", function () { setUp(formOf()); });
})();
