// The bundle's entry: the rich editor replaces every textarea[data-rich-editor] on the page.
import { mountRichEditor } from "./mount.js";

function start() {
  document.querySelectorAll("textarea[data-rich-editor]").forEach((textarea) => mountRichEditor(textarea));
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
