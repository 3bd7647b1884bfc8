// One editor: the toolbar, a notice line and the editable area in `host`, over a document
// of the article schema. `onChange` hears every new document; `server` (see server.js) is
// the newsroom the image uploads and article lookups go to, when there is one. The same
// editor can later be bound to a live document (Yjs, see live/): its own plugins stay, and
// only the undo history and what the document is made from change.
import { baseKeymap } from "prosemirror-commands";
import { dropCursor } from "prosemirror-dropcursor";
import { gapCursor } from "prosemirror-gapcursor";
import { history } from "prosemirror-history";
import { keymap } from "prosemirror-keymap";
import { EditorState, NodeSelection } from "prosemirror-state";
import { fixTables, tableEditing } from "prosemirror-tables";
import { EditorView } from "prosemirror-view";
import { redoCommand, undoCommand, yCursorPlugin, ySyncPlugin, ySyncPluginKey, yUndoPlugin } from "y-prosemirror";
import { dialogOpen } from "./dialog.js";
import { embedPaste, openEmbedDialog } from "./embeds.js";
import { describeImages, openImageDialog } from "./image-dialog.js";
import { buildInputRules } from "./input-rules.js";
import { buildKeymap } from "./keymap.js";
import { openLinkDialog, openReadMoreDialog } from "./link-dialogs.js";
import { cleanPastedHTML } from "./paste/clean.js";
import { parsePastedText } from "./paste/text.js";
import { PullQuoteView } from "./pull-quote-view.js";
import { schema } from "./schema.js";
import { cursorBuilder, selectionBuilder } from "./live/presence.js";
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

/** The plugins of every editor state, live or not; `undoKeys` says which undo the keys use. */
function editingPlugins(undoKeys) {
  return [buildInputRules(schema), keymap(buildKeymap(schema, undoKeys)), keymap(baseKeymap), dropCursor(), gapCursor(), tableEditing()];
}

export function editorState(doc) {
  const state = EditorState.create({ doc, plugins: [...editingPlugins(), history()] });
  // A table with ragged rows (from an import) is made rectangular before anything else.
  const fix = fixTables(state);
  return fix ? state.apply(fix.setMeta("addToHistory", false)) : state;
}

/**
 * A state bound to `fragment`, the live document's body, with the other writers' cursors
 * from `awareness`. It has no document of its own: the sync plugin fills the view from the
 * fragment when the view takes the state, and from then on every change goes both ways.
 * Undo is Yjs's, which only takes back this writer's own changes.
 */
export function liveEditorState({ fragment, awareness }) {
  return EditorState.create({
    schema,
    plugins: [
      ySyncPlugin(fragment),
      yCursorPlugin(awareness, { cursorBuilder, selectionBuilder }),
      yUndoPlugin(),
      ...editingPlugins({ undo: undoCommand, redo: redoCommand }),
    ],
  });
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

/**
 * Builds the editor in `host` over `doc`. Returns the view and two switches: `setEditable`
 * (a read-only editor keeps showing changes made elsewhere, but neither typing, the toolbar,
 * the dialogs nor dropped files change it) and `goLive(live)`, which binds it to a live
 * document (see liveEditorState) keeping the toolbar, uploads and paste handling.
 */
export function createEditor(host, { doc, onChange, ask, server = null, label = "Article body", editable = true }) {
  const page = host.ownerDocument;
  const toolbar = host.appendChild(page.createElement("div"));
  toolbar.className = "rich-editor__toolbar";
  toolbar.setAttribute("role", "toolbar");
  toolbar.setAttribute("aria-label", "Formatting");
  toolbar.setAttribute("aria-keyshortcuts", "Alt+F10");
  const notice = noticeLine(host);
  const area = host.appendChild(page.createElement("div"));
  area.className = "rich-editor__area";

  const env = { server };
  const lookup = server ? (query, signal) => server.lookup(query, signal) : null;
  const dialogs = {
    link: (view) => openLinkDialog(view, { lookup }),
    readMore: (view) => openReadMoreDialog(view, { lookup }),
    image: (view) => openImageDialog(view, env),
    embed: (view) => openEmbedDialog(view, env),
  };
  const own = [
    toolbarPlugin(toolbarItems(schema, ask, dialogs), toolbar),
    uploadPlaceholders(),
    missingAltText(),
    imageFiles({ server, notice, describe: (view, media) => describeImages(view, env, media) }),
    embedPaste({ server }),
  ];
  const withOwn = (base) => base.reconfigure({ plugins: [...base.plugins, ...own] });
  let canEdit = editable;
  const view = new EditorView(area, {
    state: withOwn(editorState(doc)),
    editable: () => canEdit,
    attributes: { class: "rich-editor__body", role: "textbox", "aria-multiline": "true", "aria-label": label, spellcheck: "true" },
    nodeViews: { pull_quote: (node, v, getPos) => new PullQuoteView(node, v, getPos, ask) },
    transformPastedHTML: (html) => cleanPastedHTML(html, page),
    clipboardTextParser: (text, $context, plain) => parsePastedText(schema, text, $context, plain, page),
    // A double-click on an image edits its alt text, caption and credit; on an embed, its
    // address and title.
    handleDoubleClickOn(v, pos, node) {
      const open = node.type === schema.nodes.image ? dialogs.image : node.type === schema.nodes.embed ? dialogs.embed : null;
      if (!open || !v.editable || dialogOpen(page)) return false;
      v.dispatch(v.state.tr.setSelection(NodeSelection.create(v.state.doc, pos)));
      open(v);
      return true;
    },
    dispatchTransaction(tr) {
      // Not editable, the document only takes what the live document brings (the sync
      // plugin's transactions): a button, a dialog that was open or an upload that lands
      // late would otherwise change it behind the writer's back.
      if (tr.docChanged && !canEdit && tr.getMeta(ySyncPluginKey) === undefined) return;
      const next = view.state.apply(tr);
      view.updateState(next);
      if (tr.docChanged) onChange(next.doc);
    },
  });
  return {
    view,
    setEditable(on) {
      canEdit = on;
      view.setProps({ editable: () => canEdit });
    },
    goLive(live) {
      view.updateState(withOwn(liveEditorState(live)));
    },
  };
}
