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

// The article form as a writer expects it: Enter in a one-line field never
// submits (without JavaScript the form's first, disabled button does the
// same), Ctrl/Cmd+S saves, leaving with unsaved changes asks first, and a
// save that changes what readers see asks to be confirmed.
// A body edited live (the rich editor's host says data-live-state, anything
// but "off") is saved as it is typed, so its changes alone do not make the
// form dirty; leaving still asks while some of them have not left the
// browser (pending, or offline with changes kept). So are the form's shared
// fields (data-live-field) once the live document is in step, unless the
// page is a reader's, whose changes go nowhere.
(function () {
  "use strict";
  var form = document.getElementById("article-form");
  if (!form) return;
  var save = form.querySelector(".nr-actions button[value=save]");
  var dirty = false;
  var leaving = false;
  function liveHost() {
    var host = form.querySelector(".rich-editor[data-live-state]");
    return host && host.getAttribute("data-live-state") !== "off" ? host : null;
  }
  function liveBody(target) {
    return !!(target && target.hasAttribute && target.hasAttribute("data-live-url") && liveHost());
  }
  function liveField(target) {
    var host = liveHost();
    if (!host || !target || !target.hasAttribute || !target.hasAttribute("data-live-field")) return false;
    var body = form.querySelector("textarea[data-live-url]");
    return host.getAttribute("data-live-state") !== "connecting" && !(body && body.getAttribute("data-live-mode") === "read");
  }
  function liveUnsent() {
    var host = liveHost();
    if (!host) return false;
    var state = host.getAttribute("data-live-state");
    return state === "pending" || (state === "offline" && host.getAttribute("data-live-unsent") === "true");
  }
  function changed(e) {
    if (!liveBody(e.target) && !liveField(e.target)) dirty = true;
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.key === "Enter" && t && t.tagName === "INPUT" && t.type !== "submit" && t.type !== "button" && t.type !== "file") {
      e.preventDefault();
    }
  });
  document.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && (e.key === "s" || e.key === "S")) {
      e.preventDefault();
      if (save) form.requestSubmit(save);
    }
  });
  form.addEventListener("submit", function (e) {
    var by = e.submitter;
    var live = form.getAttribute("data-live") === "true";
    if (live && by && by.value === "save" && !window.confirm("This article is live: readers will see these changes at once. Save them?")) {
      e.preventDefault();
      return;
    }
    leaving = true;
  });
  window.addEventListener("beforeunload", function (e) {
    if ((dirty || liveUnsent()) && !leaving) {
      e.preventDefault();
      e.returnValue = "";
    }
  });
})();

