// The toolbar above the editable area: one button per action, each named for screen
// readers (aria-label) and, where it toggles, saying whether it is on (aria-pressed).
// It follows the ARIA toolbar pattern: one Tab stop, arrow keys move between buttons, and
// Alt-F10 in the text goes to it (Tab and Shift-Tab move between table cells and nest list
// items there, so they cannot always leave the text). Buttons that only apply in one place
// (a table's rows and columns) form a group, a row of its own shown only there.
// The link, image and read-more buttons open dialogs (`dialogs`), which then change the
// document through the same commands, given the writer's answer.
import { Plugin } from "prosemirror-state";
import { addColumnAfter, addColumnBefore, addRowAfter, addRowBefore, deleteTable, isInTable } from "prosemirror-tables";
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
import { deleteColumns, deleteRows, headerRowActive, toggleHeaderRow } from "./table-commands.js";

const nothing = () => null;

/** The table's controls: shown while the selection is in a table. */
const tableGroup = { id: "table", label: "Table", shown: isInTable };

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
 * The toolbar's buttons: `text` is what shows, `label` what is announced, `group` the group
 * a button is in, if any. `ask` asks for a pull quote's speaker; `dialogs.link`, `.image`,
 * `.readMore` and `.embed` open those dialogs on a view.
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
    { id: "embed", text: "Embed", label: "Embed a post, video or map", run: opens(() => true, dialogs.embed) },
    { id: "faq", text: "FAQ", label: "Questions and answers", run: insertFaq(schema) },
    ...[
      { id: "row-above", text: "Row above", label: "Add row above", run: addRowBefore },
      { id: "row-below", text: "Row below", label: "Add row below", run: addRowAfter },
      { id: "column-left", text: "Column left", label: "Add column left", run: addColumnBefore },
      { id: "column-right", text: "Column right", label: "Add column right", run: addColumnAfter },
      { id: "delete-row", text: "Delete row", label: "Delete row", run: deleteRows },
      { id: "delete-column", text: "Delete column", label: "Delete column", run: deleteColumns },
      { id: "header-row", text: "Header row", label: "Header row", run: toggleHeaderRow, active: headerRowActive },
      { id: "delete-table", text: "Delete table", label: "Delete table", run: deleteTable },
    ].map((item) => ({ ...item, group: tableGroup })),
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
    const page = dom.ownerDocument;
    // Each group's element, in the order the groups' first buttons come.
    this.groups = new Map();
    const holder = (group) => {
      if (!group) return dom;
      if (!this.groups.has(group)) {
        const element = dom.appendChild(page.createElement("div"));
        element.className = `rich-editor__group rich-editor__group--${group.id}`;
        element.setAttribute("role", "group");
        element.setAttribute("aria-label", group.label);
        const caption = element.appendChild(page.createElement("span"));
        caption.className = "rich-editor__group-label";
        caption.setAttribute("aria-hidden", "true");
        caption.textContent = group.label;
        this.groups.set(group, element);
      }
      return this.groups.get(group);
    };
    this.buttons = items.map((item, i) => {
      const button = page.createElement("button");
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
      holder(item.group).append(button);
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

  /** The buttons on show (a hidden group's are not), in order. */
  shown() {
    return this.buttons.filter((button) => !button.parentElement.hidden);
  }

  /** The toolbar's one Tab stop: the button last moved to, or the first when that one is hidden. */
  stop() {
    return this.shown().find((button) => button.tabIndex === 0) || this.buttons[0];
  }

  /** Puts the focus on the toolbar (Alt-F10 in the text). */
  focus() {
    this.stop().focus();
  }

  moveFocus(event) {
    const buttons = this.shown();
    const at = buttons.indexOf(event.target);
    if (at < 0) return;
    const last = buttons.length - 1;
    const to = { ArrowRight: at === last ? 0 : at + 1, ArrowLeft: at === 0 ? last : at - 1, Home: 0, End: last }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    this.moveStop(buttons[to]);
    buttons[to].focus();
  }

  moveStop(button) {
    for (const other of this.buttons) other.tabIndex = other === button ? 0 : -1;
  }

  update(view) {
    const { state } = view;
    for (const [group, element] of this.groups) element.hidden = !group.shown(state);
    // The Tab stop stays on a button that shows.
    this.moveStop(this.stop());
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

/**
 * A plugin that keeps `dom` (the toolbar element) filled with buttons that follow the
 * editor's state, and takes the focus there on Alt-F10.
 */
export function toolbarPlugin(items, dom) {
  let toolbar = null;
  return new Plugin({
    view: (view) => (toolbar = new ToolbarView(view, items, dom)),
    props: {
      handleKeyDown(view, event) {
        if (event.key !== "F10" || !event.altKey || event.ctrlKey || event.metaKey || event.shiftKey || !toolbar) return false;
        toolbar.focus();
        return true;
      },
    },
  });
}
