// One editor: the toolbar and the editable area in `host`, over a document of the article
// schema. `onChange` hears every new document; `server` (see server.js) is the newsroom the
// article lookups go to, when there is one.
import { baseKeymap } from "prosemirror-commands";
import { dropCursor } from "prosemirror-dropcursor";
import { gapCursor } from "prosemirror-gapcursor";
import { history } from "prosemirror-history";
import { keymap } from "prosemirror-keymap";
import { EditorState } from "prosemirror-state";
import { fixTables, tableEditing } from "prosemirror-tables";
import { EditorView } from "prosemirror-view";
import { buildInputRules } from "./input-rules.js";
import { buildKeymap } from "./keymap.js";
import { openLinkDialog, openReadMoreDialog } from "./link-dialogs.js";
import { cleanPastedHTML } from "./paste/clean.js";
import { parsePastedText } from "./paste/text.js";
import { PullQuoteView } from "./pull-quote-view.js";
import { schema } from "./schema.js";
import { toolbarItems, toolbarPlugin } from "./toolbar.js";

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

export function createEditor(host, { doc, onChange, ask, server = null, label = "Article body" }) {
  const page = host.ownerDocument;
  const toolbar = host.appendChild(page.createElement("div"));
  toolbar.className = "rich-editor__toolbar";
  toolbar.setAttribute("role", "toolbar");
  toolbar.setAttribute("aria-label", "Formatting");
  const area = host.appendChild(page.createElement("div"));
  area.className = "rich-editor__area";

  const lookup = server ? (query, signal) => server.lookup(query, signal) : null;
  const dialogs = {
    link: (view) => openLinkDialog(view, { lookup }),
    readMore: (view) => openReadMoreDialog(view, { lookup }),
  };
  const base = editorState(doc);
  const state = base.reconfigure({
    plugins: [
      ...base.plugins,
      toolbarPlugin(toolbarItems(schema, ask, dialogs), toolbar),
    ],
  });
  const view = new EditorView(area, {
    state,
    attributes: { class: "rich-editor__body", role: "textbox", "aria-multiline": "true", "aria-label": label, spellcheck: "true" },
    nodeViews: { pull_quote: (node, v, getPos) => new PullQuoteView(node, v, getPos, ask) },
    transformPastedHTML: (html) => cleanPastedHTML(html, page),
    clipboardTextParser: (text, $context, plain) => parsePastedText(schema, text, $context, plain, page),
    dispatchTransaction(tr) {
      const next = view.state.apply(tr);
      view.updateState(next);
      if (tr.docChanged) onChange(next.doc);
    },
  });
  return view;
}
