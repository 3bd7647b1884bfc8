// Embeds: a post, video, map or chart from elsewhere. The server knows which addresses
// make one (`server.embed(url)`: GET /newsroom/embed?url=…), so the editor keeps no list
// of providers. An address pasted alone in an empty paragraph goes in as a link at once
// and becomes an embed when the newsroom says it is one; the Embed button asks for the
// address and the title readers see before they load it (and edits a selected embed's).
import { Plugin } from "prosemirror-state";
import { insertCommand, selectedNode } from "./commands.js";
import { Dialog } from "./dialog.js";

const ADDRESS = /^https?:\/\/\S+$/i;

/** Opens the embed dialog on `view`'s selection. */
export function openEmbedDialog(view, { server }) {
  const { schema } = view.state;
  const type = schema.nodes.embed;
  const selected = selectedNode(view.state, type);
  const now = selected ? selected.node.attrs : null;
  const dialog = new Dialog(view.dom.ownerDocument, { title: now ? "Embed" : "Embed a post, video or map", returnFocus: () => view.focus() });
  const url = dialog.field({
    label: "Address",
    hint: "A YouTube, Vimeo, X, Instagram, Facebook, TikTok, Bluesky, Mastodon, Threads, Reddit, SoundCloud, Spotify, Apple Podcasts, Google Maps, Datawrapper, Flourish, DocumentCloud or Scribd address.",
    value: now?.url,
    inputmode: "url",
    autocomplete: "off",
    spellcheck: "false",
  });
  const title = dialog.field({ label: "Title", hint: "What readers are told before they choose to load it.", value: now?.title });
  dialog.button(now ? "Save" : "Embed", { submit: true });
  dialog.button("Cancel", { onClick: () => dialog.close() });
  dialog.onSubmit = async () => {
    const address = url.value.trim();
    if (!ADDRESS.test(address)) return dialog.error("Give the post's or video's address (https://…).", url);
    dialog.setBusy(true);
    const known = server ? await server.embed(address) : { ok: false, message: "The newsroom cannot be asked about embeds here." };
    dialog.setBusy(false);
    if (!known.ok) return dialog.error(known.message, url);
    const attrs = { url: address, title: title.value.trim() };
    if (selected) view.dispatch(view.state.tr.setNodeMarkup(selected.from, null, attrs));
    else insertCommand(schema, () => type.create(attrs))(view.state, view.dispatch);
    dialog.close();
  };
  return dialog.open();
}

/** The top-level paragraphs holding nothing but `address` (as typed or as a link). */
function paragraphsOf(doc, address) {
  const found = [];
  doc.forEach((node, offset) => {
    if (node.type.name === "paragraph" && node.textContent.trim() === address) found.push({ node, offset });
  });
  return found;
}

/**
 * Pasting an address alone into an empty paragraph: the address goes in as it always did,
 * then, if the newsroom says it makes an embed, that paragraph becomes the embed (unless the
 * writer changed it meanwhile).
 */
export function embedPaste({ server }) {
  return new Plugin({
    props: {
      handlePaste(view, event) {
        if (!server?.embed) return false;
        const text = (event.clipboardData?.getData("text/plain") || "").trim();
        const { $from, empty } = view.state.selection;
        if (!ADDRESS.test(text) || !empty || $from.depth !== 1 || $from.parent.type.name !== "paragraph" || $from.parent.content.size) return false;
        server.embed(text).then((known) => {
          if (!known.ok || view.isDestroyed) return;
          const [at] = paragraphsOf(view.state.doc, text);
          if (!at) return;
          const embed = view.state.schema.nodes.embed.create({ url: text, title: "" });
          view.dispatch(view.state.tr.replaceWith(at.offset, at.offset + at.node.nodeSize, embed));
        });
        return false;
      },
    },
  });
}
