// Markdown typed into the editor turns into structure as one types.
import { test } from "node:test";
import assert from "node:assert/strict";
import { undoInputRule } from "prosemirror-inputrules";
import { n, run, stateAt, typeText } from "./support/editing.js";

// The document as the server receives it: JSON text.
const json = (doc) => JSON.parse(JSON.stringify(doc.toJSON()));
const typed = (text) => json(typeText(stateAt(n.doc(n.paragraph())), text).doc).content;
const para = (...content) => ({ type: "paragraph", ...(content.length ? { content } : {}) });
const text = (t, ...marks) => (marks.length ? { type: "text", marks: marks.map((type) => ({ type })), text: t } : { type: "text", text: t });

for (const level of [2, 3, 4]) {
  test(`${"#".repeat(level)} and a space make a heading of level ${level}`, () => {
    assert.deepEqual(typed(`${"#".repeat(level)} Title`), [{ type: "heading", attrs: { level }, content: [text("Title")] }]);
  });
}

test("a single # is left as typed (articles have no level-1 headings)", () => {
  assert.deepEqual(typed("# Title"), [para(text("# Title"))]);
});

test("> and a space make a quote", () => {
  assert.deepEqual(typed("> Said"), [{ type: "blockquote", content: [para(text("Said"))] }]);
});

for (const bullet of ["-", "*"]) {
  test(`${bullet} and a space make a bulleted list`, () => {
    assert.deepEqual(typed(`${bullet} One`), [{ type: "bullet_list", content: [{ type: "list_item", content: [para(text("One"))] }] }]);
  });
}

test("1. and a space make a numbered list; another number starts there", () => {
  assert.deepEqual(typed("1. One"), [{ type: "ordered_list", attrs: { start: 1 }, content: [{ type: "list_item", content: [para(text("One"))] }] }]);
  assert.equal(typed("4. Four")[0].attrs.start, 4);
});

test("--- makes a separator and a paragraph to go on in", () => {
  const state = typeText(stateAt(n.doc(n.paragraph())), "---next");
  assert.deepEqual(json(state.doc).content, [{ type: "horizontal_rule" }, para(text("next"))]);
});

test("--- inside a sentence stays text", () => {
  assert.deepEqual(typed("a---"), [para(text("a---"))]);
});

test("**bold**, *italic* and `code` become marks, and typing after them is plain", () => {
  assert.deepEqual(typed("a **b** c"), [para(text("a "), text("b", "strong"), text(" c"))]);
  assert.deepEqual(typed("a *b* c"), [para(text("a "), text("b", "em"), text(" c"))]);
  assert.deepEqual(typed("a `b` c"), [para(text("a "), text("b", "code"), text(" c"))]);
  assert.deepEqual(typed("**two words**"), [para(text("two words", "strong"))]);
});

test("**bold** is not taken for italic on the way", () => {
  assert.deepEqual(typed("**b*"), [para(text("**b*"))]);
});

test("asterisks with spaces inside (2 * 3 * 4) stay text", () => {
  assert.deepEqual(typed("2 * 3 * 4"), [para(text("2 * 3 * 4"))]);
});

test("no marks inside code", () => {
  assert.deepEqual(typed("`a *b*`"), [para(text("a *b*", "code"))]);
});

test("Backspace right after a rule puts back what was typed", () => {
  const state = typeText(stateAt(n.doc(n.paragraph())), "## ");
  assert.equal(state.doc.firstChild.type.name, "heading");
  const undone = run(undoInputRule, state);
  assert.deepEqual(json(undone.doc).content, [para(text("## "))]);
});
