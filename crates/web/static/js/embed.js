// Embeds load nothing until the reader asks. Each stored embed is a figure naming its
// provider, its frame's address and a link to the original (all a reader without
// scripts gets); this puts a button before it ("Play: the title (YouTube)"), and only a
// click on that button makes the frame, so no request goes to the provider before. The
// page's Content-Security-Policy allows frames from exactly the providers it shows.
(function () {
  "use strict";
  var PLAYS = ["youtube", "vimeo", "tiktok", "soundcloud", "spotify", "apple-podcasts"];
  document.querySelectorAll("figure.embed[data-embed]").forEach(function (figure) {
    var link = figure.querySelector("figcaption a");
    var title = link ? link.textContent.trim() : "";
    var providerLine = figure.querySelector(".embed-provider");
    var provider = providerLine ? providerLine.textContent.trim() : "";
    var verb = PLAYS.indexOf(figure.getAttribute("data-provider")) >= 0 ? "Play" : "Show";
    var facade = document.createElement("div");
    facade.className = "embed-facade";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "embed-play";
    button.textContent = verb + ": " + title + " (" + provider + ")";
    var note = document.createElement("p");
    note.className = "embed-note";
    note.textContent = "Loads content from " + provider + ", which may collect data about you.";
    facade.appendChild(button);
    facade.appendChild(note);
    figure.insertBefore(facade, figure.firstChild);
    button.addEventListener("click", function () {
      var frame = document.createElement("iframe");
      frame.className = "embed-frame";
      frame.src = figure.getAttribute("data-embed");
      frame.title = title + " (" + provider + ")";
      frame.setAttribute("allow", "autoplay; encrypted-media; picture-in-picture; fullscreen; clipboard-write");
      frame.setAttribute("allowfullscreen", "");
      frame.setAttribute("sandbox", "allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox allow-presentation");
      frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
      facade.replaceWith(frame);
      frame.focus();
    });
  });
})();
