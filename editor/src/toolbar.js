// The toolbar above the editable area: one button per action, each named for screen
// readers (aria-label) and, where it toggles, saying whether it is on (aria-pressed).
// It follows the ARIA toolbar pattern: one Tab stop, arrow keys move between buttons.
// The link, image and read-more buttons open dialogs (`dialogs`), which then change the
// document through the same commands, given the writer's answer.
import { Plugin } from "prosemirror-state";
import {
  blockActive,
  ancestor,
  editImage,
  editReadMore,
  insertFaq,
  insertSeparator,
  insertTable,
  makeParagraph,
  markActive,
  toggleBold,
  toggleHeading,
  toggleItalic,
  toggleLink,
  toggleList,
  togglePullQuote,
  toggleQuote,
} from "./commands.js";
import { dialogOpen } from "./dialog.js";

const nothing = () => null;

/**
 * A button whose words come from a dialog: it applies where `command` applies and, pressed,
 * opens the dialog, which runs the command with the answer.
 */
function opens(command, open) {
  return (state, dispatch, view) => {
    if (!command(state)) return false;
    if (dispatch && view) open(view);
    return true;
  };
}

/**
 * The toolbar's buttons: `text` is what shows, `label` what is announced. `ask` asks for a
 * pull quote's speaker; `dialogs.link`, `.image` and `.readMore` open those dialogs on a view.
 */
export function toolbarItems(schema, ask, dialogs) {
  const { nodes, marks } = schema;
  const inside = (type) => (state) => !!ancestor(state, [type]);
  const innermostList = (type) => (state) => ancestor(state, [nodes.bullet_list, nodes.ordered_list])?.node.type === type;
  // On a link the button takes the link away; elsewhere it asks where the link goes.
  const link = (state, dispatch, view) =>
    markActive(state, marks.link) ? toggleLink(schema, nothing)(state, dispatch) : opens(toggleLink(schema, nothing), dialogs.link)(state, dispatch, view);
  return [
    { id: "bold", text: "B", label: "Bold", keys: "Mod-B", run: toggleBold(schema), active: (s) => markActive(s, marks.strong) },
    { id: "italic", text: "I", label: "Italic", keys: "Mod-I", run: toggleItalic(schema), active: (s) => markActive(s, marks.em) },
    { id: "link", text: "Link", label: "Link", run: link, active: (s) => markActive(s, marks.link) },
    { id: "h2", text: "H2", label: "Heading", run: toggleHeading(schema, 2), active: (s) => blockActive(s, nodes.heading, { level: 2 }) },
    { id: "h3", text: "H3", label: "Subheading", run: toggleHeading(schema, 3), active: (s) => blockActive(s, nodes.heading, { level: 3 }) },
    { id: "paragraph", text: "¶", label: "Paragraph", run: makeParagraph(schema) },
    { id: "bullets", text: "• List", label: "Bulleted list", run: toggleList(schema, nodes.bullet_list), active: innermostList(nodes.bullet_list) },
    { id: "numbers", text: "1. List", label: "Numbered list", run: toggleList(schema, nodes.ordered_list), active: innermostList(nodes.ordered_list) },
    { id: "quote", text: "Quote", label: "Quote", run: toggleQuote(schema), active: inside(nodes.blockquote) },
    { id: "pull-quote", text: "Pull quote", label: "Pull quote", run: togglePullQuote(schema, ask), active: (s) => blockActive(s, nodes.pull_quote) },
    { id: "separator", text: "―", label: "Separator", run: insertSeparator(schema) },
    { id: "table", text: "Table", label: "Table", run: insertTable(schema) },
    { id: "image", text: "Image", label: "Image", run: opens(editImage(schema, nothing), dialogs.image) },
    { id: "read-more", text: "Read more", label: "Read more link", run: opens(editReadMore(schema, nothing), dialogs.readMore) },
    { id: "faq", text: "FAQ", label: "Questions and answers", run: insertFaq(schema) },
  ];
}

const IS_MAC = typeof navigator !== "undefined" && /Mac|iP(hone|ad|od)/.test(navigator.platform || "");

function keyHint(keys) {
  return keys ? ` (${keys.replace("Mod-", IS_MAC ? "⌘" : "Ctrl+")})` : "";
}

class ToolbarView {
  constructor(view, items, dom) {
    this.view = view;
    this.items = items;
    this.dom = dom;
    this.buttons = items.map((item, i) => {
      const button = dom.ownerDocument.createElement("button");
      button.type = "button";
      button.className = `rich-editor__button rich-editor__button--${item.id}`;
      button.textContent = item.text;
      button.setAttribute("aria-label", item.label);
      button.title = item.label + keyHint(item.keys);
      button.tabIndex = i === 0 ? 0 : -1;
      if (item.active) button.setAttribute("aria-pressed", "false");
      // Keep the editor's selection: the button acts on it.
      button.addEventListener("mousedown", (e) => e.preventDefault());
      button.addEventListener("click", () => this.run(item, button));
      dom.append(button);
      return button;
    });
    this.onKey = (e) => this.moveFocus(e);
    dom.addEventListener("keydown", this.onKey);
    this.update(view);
  }

  run(item, button) {
    if (button.getAttribute("aria-disabled") === "true") return;
    item.run(this.view.state, this.view.dispatch, this.view);
    // A button that opened a dialog leaves focus there; the dialog gives it back on closing.
    if (!dialogOpen(this.dom.ownerDocument)) this.view.focus();
  }

  moveFocus(event) {
    const at = this.buttons.indexOf(event.target);
    if (at < 0) return;
    const last = this.buttons.length - 1;
    const to = { ArrowRight: at === last ? 0 : at + 1, ArrowLeft: at === 0 ? last : at - 1, Home: 0, End: last }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    this.buttons[at].tabIndex = -1;
    this.buttons[to].tabIndex = 0;
    this.buttons[to].focus();
  }

  update(view) {
    const { state } = view;
    // A read-only editor (live, before the first sync or for a reader) offers no action.
    const editable = view.editable;
    this.items.forEach((item, i) => {
      const button = this.buttons[i];
      button.setAttribute("aria-disabled", String(!editable || !item.run(state)));
      if (item.active) button.setAttribute("aria-pressed", String(!!item.active(state)));
    });
  }

  // The toolbar element stays: when the editor goes live it takes a new state, and the
  // plugin's next view fills the same place again.
  destroy() {
    this.dom.removeEventListener("keydown", this.onKey);
    this.dom.replaceChildren();
  }
}

/** A plugin that keeps `dom` (the toolbar element) filled with buttons that follow the editor's state. */
export function toolbarPlugin(items, dom) {
  return new Plugin({ view: (view) => new ToolbarView(view, items, dom) });
}
