// The application's text is never lost: it is saved as a draft while the applicant types
// (2 s after the last keystroke and when a field is left), and a copy stays on this device
// until the server has it, to be offered back after an expired session or page.
(function () {
  "use strict";

  var form = document.getElementById("dossier-form");
  if (!form || !window.htmx || !window.localStorage) { return; }
  // A swap copies settling attributes of the old box onto the new one; a style attribute
  // set there by a script would be refused by the page's CSP.
  htmx.config.attributesToSettle = ["class", "width", "height"];
  var status = function () { return document.getElementById("draft-status"); };
  var key = "icm-draft-" + form.dataset.application;
  var draftUrl = form.dataset.draftUrl;
  var timer = null;
  var edits = 0;       // keystrokes so far
  var savedEdits = 0;  // keystrokes the server has
  var saving = null;   // the autosave in flight, a promise

  function textFields() {
    return Array.prototype.filter.call(form.elements, function (field) {
      return field.name && field.name !== "csrf_token" && field.type !== "file" &&
        field.type !== "submit" && field.form === form && field.closest("#dossier-form");
    });
  }

  function values() {
    var copy = {};
    textFields().forEach(function (field) { copy[field.name] = field.value; });
    return copy;
  }

  function sameAsPage(copy) {
    return textFields().every(function (field) {
      return !(field.name in copy) || copy[field.name] === field.value;
    });
  }

  function keepCopy() {
    try {
      localStorage.setItem(key, JSON.stringify({at: Date.now(), fields: values()}));
    } catch (ignored) { /* storage full or disabled: the autosave still runs */ }
  }

  function readCopy() {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (ignored) { return null; }
  }

  function forgetCopy() {
    try { localStorage.removeItem(key); } catch (ignored) { /* nothing kept */ }
  }

  function say(text, tone) {
    var line = status();
    if (!line) { return; }
    line.textContent = "";
    var span = document.createElement("span");
    span.className = tone ? "text-" + tone : "";
    span.textContent = text;
    line.appendChild(span);
  }

  // Why a request did not save, read from its answer.
  function failure(xhr, path) {
    if (!xhr || xhr.status === 0) { return form.dataset.unreachable; }
    var landed = xhr.responseURL ? new URL(xhr.responseURL).pathname : path;
    if (landed !== path) { return form.dataset.signedOut; }  // sent to the sign-in page
    if (xhr.status === 400) { return form.dataset.expired; }
    return form.dataset.refused;
  }

  function save() {
    window.clearTimeout(timer);
    timer = null;
    if (edits === savedEdits) { return saving || Promise.resolve(); }
    if (saving) { return saving.then(save); }
    var upTo = edits;
    say(form.dataset.saving, "body-secondary");
    saving = htmx.ajax("POST", draftUrl, {source: form, target: "#draft-status",
                                          swap: "innerHTML"})
      .then(function () {
        saving = null;
        if (form.dataset.lastSaveOk === "1") {
          savedEdits = upTo;
          if (edits === savedEdits) { forgetCopy(); }
        }
      }, function () { saving = null; });
    return saving;
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, 2000);
  }

  form.addEventListener("input", function (event) {
    if (event.target.type === "file") { return; }
    edits += 1;
    keepCopy();
    later();
  });
  form.addEventListener("change", function (event) {
    if (event.target.tagName === "SELECT") { edits += 1; keepCopy(); later(); }
  });
  form.addEventListener("focusout", function () { if (edits !== savedEdits) { save(); } });

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.requestConfig.path === draftUrl) { form.dataset.lastSaveOk = "0"; }
  });

  // Answers: a saved draft or a refusal the server explains (409) go in the status line;
  // anything else (signed out, expired page, no network) is said here, the copy kept.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var path = event.detail.requestConfig.path;
    var xhr = event.detail.xhr;
    var landed = xhr.responseURL ? new URL(xhr.responseURL).pathname : path;
    if (path === draftUrl) {
      if (xhr.status === 200 && landed === path) {
        form.dataset.lastSaveOk = "1";
      } else if (xhr.status === 409) {
        event.detail.shouldSwap = true;
        event.detail.isError = false;
      } else {
        event.detail.shouldSwap = false;
        say(failure(xhr, path), "danger");
      }
    } else if (isDocuments(event.detail.target)) {
      if (xhr.status !== 200 || landed !== path) {
        event.detail.shouldSwap = false;
        event.detail.isError = false;
        documentsProblem(failure(xhr, path));
      }
    }
  });

  document.body.addEventListener("htmx:sendError", function (event) {
    var path = event.detail.requestConfig.path;
    if (path === draftUrl) { say(form.dataset.unreachable, "danger"); }
    else { documentsProblem(form.dataset.unreachable); }
  });

  function documentsProblem(text) {
    var box = document.getElementById("documents-notices");
    if (!box) { return; }
    box.textContent = "";
    var alert = document.createElement("div");
    alert.className = "alert alert-danger";
    alert.setAttribute("role", "alert");
    alert.textContent = form.dataset.fileNotSent + " " + text;
    box.appendChild(alert);
  }

  function isDocuments(target) {
    return Boolean(target && target.hasAttribute && target.hasAttribute("data-documents"));
  }

  // Uploads and removals in flight, so that leaving the page waits for them.
  var pendingDocuments = 0;
  var documentsDone = [];
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (isDocuments(event.detail.target)) { pendingDocuments += 1; }
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (!isDocuments(event.detail.target)) { return; }
    pendingDocuments = Math.max(0, pendingDocuments - 1);
    if (pendingDocuments === 0) {
      documentsDone.splice(0).forEach(function (resolve) { resolve(); });
    }
  });
  function documentsSettled() {
    if (pendingDocuments === 0) { return Promise.resolve(); }
    return new Promise(function (resolve) { documentsDone.push(resolve); });
  }

  // An upload or removal carries the text along and the server saves it first.
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var target = event.detail.target;
    if (isDocuments(target) && event.detail.successful) {
      var xhr = event.detail.xhr;
      var landed = xhr.responseURL ? new URL(xhr.responseURL).pathname
        : event.detail.requestConfig.path;
      if (landed === event.detail.requestConfig.path) {
        savedEdits = edits;
        forgetCopy();
      }
    }
  });

  // Another form of the page (referees, submission, language) leaves it: save the text
  // and let the uploads under way finish first.
  document.addEventListener("submit", function (event) {
    var other = event.target;
    if (other === form || other.dataset.afterDraft ||
        (edits === savedEdits && pendingDocuments === 0)) { return; }
    event.preventDefault();
    var submitter = event.submitter;
    Promise.all([save(), documentsSettled()]).then(function () {
      other.dataset.afterDraft = "1";
      if (other.requestSubmit) { other.requestSubmit(submitter || undefined); }
      else { other.submit(); }
      delete other.dataset.afterDraft;
    });
  });

  // Text typed here earlier and never saved (session or page expired, tab closed).
  function offerCopy(copy) {
    var box = document.createElement("div");
    box.className = "alert alert-warning d-flex flex-wrap align-items-center gap-2";
    box.setAttribute("role", "alert");
    box.id = "draft-restore";
    var when = new Date(copy.at).toLocaleString(document.documentElement.lang || undefined);
    var text = document.createElement("span");
    text.textContent = form.dataset.restoreText.replace("__TIME__", when);
    var restore = document.createElement("button");
    restore.type = "button";
    restore.className = "btn btn-sm btn-primary";
    restore.textContent = form.dataset.restoreLabel;
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "btn btn-sm btn-outline-dark";  // legible on the warning yellow
    discard.textContent = form.dataset.discardLabel;
    box.append(text, restore, discard);
    form.insertAdjacentElement("beforebegin", box);
    restore.addEventListener("click", function () {
      textFields().forEach(function (field) {
        if (field.name in copy.fields) { field.value = copy.fields[field.name]; }
      });
      box.remove();
      edits += 1;
      form.querySelectorAll("textarea[data-word-limit]").forEach(function (area) {
        area.dispatchEvent(new Event("input", {bubbles: true}));
      });
      save();
    });
    discard.addEventListener("click", function () { forgetCopy(); box.remove(); });
  }

  var copy = readCopy();
  if (form.dataset.filledFrom === "typed") {
    // The page shows text the server sent back without saving it all: keep it here too.
    keepCopy();
  } else if (copy && copy.fields) {
    if (sameAsPage(copy.fields)) { forgetCopy(); } else { offerCopy(copy); }
  }
}());
