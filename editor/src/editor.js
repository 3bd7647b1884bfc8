// One editor: the toolbar, a notice line and the editable area in `host`, over a document
// of the article schema. `onChange` hears every new document; `server` (see server.js) is
// the newsroom the image uploads and article lookups go to, when there is one.
import { baseKeymap } from "prosemirror-commands";
import { dropCursor } from "prosemirror-dropcursor";
import { gapCursor } from "prosemirror-gapcursor";
import { history } from "prosemirror-history";
import { keymap } from "prosemirror-keymap";
import { EditorState, NodeSelection } from "prosemirror-state";
import { fixTables, tableEditing } from "prosemirror-tables";
import { EditorView } from "prosemirror-view";
import { dialogOpen } from "./dialog.js";
import { describeImages, openImageDialog } from "./image-dialog.js";
import { buildInputRules } from "./input-rules.js";
import { buildKeymap } from "./keymap.js";
import { openLinkDialog, openReadMoreDialog } from "./link-dialogs.js";
import { cleanPastedHTML } from "./paste/clean.js";
import { parsePastedText } from "./paste/text.js";
import { PullQuoteView } from "./pull-quote-view.js";
import { schema } from "./schema.js";
import { toolbarItems, toolbarPlugin } from "./toolbar.js";
import { imageFiles, missingAltText, uploadPlaceholders } from "./uploads.js";

/**
 * Asks the writer for each field in turn with the browser's prompt; null when one is
 * cancelled or a required one is left empty.
 */
export function promptAsk(window) {
  return (fields) => {
    const answer = {};
    for (const field of fields) {
      const value = window.prompt(field.label, field.value || "");
      if (value === null || (field.required && !value.trim())) return null;
      answer[field.name] = value.trim();
    }
    return answer;
  };
}

export function editorState(doc) {
  const state = EditorState.create({
    doc,
    plugins: [
      buildInputRules(schema),
      keymap(buildKeymap(schema)),
      keymap(baseKeymap),
      history(),
      dropCursor(),
      gapCursor(),
      tableEditing(),
    ],
  });
  // A table with ragged rows (from an import) is made rectangular before anything else.
  const fix = fixTables(state);
  return fix ? state.apply(fix.setMeta("addToHistory", false)) : state;
}

/**
 * The line under the toolbar where the editor says what became of pasted or dropped files.
 * It stays until the next news or until dismissed.
 */
function noticeLine(host) {
  const page = host.ownerDocument;
  const line = host.appendChild(page.createElement("div"));
  line.className = "rich-editor__notice";
  line.setAttribute("role", "status");
  line.hidden = true;
  const text = line.appendChild(page.createElement("div"));
  const dismiss = line.appendChild(page.createElement("button"));
  dismiss.type = "button";
  dismiss.className = "rich-editor__notice-dismiss";
  dismiss.textContent = "Dismiss";
  dismiss.addEventListener("click", () => {
    line.hidden = true;
  });
  return (lines, kind = "info") => {
    text.replaceChildren(...lines.map((words) => Object.assign(page.createElement("p"), { textContent: words })));
    line.classList.toggle("rich-editor__notice--error", kind === "error");
    line.hidden = !lines.length;
  };
}

export function createEditor(host, { doc, onChange, ask, server = null, label = "Article body" }) {
  const page = host.ownerDocument;
  const toolbar = host.appendChild(page.createElement("div"));
  toolbar.className = "rich-editor__toolbar";
  toolbar.setAttribute("role", "toolbar");
  toolbar.setAttribute("aria-label", "Formatting");
  const notice = noticeLine(host);
  const area = host.appendChild(page.createElement("div"));
  area.className = "rich-editor__area";

  const env = { server };
  const lookup = server ? (query, signal) => server.lookup(query, signal) : null;
  const dialogs = {
    link: (view) => openLinkDialog(view, { lookup }),
    readMore: (view) => openReadMoreDialog(view, { lookup }),
    image: (view) => openImageDialog(view, env),
  };
  const base = editorState(doc);
  const state = base.reconfigure({
    plugins: [
      ...base.plugins,
      toolbarPlugin(toolbarItems(schema, ask, dialogs), toolbar),
      uploadPlaceholders(),
      missingAltText(),
      imageFiles({ server, notice, describe: (view, media) => describeImages(view, env, media) }),
    ],
  });
  const view = new EditorView(area, {
    state,
    attributes: { class: "rich-editor__body", role: "textbox", "aria-multiline": "true", "aria-label": label, spellcheck: "true" },
    nodeViews: { pull_quote: (node, v, getPos) => new PullQuoteView(node, v, getPos, ask) },
    transformPastedHTML: (html) => cleanPastedHTML(html, page),
    clipboardTextParser: (text, $context, plain) => parsePastedText(schema, text, $context, plain, page),
    // A double-click on an image edits its alt text, caption and credit.
    handleDoubleClickOn(v, pos, node) {
      if (node.type !== schema.nodes.image || dialogOpen(page)) return false;
      v.dispatch(v.state.tr.setSelection(NodeSelection.create(v.state.doc, pos)));
      dialogs.image(v);
      return true;
    },
    dispatchTransaction(tr) {
      const next = view.state.apply(tr);
      view.updateState(next);
      if (tr.docChanged) onChange(next.doc);
    },
  });
  return view;
}
