// The rich editor on bbn's article form, as progressive enhancement: the form's
// <textarea data-rich-editor="body_format"> stays the field that is sent, now holding the
// document's JSON, and the format select says `doc`. Without JavaScript, or when the
// editor cannot start, the textarea form works as before. With `data-live-url` the body is
// edited live with the other writers (live/session.js); without it there is no Yjs at all.
import { DOMParser, Node } from "prosemirror-model";
import { createEditor, promptAsk } from "./editor.js";
import { startLive } from "./live/session.js";
import { schema } from "./schema.js";
import { newsroomServer } from "./server.js";

const emptyDoc = () => schema.node("doc", null, [schema.node("paragraph")]);

/** The document the editor opens with, or an Error saying why it cannot open. */
function initialDocument(textarea, select, page) {
  if (!select) throw new Error(`no format select #${textarea.dataset.richEditor}`);
  // A document article: the server sends the document itself beside the form, whose
  // textarea then holds the HTML it renders to (what the form without JavaScript edits).
  const stored = page.getElementById("body-doc");
  if (stored) {
    const doc = Node.fromJSON(schema, JSON.parse(stored.textContent));
    doc.check();
    return doc;
  }
  if (select.value === "doc") {
    if (!textarea.value.trim()) return emptyDoc();
    const doc = Node.fromJSON(schema, JSON.parse(textarea.value));
    doc.check();
    return doc;
  }
  // A Markdown or HTML article opens from the body the server rendered and sanitized.
  const rendered = page.getElementById("body-html");
  if (!rendered) {
    if (!textarea.value.trim()) return emptyDoc();
    throw new Error("the article has a body but the page has no <template id=\"body-html\"> to open it from");
  }
  const holder = page.createElement("div");
  holder.append(...(rendered.content || rendered).cloneNode(true).childNodes);
  return DOMParser.fromSchema(schema).parse(holder);
}

function hide(el) {
  el.hidden = true;
  el.style.display = "none";
}

/** Mounts the editor in place of `textarea`; returns its view, or null when it left the form alone. */
export function mountRichEditor(textarea) {
  const page = textarea.ownerDocument;
  const win = page.defaultView;
  if (textarea.dataset.richEditorMounted) return null;
  const select = page.getElementById(textarea.dataset.richEditor);
  const host = page.createElement("div");
  host.className = "rich-editor";
  const write = (next) => {
    textarea.value = JSON.stringify(next.toJSON());
  };
  const live = textarea.dataset.liveUrl !== undefined;
  let editor;
  try {
    const doc = initialDocument(textarea, select, page);
    textarea.before(host);
    editor = createEditor(host, {
      doc,
      editable: !live,
      ask: promptAsk(win),
      // Uploads carry the article form's CSRF token, read when each is sent.
      server: newsroomServer({
        fetch: (...args) => win.fetch(...args),
        FormData: win.FormData,
        csrf: () => (textarea.form || page).querySelector('input[name="_csrf"]')?.value || "",
      }),
      onChange(next) {
        write(next);
        textarea.dispatchEvent(new win.Event("input", { bubbles: true }));
      },
    });
  } catch (err) {
    host.remove();
    win.console.error("bbn rich editor: not started, the plain form stays:", err);
    return null;
  }
  textarea.dataset.richEditorMounted = "true";

  if (![...select.options].some((o) => o.value === "doc")) {
    const option = page.createElement("option");
    option.value = "doc";
    option.textContent = "Document";
    select.append(option);
  }
  select.value = "doc";
  write(editor.view.state.doc);
  hide(textarea);
  (textarea.form || page).querySelectorAll("[data-rich-editor-hide]").forEach(hide);
  if (live) {
    startLive(editor, {
      host,
      path: textarea.dataset.liveUrl,
      name: textarea.dataset.liveName,
      readOnly: textarea.dataset.liveMode === "read",
      window: win,
      onOff(reason, { unsent }) {
        win.console.warn(`bbn rich editor: not live (${reason}); the form saves the body`);
        // Changes the newsroom never got are now the form's to save: the page must know.
        if (unsent) textarea.dispatchEvent(new win.Event("input", { bubbles: true }));
      },
    });
  } else {
    host.dataset.liveState = "off";
  }
  return editor.view;
}
