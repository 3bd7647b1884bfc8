// The table's controls in the toolbar and its keys, in the built bundle on a copy of the
// article form (jsdom): what each button does to the document the form sends, when the
// buttons show and when they cannot run, and Tab between cells.
import { test } from "node:test";
import assert from "node:assert/strict";
import { form, load, sent } from "./support/page.js";

const TABLE_LABELS = ["Add row above", "Add row below", "Add column left", "Add column right", "Delete row", "Delete column", "Header row", "Delete table"];

const paragraph = (text) => ({ type: "paragraph", content: text ? [{ type: "text", text }] : undefined });
const cell = (type) => (text) => ({ type, attrs: { colspan: 1, rowspan: 1, colwidth: null }, content: [paragraph(text)] });
const th = cell("table_header");
const td = cell("table_cell");
const row = (...cells) => ({ type: "table_row", content: cells });
const table = (...rows) => ({ type: "table", content: rows });

/** The table's cells as `th Text` / `td Text` per row, an empty cell as `td`. */
function grid(doc) {
  const found = doc.content.find((node) => node.type === "table");
  if (!found) return null;
  return found.content.map((r) => {
    assert.equal(r.type, "table_row");
    return r.content.map((c) => {
      assert.deepEqual(c.attrs, { colspan: 1, rowspan: 1, colwidth: null }, "a cell keeps the schema's attributes");
      assert.deepEqual(
        c.content.map((p) => p.type),
        ["paragraph"],
      );
      const text = (c.content[0].content || []).map((t) => t.text).join("");
      return `${{ table_header: "th", table_cell: "td" }[c.type]}${text ? ` ${text}` : ""}`;
    });
  });
}

async function editor(content) {
  const loaded = await load(form({ format: "doc", doc: true, body: JSON.stringify({ type: "doc", content }) }));
  const { page, window, textarea } = loaded;
  assert.deepEqual(loaded.errors, []);
  const editable = page.querySelector(".rich-editor__body");
  const toolbar = page.querySelector(".rich-editor__toolbar");
  const group = toolbar.querySelector("[role=group]");
  const button = (label) => toolbar.querySelector(`button[aria-label="${label}"]`);
  const disabled = (label) => button(label).getAttribute("aria-disabled") === "true";
  /**
   * The caret at the end of the cell (or paragraph) whose text is `text`, as a click puts it.
   * (At the very start of the document, just after focusing, ProseMirror would take it for
   * the browser's reset of the selection on focus and put back its own.)
   */
  const caretIn = (text) => {
    const block = [...editable.querySelectorAll("td, th, p")].find((el) => el.textContent === text);
    assert.ok(block, `a block reading ${JSON.stringify(text)}`);
    editable.focus();
    const range = page.createRange();
    range.selectNodeContents(block.matches("p") ? block : block.querySelector("p"));
    range.collapse(false);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    page.dispatchEvent(new window.Event("selectionchange"));
  };
  /** The text of the cell the caret is in, or null outside a table. */
  const caretCell = () => {
    const { anchorNode } = window.getSelection();
    const element = anchorNode?.nodeType === 3 ? anchorNode.parentElement : anchorNode;
    return element?.closest("td, th")?.textContent ?? null;
  };
  const key = (target, name, init = {}) => {
    const event = new window.KeyboardEvent("keydown", { key: name, bubbles: true, cancelable: true, ...init });
    target.dispatchEvent(event);
    return event.defaultPrevented;
  };
  const press = (label) => button(label).click();
  return { ...loaded, editable, toolbar, group, button, disabled, caretIn, caretCell, key, press, cells: () => grid(sent(textarea)) };
}

const SMALL = [table(row(th("Year"), th("Votes")), row(td("2024"), td("310"))), paragraph("After the table")];

