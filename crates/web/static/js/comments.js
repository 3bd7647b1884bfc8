// "Leave a Comment" without reloading the page. The form works without this
// script (a normal POST and a redirect); with it, the form is posted with
// fetch, asking for JSON, and the answer is shown in place: the new comment
// in the list, or what to fix at the form. Anything unexpected falls back to
// posting the form the ordinary way, so nothing typed is lost.
(function () {
  "use strict";
  var section = document.getElementById("leave-a-comment");
  if (!section || !window.fetch || !window.URLSearchParams || !window.FormData) return;
  var form = section.querySelector("form");
  var button = form && form.querySelector("button[type=submit]");
  if (!button) return;

  var notice = document.createElement("p");
  notice.hidden = true;
  notice.setAttribute("aria-live", "polite");
  form.parentNode.insertBefore(notice, form);

  function say(text, isError) {
    notice.textContent = text || "";
    notice.hidden = !text;
    notice.className = "comment-notice" + (isError ? " comment-notice--error" : "");
  }

  function clearErrors() {
    section.querySelectorAll(".field__error, .comment-notice--error").forEach(function (e) {
      if (e !== notice) e.remove();
    });
    section.querySelectorAll(".field--error").forEach(function (f) {
      f.classList.remove("field--error");
    });
    form.querySelectorAll("[aria-invalid]").forEach(function (input) {
      input.removeAttribute("aria-invalid");
      var described = (input.getAttribute("aria-describedby") || "")
        .split(" ")
        .filter(function (id) { return id && id.slice(-6) !== "-error"; })
        .join(" ");
      if (described) input.setAttribute("aria-describedby", described);
      else input.removeAttribute("aria-describedby");
    });
  }

  function showErrors(errors) {
    var first = null;
    Object.keys(errors || {}).forEach(function (name) {
      var input = form.elements[name];
      if (!input || !input.closest) return;
      var field = input.closest(".field");
      var p = document.createElement("p");
      p.className = "field__error";
      p.id = input.id + "-error";
      p.textContent = errors[name];
      if (field) {
        field.classList.add("field--error");
        field.appendChild(p);
      }
      input.setAttribute("aria-invalid", "true");
      var described = input.getAttribute("aria-describedby");
      input.setAttribute("aria-describedby", described ? described + " " + p.id : p.id);
      first = first || input;
    });
    if (first) first.focus();
  }

  function insert(data) {
    var comments = document.getElementById("comments");
    if (!data.html || !comments) return;
    var list = comments.querySelector(".comments__list");
    if (!list) {
      list = document.createElement("ol");
      list.className = "comments__list";
      var empty = comments.querySelector(".empty");
      if (empty) empty.replaceWith(list);
      else comments.appendChild(list);
    }
    var holder = document.createElement("template");
    holder.innerHTML = data.html.trim();
    var item = holder.content.firstElementChild;
    if (!item) return;
    item.classList.add("comment--new");
    list.appendChild(item);
    if (data.status === "approved") {
      var title = document.getElementById("comments-title");
      var n = title ? parseInt(title.textContent, 10) : NaN;
      if (!isNaN(n)) title.textContent = (n + 1) + " Comment" + (n + 1 === 1 ? "" : "s");
    }
    item.scrollIntoView({ block: "center" });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (button.disabled) return;
    clearErrors();
    say("");
    var label = button.textContent;
    button.disabled = true;
    button.textContent = "Posting…";
    var done = function () {
      button.disabled = false;
      button.textContent = label;
    };
    fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      headers: { Accept: "application/json" },
      credentials: "same-origin"
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) throw new Error("not a JSON answer");
        return response.json().then(function (data) {
          return { ok: response.ok, data: data };
        });
      })
      .then(function (answer) {
        done();
        if (!answer.ok) {
          say(answer.data.message || "Your comment was not posted.", true);
          showErrors(answer.data.errors);
          return;
        }
        insert(answer.data);
        form.elements.comment.value = "";
        // A reply is done; the next comment starts a new thread.
        var parent = form.elements.parent;
        if (parent) parent.remove();
        var replying = section.querySelector(".comment-form__replying");
        if (replying) replying.remove();
        say(answer.data.message, false);
      })
      .catch(function () {
        // The server sent a page (closed comments, an expired session...) or
        // the network failed: post the ordinary way and let the page explain.
        form.submit();
      });
  });
})();
