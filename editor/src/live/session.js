// Live co-editing on the article form: several writers in one article body at once. The
// newsroom holds one Yjs document per article, whose XmlFragment "body" is the article body
// in y-prosemirror's mapping of the schema (README, "Live editing"), and fills it from the
// stored article itself: this client never writes a document of its own into it. The
// form's other fields (headline, bylines, switches…) are shared in the same document's map
// "meta" (fields.js).
//
// Until the first sync the editor shows the page's document, read-only, "Connecting…". The
// first sync binds it to the fragment. A first connection that fails leaves the editor
// as it is without live editing (the form saves the body, as before); a connection lost
// later keeps the changes and sends them when it is back.
import { Awareness } from "y-protocols/awareness";
import * as Y from "yjs";
import { LiveConnection } from "./connection.js";
import { bindFields } from "./fields.js";
import { colourOf, nameOf, otherWriters, presenceSentence } from "./presence.js";

export const FRAGMENT = "body";

/** The ws:/wss: address of `path` on this page's origin, or null when it is not a same-origin path. */
export function liveAddress(path, location) {
  if (typeof path !== "string" || !path.startsWith("/") || path.startsWith("//") || path.includes("\\")) return null;
  return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}${path}`;
}

const WORDS = {
  connecting: "Connecting…",
  synced: "All changes saved",
  pending: "Saving…",
  offline: "Offline — your changes are kept and sent when you reconnect",
  unavailable: "Live editing unavailable: changes are saved with the form",
};
const READER_WORDS = {
  connecting: "Connecting…",
  synced: "Live: read only",
  pending: "Live: read only",
  offline: "Offline — reconnecting",
  unavailable: "Live view unavailable: this is the article as the page opened it",
};

/** The line above the toolbar: how the live document stands, and who else is in it. */
function liveHeader(host) {
  const page = host.ownerDocument;
  const header = page.createElement("div");
  header.className = "rich-editor__header";
  const status = header.appendChild(page.createElement("span"));
  status.className = "rich-editor__status";
  const presence = header.appendChild(page.createElement("span"));
  presence.className = "rich-editor__presence";
  presence.setAttribute("aria-live", "polite");
  host.prepend(header);
  return { status, presence };
}

/**
 * Starts live editing for `editor` (see createEditor, made not editable until the first
 * sync) in `host`. `path` is the page's data-live-url, `name` the writer's name, `readOnly`
 * for data-live-mode="read"; `onOff(reason, { unsent })` hears that the editor is no longer
 * live (the form then saves the body as before), `unsent` when changes made live never
 * reached the newsroom. Returns a function that stops it.
 */
export function startLive(editor, { host, path, name, readOnly, window: win, onOff = () => {} }) {
  const { status, presence } = liveHeader(host);
  const words = readOnly ? READER_WORDS : WORDS;
  const doc = new Y.Doc();
  const awareness = new Awareness(doc);
  const who = nameOf({ name });
  awareness.setLocalStateField("user", { name: who, color: colourOf(who), mode: readOnly ? "read" : "edit" });

  let phase = "connecting"; // then "live", or "off" for good
  let connection = null;
  const form = host.closest("form");
  // The form's other fields follow the shared document while live (fields.js).
  let unbindFields = () => {};
  // The form's `live` field tells the newsroom that the body it sends is the shared
  // document's (so the save keeps that document as the working copy).
  const flag = form?.querySelector('input[name="live"]');
  const show = (offWords) => {
    const state = phase === "live" ? connection.state : phase;
    if (flag) flag.value = phase === "live" ? "1" : "";
    host.dataset.liveState = state;
    host.dataset.liveUnsent = String(!!connection?.unsent);
    if (offWords) status.textContent = offWords;
    else if (phase !== "off") status.textContent = words[state];
    status.dataset.state = state;
  };
  const others = () => {
    const sentence = phase === "live" ? presenceSentence(otherWriters(awareness.getStates(), doc.clientID)) : "";
    if (presence.textContent !== sentence) presence.textContent = sentence;
  };
  const off = (offWords, reason, unsent = false) => {
    phase = "off";
    unbindFields();
    awareness.off("change", others);
    others();
    show(offWords);
    onOff(reason, { unsent });
  };

  const url = liveAddress(path, win.location);
  if (!url || typeof win.WebSocket !== "function") {
    if (!readOnly) editor.setEditable(true);
    off(words.unavailable, url ? "this browser has no WebSocket" : `data-live-url ${JSON.stringify(path)} is not a path on this site`);
    return () => {};
  }
  show();
  connection = new LiveConnection(url, doc, awareness, {
    WebSocket: win.WebSocket,
    setTimeout: (run, ms) => win.setTimeout(run, ms),
    clearTimeout: (id) => win.clearTimeout(id),
    readOnly,
    onChange: () => phase === "live" && show(),
    onError: (err) => win.console.error("bbn rich editor: a live message could not be read:", err),
    onFirstSync() {
      phase = "live";
      show();
      editor.goLive({ fragment: doc.getXmlFragment(FRAGMENT), awareness });
      editor.setEditable(!readOnly);
      if (form) unbindFields = bindFields(form, { doc, awareness, readOnly });
      others();
    },
    onFailed(reason) {
      awareness.destroy();
      doc.destroy();
      if (!readOnly) editor.setEditable(true);
      off(words.unavailable, reason);
    },
    onDenied(reason) {
      const wasLive = phase === "live";
      awareness.destroy();
      if (!wasLive) {
        doc.destroy();
        if (!readOnly) editor.setEditable(true);
        off(words.unavailable, `refused: ${reason}`);
        return;
      }
      // The editor stays bound to the local copy: what the writer has is saved with the form.
      off(`Live editing stopped (${reason}): changes are saved with the form`, `refused: ${reason}`, connection.unsent);
    },
  });
  awareness.on("change", others);
  const online = () => connection.retryNow();
  const leave = () => connection.stop();
  win.addEventListener("online", online);
  win.addEventListener("pagehide", leave);
  return () => {
    win.removeEventListener("online", online);
    win.removeEventListener("pagehide", leave);
    unbindFields();
    connection.stop();
    awareness.destroy();
  };
}