test("the table's controls show, usable, only while the caret is in a table: a named group after the other buttons", async () => {
  const e = await editor([paragraph("Before the table"), ...SMALL]);
  const labels = [...e.group.querySelectorAll("button")].map((b) => b.getAttribute("aria-label"));
  assert.deepEqual(labels, TABLE_LABELS);
  assert.equal(e.group.getAttribute("aria-label"), "Table");
  assert.equal(e.group.parentElement, e.toolbar, "in the toolbar, so its arrow keys reach them");
  assert.ok([...e.group.querySelectorAll("button")].every((b) => b.type === "button" && b.tabIndex === -1));

  e.caretIn("Before the table");
  assert.equal(e.group.hidden, true);
  for (const label of TABLE_LABELS) assert.equal(e.disabled(label), true, `${label} outside a table`);
  const before = sent(e.textarea);
  e.press("Delete table");
  e.press("Add row below");
  assert.deepEqual(sent(e.textarea), before, "a button pressed anyway outside a table changes nothing");

  e.caretIn("2024");
  assert.equal(e.group.hidden, false);
  for (const label of TABLE_LABELS) assert.equal(e.disabled(label), false, `${label} in a table`);
  assert.equal(e.button("Header row").getAttribute("aria-pressed"), "true");

  e.caretIn("After the table");
  assert.equal(e.group.hidden, true);
});

test("Add row above and below put an empty row of ordinary cells beside the caret's row; Delete row takes the caret's row away", async () => {
  const e = await editor(SMALL);
  e.caretIn("2024");
  e.press("Add row above");
  assert.deepEqual(e.cells(), [["th Year", "th Votes"], ["td", "td"], ["td 2024", "td 310"]]);
  assert.equal(e.caretCell(), "2024", "the caret stays where it was");
  e.press("Add row below");
  assert.deepEqual(e.cells(), [["th Year", "th Votes"], ["td", "td"], ["td 2024", "td 310"], ["td", "td"]]);
  e.press("Delete row");
  assert.deepEqual(e.cells(), [["th Year", "th Votes"], ["td", "td"], ["td", "td"]]);

  // Above the header row: the header stays the first row's only as long as it is on top.
  e.caretIn("Year");
  e.press("Add row above");
  assert.deepEqual(e.cells()[0], ["td", "td"]);
  assert.deepEqual(e.cells()[1], ["th Year", "th Votes"]);
});

test("Add column left and right put an empty column beside the caret's, a header cell in a header row; Delete column takes the caret's away", async () => {
  const e = await editor(SMALL);
  e.caretIn("310");
  e.press("Add column left");
  assert.deepEqual(e.cells(), [["th Year", "th", "th Votes"], ["td 2024", "td", "td 310"]]);
  assert.equal(e.caretCell(), "310");
  e.press("Add column right");
  assert.deepEqual(e.cells(), [["th Year", "th", "th Votes", "th"], ["td 2024", "td", "td 310", "td"]]);
  e.press("Delete column");
  assert.deepEqual(e.cells(), [["th Year", "th", "th"], ["td 2024", "td", "td"]]);
});

test("Header row makes the first row header cells or ordinary ones, wherever in the table the caret is, and says which", async () => {
  const e = await editor(SMALL);
  e.caretIn("310");
  e.press("Header row");
  assert.deepEqual(e.cells(), [["td Year", "td Votes"], ["td 2024", "td 310"]]);
  assert.equal(e.button("Header row").getAttribute("aria-pressed"), "false");
  e.press("Header row");
  assert.deepEqual(e.cells(), [["th Year", "th Votes"], ["td 2024", "td 310"]]);
  assert.equal(e.button("Header row").getAttribute("aria-pressed"), "true");
});

test("a table's last row or column cannot be deleted on its own: those buttons say so and do nothing; Delete table is the way", async () => {
  const e = await editor([table(row(td("Only"), td("Row"))), paragraph("After the table")]);
  e.caretIn("Only");
  assert.equal(e.disabled("Delete row"), true);
  assert.equal(e.disabled("Delete column"), false);
  e.press("Delete row");
  assert.deepEqual(e.cells(), [["td Only", "td Row"]]);
  e.press("Delete column");
  assert.deepEqual(e.cells(), [["td Row"]]);
  assert.equal(e.disabled("Delete column"), true);
  e.press("Delete column");
  assert.deepEqual(e.cells(), [["td Row"]]);
});

test("Delete table removes the whole table; the caret goes to the text after it and the controls go away", async () => {
  const e = await editor([paragraph("Before the table"), ...SMALL]);
  e.caretIn("310");
  e.press("Delete table");
  assert.deepEqual(sent(e.textarea), { type: "doc", content: [paragraph("Before the table"), paragraph("After the table")] });
  assert.equal(e.group.hidden, true);
  assert.equal(e.disabled("Delete table"), true);
  const { anchorNode } = e.window.getSelection();
  assert.equal((anchorNode.nodeType === 3 ? anchorNode.parentElement : anchorNode).closest("p").textContent, "After the table");
  // Undo brings it back, controls and all.
  assert.equal(e.key(e.editable, "z", { ctrlKey: true }), true);
  assert.deepEqual(e.cells(), [["th Year", "th Votes"], ["td 2024", "td 310"]]);
});