// Writing aids beside the fields: the article's address as the slug (or the
// headline it is made from) is typed, the body's words and reading time as
// the preview follows it, how the article shows in a search result and a
// social post, and the bylines narrowed to a typed name. The server renders
// each of them as the page is sent; this keeps them in step.
(function () {
  "use strict";
  var form = document.getElementById("article-form");
  if (!form) return;
  function field(name) { return form.querySelector("[name=" + name + "]"); }
  function show(selector, text) {
    var node = form.querySelector(selector);
    if (node && node.textContent !== text) node.textContent = text;
  }
  function slugify(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 120).replace(/-+$/, "");
  }
  function value(name) { var f = field(name); return f ? f.value.trim() : ""; }
  var base = form.querySelector("[data-slug-base]");
  function places() {
    var slug = value("slug") || slugify(value("headline"));
    show("[data-slug-preview]", slug);
    var title = value("seo_title") || value("headline");
    var description = value("seo_description") || value("dek");
    show("[data-serp-url]", (base ? base.textContent : "") + slug);
    show("[data-serp-title]", title);
    show("[data-serp-desc]", description);
    show("[data-social-title]", title);
    show("[data-social-desc]", description);
  }
  ["slug", "headline", "seo_title", "seo_description", "dek"].forEach(function (name) {
    var f = field(name);
    if (f) f.addEventListener("input", places);
  });
  // Fields another writer changed (the live editor sets them) send "change".
  form.addEventListener("change", places);

  var preview = document.getElementById("live-preview");
  if (preview && form.querySelector("[data-word-count]")) {
    var count = function () {
      if (preview.querySelector(".nr-muted") && preview.children.length === 1) return;
      var words = (preview.textContent.match(/[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu) || []).length;
      var minutes = Math.ceil(words / 230);
      show("[data-word-count]", words + (words === 1 ? " word" : " words") + " · " + minutes + " min read");
    };
    new MutationObserver(count).observe(preview, { childList: true, subtree: true, characterData: true });
  }

  // Topics: the suggestions follow the name being typed after the last
  // comma, each offered as the whole list with it added.
  var topics = field("topics");
  var names = document.getElementById("topic-names");
  if (topics && names) {
    var all = [].map.call(names.options, function (o) { return o.value; });
    var suggest = function () {
      var parts = topics.value.split(",");
      var typed = parts.pop().trim().toLowerCase();
      var chosen = parts.map(function (p) { return p.trim(); }).filter(Boolean);
      var lower = chosen.map(function (c) { return c.toLowerCase(); });
      var head = chosen.length ? chosen.join(", ") + ", " : "";
      var shown = all.filter(function (t) {
        var l = t.toLowerCase();
        return lower.indexOf(l) === -1 && (!typed || l.indexOf(typed) !== -1);
      }).slice(0, 20);
      names.replaceChildren.apply(names, shown.map(function (t) {
        var o = document.createElement("option");
        o.value = head + t;
        return o;
      }));
    };
    topics.addEventListener("input", suggest);
    topics.addEventListener("focus", suggest);
  }

  var find = form.querySelector("[data-byline-find]");
  var list = form.querySelector("[data-bylines]");
  if (find && list) {
    // The finder works as you type: the form's Find button (for pages without JavaScript) goes.
    var go = form.querySelector("[data-byline-find-go]");
    if (go) go.hidden = true;
    var narrow = function () {
      var words = find.value.trim().toLowerCase();
      var shown = 0;
      list.querySelectorAll("label").forEach(function (label) {
        var box = label.querySelector("input");
        var match = !words || (box && box.checked) || label.textContent.toLowerCase().indexOf(words) !== -1;
        label.hidden = !match;
        if (match) shown++;
      });
      show("[data-byline-count]", words ? shown + " shown (chosen bylines always are)" : "");
    };
    // Past the names the page lists, the server finds the rest.
    var asked = null;
    var ask = function () {
      var words = find.value.trim();
      if (list.getAttribute("data-more") !== "true" || words.length < 2) return;
      clearTimeout(asked);
      asked = setTimeout(function () {
        fetch("/newsroom/authors/lookup?q=" + encodeURIComponent(words), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (found) {
            var model = list.querySelector("input[name=authors]");
            found.forEach(function (a) {
              if (list.querySelector("input[name=authors][value='" + a.id + "']")) return;
              var label = document.createElement("label");
              label.className = "nr-check";
              var box = document.createElement("input");
              box.type = "checkbox";
              box.name = "authors";
              box.value = String(a.id);
              if (model && model.hasAttribute("data-live-field")) box.setAttribute("data-live-field", "authors");
              label.appendChild(box);
              label.appendChild(document.createTextNode(" " + a.name + (a.job_title ? " (" + a.job_title + ")" : "")));
              list.appendChild(label);
            });
            narrow();
          })
          .catch(function () { /* the listed names still work */ });
      }, 200);
    };
    find.addEventListener("input", narrow);
    find.addEventListener("input", ask);
    // Enter in the search box chooses the only name left.
    find.addEventListener("keydown", function (e) {
      if (e.key !== "Enter") return;
      var left = [].filter.call(list.querySelectorAll("label"), function (l) {
        var box = l.querySelector("input");
        return !l.hidden && box && !box.checked;
      });
      if (left.length === 1) {
        left[0].querySelector("input").click();
        find.value = "";
        narrow();
      }
    });
  }
})();
