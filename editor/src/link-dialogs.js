// The link and "read more" dialogs: the writer finds a published article by words of its
// headline, or types an address (read by the same rules as ever: `hrefFromInput`). The
// document changes through the commands the toolbar always used, given the dialog's answer.
import { editReadMore, selectedNode, toggleLink } from "./commands.js";
import { articlePicker } from "./article-picker.js";
import { Dialog } from "./dialog.js";
import { hrefFromInput } from "./urls.js";

const FIND_HINT = "Type words from a headline to find a published article, or an address (https://…, /news/slug).";

function notAddress(typed) {
  return typed
    ? "A link cannot go to that: choose an article from the list, or type an address such as https://example.org/page or /news/slug."
    : "Type words from a headline to find an article, or type an address.";
}

/** Links the selected text (or, with none, inserts the article's headline as a link). */
export function openLinkDialog(view, { lookup }) {
  const { schema } = view.state;
  let picker = null;
  const dialog = new Dialog(view.dom.ownerDocument, { title: "Link", returnFocus: () => view.focus(), onClose: () => picker.stop() });
  const link = (answer) => {
    if (toggleLink(schema, () => answer)(view.state, view.dispatch, view)) dialog.close();
    else dialog.error("No link can be made on this selection.");
  };
  picker = articlePicker(dialog, {
    lookup,
    label: "Article or address",
    hint: FIND_HINT,
    onChoose: (article) => link({ href: article.url, text: article.headline }),
  });
  dialog.button("Link", { submit: true });
  dialog.button("Cancel", { onClick: () => dialog.close() });
  dialog.onSubmit = () => {
    const typed = picker.input.value.trim();
    const href = hrefFromInput(typed);
    if (!href) return dialog.error(notAddress(typed), picker.input);
    return link({ href });
  };
  return dialog.open();
}

/** Inserts a "Read more" card, or changes the selected one. A chosen article gives both address and headline. */
export function openReadMoreDialog(view, { lookup }) {
  const { schema } = view.state;
  const selected = selectedNode(view.state, schema.nodes.read_more);
  const now = selected ? selected.node.attrs : null;
  let picker = null;
  const dialog = new Dialog(view.dom.ownerDocument, {
    title: now ? "Read more link" : "Insert a read more link",
    returnFocus: () => view.focus(),
    onClose: () => picker.stop(),
  });
  const apply = (answer) => {
    editReadMore(schema, () => answer)(view.state, view.dispatch, view);
    dialog.close();
  };
  picker = articlePicker(dialog, {
    lookup,
    label: "Article or address",
    hint: FIND_HINT,
    value: now?.href,
    onChoose: (article) => apply({ href: article.url, headline: article.headline }),
  });
  const headline = dialog.field({ label: "Headline", hint: "The card's text; an article chosen from the list brings its own.", value: now?.headline });
  dialog.button(now ? "Save" : "Insert", { submit: true });
  dialog.button("Cancel", { onClick: () => dialog.close() });
  dialog.onSubmit = () => {
    const typed = picker.input.value.trim();
    const href = hrefFromInput(typed);
    if (!href) return dialog.error(notAddress(typed), picker.input);
    if (!headline.value.trim()) return dialog.error("Give the headline the card shows.", headline);
    return apply({ href, headline: headline.value.trim() });
  };
  return dialog.open();
}
