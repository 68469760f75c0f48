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
