// The media library's page: files dropped anywhere on it, or pasted, are
// uploaded one after the other to POST /newsroom/media (each a request of
// its own, so one refused file stops nothing and each stays under the
// upload limit), with the count said as it goes; then the grid is shown
// again. The form's file input does the same without JavaScript.
//
// On an item's page, a click on the picture sets the focal point.
(function () {
  "use strict";

  var form = document.querySelector("[data-media-drop]");
  if (form) {
    var csrf = form.querySelector("input[name=_csrf]").value;
    var progress = form.querySelector("[data-media-progress]");
    var say = function (text) { progress.textContent = text; };

    var upload = function (files) {
      files = Array.prototype.filter.call(files, function (f) { return f && f.size > 0; });
      if (!files.length) return;
      var done = 0, refused = [];
      var next = function (i) {
        if (i === files.length) {
          if (refused.length) {
            say(done + " uploaded; not uploaded: " + refused.join("; "));
          } else {
            window.location.assign("/newsroom/media?done=" + done);
          }
          return;
        }
        say("Uploading " + (i + 1) + " of " + files.length + "…");
        var body = new FormData();
        body.append("_csrf", csrf);
        body.append("file", files[i], files[i].name || "pasted image");
        fetch("/newsroom/media", { method: "POST", body: body, credentials: "same-origin" })
          .then(function (r) {
            if (r.ok) { done += 1; return null; }
            return r.json().then(function (j) { return j.error; }, function () { return "HTTP " + r.status; });
          }, function () { return "the connection failed"; })
          .then(function (error) {
            if (error) refused.push((files[i].name || "a pasted image") + ": " + error);
            next(i + 1);
          });
      };
      next(0);
    };

    form.addEventListener("submit", function (e) {
      var input = form.querySelector("input[type=file]");
      if (!window.fetch || !input.files.length) return;
      e.preventDefault();
      upload(input.files);
    });
    document.addEventListener("dragover", function (e) {
      if (e.dataTransfer && Array.prototype.indexOf.call(e.dataTransfer.types, "Files") >= 0) {
        e.preventDefault();
        form.classList.add("nr-dropzone--over");
      }
    });
    document.addEventListener("dragleave", function (e) {
      if (!e.relatedTarget) form.classList.remove("nr-dropzone--over");
    });
    document.addEventListener("drop", function (e) {
      if (!e.dataTransfer || !e.dataTransfer.files.length) return;
      e.preventDefault();
      form.classList.remove("nr-dropzone--over");
      upload(e.dataTransfer.files);
    });
    document.addEventListener("paste", function (e) {
      var files = e.clipboardData ? e.clipboardData.files : null;
      if (!files || !files.length) return;
      var target = e.target;
      if (target && target.closest && target.closest("input[type=search], input[type=text]")) return;
      e.preventDefault();
      upload(files);
    });
  }

  var focal = document.querySelector("[data-focal]");
  if (focal) {
    var img = focal.querySelector("img");
    var mark = focal.querySelector("[data-focal-mark]");
    var fx = document.querySelector("[data-focal-x]");
    var fy = document.querySelector("[data-focal-y]");
    var place = function () {
      if (!fx || !fy) return;
      mark.style.left = fx.value + "%";
      mark.style.top = fy.value + "%";
      mark.hidden = false;
    };
    place();
    if (fx && fy) {
      fx.addEventListener("input", place);
      fy.addEventListener("input", place);
      img.addEventListener("click", function (e) {
        var box = img.getBoundingClientRect();
        fx.value = Math.round(((e.clientX - box.left) / box.width) * 100);
        fy.value = Math.round(((e.clientY - box.top) / box.height) * 100);
        place();
      });
    }
  }
})();
