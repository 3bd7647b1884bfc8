// Type-ahead for the search box in the masthead: after a short pause in
// typing, headlines matching what is typed appear under the box; arrow
// keys move through them, Enter opens one, Escape closes the list. Without
// this script the box is an ordinary search form.
(function () {
  "use strict";
  var input = document.querySelector("input[data-suggest]");
  if (!input || !window.fetch) return;
  var form = input.form;
  var list = document.createElement("ul");
  list.className = "suggest";
  list.id = "site-search-suggestions";
  list.setAttribute("role", "listbox");
  list.hidden = true;
  form.appendChild(list);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");
  var timer = null;
  var latest = 0;
  var active = -1;

  function close() {
    list.hidden = true;
    list.textContent = "";
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function show(items) {
    list.textContent = "";
    items.forEach(function (item, i) {
      var li = document.createElement("li");
      li.id = "suggestion-" + i;
      li.setAttribute("role", "option");
      var a = document.createElement("a");
      a.href = item.url;
      a.textContent = item.headline;
      a.tabIndex = -1;
      li.appendChild(a);
      list.appendChild(li);
    });
    list.hidden = items.length === 0;
    input.setAttribute("aria-expanded", items.length ? "true" : "false");
  }

  function move(step) {
    var options = list.querySelectorAll("[role=option]");
    if (!options.length) return;
    if (active >= 0) options[active].setAttribute("aria-selected", "false");
    active = (active + step + options.length) % options.length;
    options[active].setAttribute("aria-selected", "true");
    input.setAttribute("aria-activedescendant", options[active].id);
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    var q = input.value;
    if (q.trim().length < 2) return close();
    timer = setTimeout(function () {
      var ticket = ++latest;
      fetch(input.getAttribute("data-suggest") + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (items) { if (ticket === latest) show(items); })
        .catch(close);
    }, 150);
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") { event.preventDefault(); move(1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); move(-1); }
    else if (event.key === "Escape") { close(); }
    else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      var link = list.querySelectorAll("[role=option] a")[active];
      if (link) window.location.href = link.href;
    }
  });
  input.addEventListener("blur", function () { setTimeout(close, 200); });
})();
