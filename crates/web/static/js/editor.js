// The article editor's live preview: sends the body (Markdown or HTML) to the server
// (which renders and sanitizes it) a moment after typing stops. Without
// JavaScript the Preview button does the same with a page load.
(function () {
  "use strict";
  var body = document.querySelector("textarea[data-preview]");
  if (!body) return;
  var target = document.getElementById(body.getAttribute("data-preview"));
  var form = body.form;
  var token = form && form.querySelector("input[name=_csrf]");
  if (!target || !token) return;
  var timer = null;
  var sent = 0;
  function refresh() {
    var ticket = ++sent;
    var data = new URLSearchParams();
    data.set("_csrf", token.value);
    data.set("body", body.value);
    var format = form.querySelector("select[name=body_format]");
    if (format) data.set("body_format", format.value);
    fetch("/newsroom/preview", { method: "POST", body: data, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) { if (ticket === sent) target.innerHTML = html; })
      .catch(function () { /* the Preview button still works */ });
  }
  body.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
  var formatSelect = form.querySelector("select[name=body_format]");
  if (formatSelect) formatSelect.addEventListener("change", refresh);
  if (body.value.trim() !== "") refresh();
})();
