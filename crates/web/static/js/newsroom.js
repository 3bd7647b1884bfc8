// The newsroom bar's disclosures (the Menu on a phone; Admin and the
// account on a wide screen) close as menus do: on Escape, which gives the
// focus back to their button, and on a click anywhere else, which also
// closes one when another opens. Without JavaScript they close when their
// button is pressed again.
(function () {
  "use strict";
  var bar = document.querySelector("header.nr-bar");
  if (!bar) return;
  function closeAll(keep) {
    bar.querySelectorAll("details[open]").forEach(function (d) {
      if (d !== keep) d.open = false;
    });
  }
  document.addEventListener("click", function (e) {
    var inside = e.target instanceof Element ? e.target.closest("header.nr-bar details") : null;
    closeAll(inside);
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    var open = bar.querySelector("details[open]");
    if (!open) return;
    var hadFocus = open.contains(document.activeElement);
    closeAll(null);
    if (hadFocus) open.querySelector("summary").focus();
  });
})();

// Forms that change a lot at once ask first: a form's data-confirm is the
// question (the page's policy allows no inline handlers). Without
// JavaScript they send at once.
document.addEventListener("submit", function (e) {
  var form = e.target;
  var question = form && form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) e.preventDefault();
});