test("a table that is the whole article can be deleted too: an empty paragraph is left to type in", async () => {
  const e = await editor([table(row(th("Year")), row(td("2024")))]);
  e.caretIn("2024");
  e.press("Delete table");
  assert.deepEqual(sent(e.textarea), { type: "doc", content: [{ type: "paragraph" }] });
});

test("Tab and Shift-Tab move between cells; Tab in the last cell adds a row and moves into it", async () => {
  const e = await editor(SMALL);
  e.caretIn("Year");
  assert.equal(e.key(e.editable, "Tab"), true, "Tab stays in the editor");
  assert.equal(e.caretCell(), "Votes");
  e.key(e.editable, "Tab");
  assert.equal(e.caretCell(), "2024", "from the end of a row to the start of the next");
  e.key(e.editable, "Tab", { shiftKey: true });
  assert.equal(e.caretCell(), "Votes");
  e.key(e.editable, "Tab");
  e.key(e.editable, "Tab");
  assert.equal(e.caretCell(), "310");
  assert.equal(e.key(e.editable, "Tab"), true);
  assert.deepEqual(e.cells(), [["th Year", "th Votes"], ["td 2024", "td 310"], ["td", "td"]]);
  assert.equal(e.caretCell(), "", "in the new row's first cell");
});

test("the toolbar's arrow keys reach the table's controls while they show, and pass them by when hidden; a button sends the caret back", async () => {
  const e = await editor([paragraph("Before the table"), ...SMALL]);
  e.caretIn("2024");
  // Where Tab from the page's previous field lands: the toolbar's one Tab stop.
  e.button("Bold").focus();
  e.key(e.page.activeElement, "End");
  assert.equal(e.page.activeElement, e.button("Delete table"));
  e.key(e.page.activeElement, "ArrowLeft");
  assert.equal(e.page.activeElement, e.button("Header row"));
  assert.equal(e.button("Header row").tabIndex, 0, "the Tab stop moves with the arrows");
  e.key(e.page.activeElement, "Home");
  e.key(e.page.activeElement, "ArrowLeft");
  assert.equal(e.page.activeElement, e.button("Delete table"), "the arrows wrap around, through the table's controls");
  e.key(e.page.activeElement, "ArrowLeft");
  e.key(e.page.activeElement, "ArrowLeft");
  e.page.activeElement.click(); // Delete column
  assert.deepEqual(e.cells(), [["th Votes"], ["td 310"]]);
  assert.equal(e.page.activeElement, e.editable);

  // Out of the table the controls are hidden: the Tab stop leaves them, the arrows skip them.
  e.caretIn("Before the table");
  assert.equal(e.button("Delete column").tabIndex, -1);
  assert.equal(e.button("Bold").tabIndex, 0);
  e.button("Bold").focus();
  e.key(e.page.activeElement, "End");
  assert.equal(e.page.activeElement, e.button("Questions and answers"));
  e.key(e.page.activeElement, "ArrowRight");
  assert.equal(e.page.activeElement, e.button("Bold"));
});

test("Alt-F10 in the text goes to the toolbar's Tab stop, since Tab in a table moves between cells instead of leaving the text", async () => {
  const e = await editor([paragraph("Before the table"), ...SMALL]);
  e.caretIn("2024");
  e.button("Bold").focus();
  e.key(e.page.activeElement, "End");
  e.caretIn("310");
  assert.equal(e.key(e.editable, "F10", { altKey: true }), true);
  assert.equal(e.page.activeElement, e.button("Delete table"), "the button last moved to");
  e.caretIn("Before the table");
  assert.equal(e.key(e.editable, "F10", { altKey: true }), true);
  assert.equal(e.page.activeElement, e.button("Bold"), "the first button, when the last one moved to is hidden");
  assert.equal(e.key(e.editable, "F10"), false, "F10 alone is the browser's");
  assert.equal(e.toolbar.getAttribute("aria-keyshortcuts"), "Alt+F10", "and screen readers are told");
});
