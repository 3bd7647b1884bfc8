// What the toolbar buttons and the editor's keys do to a document.
import { test } from "node:test";
import assert from "node:assert/strict";
import { baseKeymap, chainCommands } from "prosemirror-commands";
import { NodeSelection, TextSelection } from "prosemirror-state";
import {
  editImage,
  editReadMore,
  faqEnter,
  insertFaq,
  insertSeparator,
  insertTable,
  toggleHeading,
  toggleLink,
  toggleList,
  togglePullQuote,
} from "../src/commands.js";
import { buildKeymap } from "../src/keymap.js";
import { schema } from "../src/schema.js";
import { n, run, stateAt, typeText } from "./support/editing.js";

const json = (doc) => JSON.parse(JSON.stringify(doc.toJSON()));
const shape = (doc) => {
  const out = [];
  doc.descendants((node, pos, parent) => {
    if (parent === doc) out.push(node.type.name);
  });
  return out;
};
const answers = (values) => () => values;
const never = () => assert.fail("nothing should be asked");

test("Mod-s is not the editor's: the page saves with it", () => {
  const keys = Object.keys(buildKeymap(schema));
  assert.ok(!keys.some((k) => /^(Mod|Ctrl|Cmd)-s$/i.test(k)), keys.join(" "));
  for (const k of ["Mod-b", "Mod-i", "Mod-z", "Mod-Shift-z", "Mod-y", "Enter", "Shift-Enter", "Tab", "Shift-Tab"]) assert.ok(keys.includes(k), k);
});

test("the heading buttons toggle between heading and paragraph", () => {
  const on = run(toggleHeading(schema, 2), stateAt(n.doc(n.paragraph("Title"))));
  assert.deepEqual(json(on.doc).content[0].attrs, { level: 2 });
  const off = run(toggleHeading(schema, 2), on);
  assert.equal(off.doc.firstChild.type.name, "paragraph");
});

test("the list buttons wrap, switch kind and unwrap", () => {
  const bullets = run(toggleList(schema, schema.nodes.bullet_list), stateAt(n.doc(n.paragraph("item"))));
  assert.deepEqual(shape(bullets.doc), ["bullet_list"]);
  const numbers = run(toggleList(schema, schema.nodes.ordered_list), bullets);
  assert.deepEqual(json(numbers.doc).content[0], { type: "ordered_list", attrs: { start: 1 }, content: [{ type: "list_item", content: [{ type: "paragraph", content: [{ type: "text", text: "item" }] }] }] });
  assert.deepEqual(shape(run(toggleList(schema, schema.nodes.ordered_list), numbers).doc), ["paragraph"]);
});

test("Tab nests a list item and Shift-Tab brings it back", () => {
  const keys = buildKeymap(schema);
  let state = stateAt(n.doc(n.bullet_list(n.list_item(n.paragraph("a")), n.list_item(n.paragraph("b")))), 9);
  state = run(keys.Tab, state);
  assert.equal(json(state.doc).content[0].content[0].content[1].type, "bullet_list");
  state = run(keys["Shift-Tab"], state);
  assert.equal(json(state.doc).content[0].content.length, 2);
});

test("Tab moves through table cells and adds a row after the last", () => {
  const keys = buildKeymap(schema);
  let state = run(insertTable(schema), stateAt(n.doc(n.paragraph())));
  const table = state.doc.firstChild;
  assert.equal(table.childCount, 3);
  assert.deepEqual([...Array(3).keys()].map((r) => table.child(r).firstChild.type.name), ["table_header", "table_cell", "table_cell"]);
  assert.equal(state.selection.$from.node(-1).type.name, "table_header", "the cursor starts in the first header cell");
  const view = { state, dispatch: (tr) => (view.state = view.state.apply(tr)) };
  for (let i = 0; i < 9; i++) keys.Tab(view.state, view.dispatch, view);
  assert.equal(view.state.doc.firstChild.childCount, 4);
});

test("link: asks for the address, accepts a site path, and unlinks on a second press", () => {
  let state = stateAt(n.doc(n.paragraph("read this")));
  state = state.apply(state.tr.setSelection(TextSelection.create(state.doc, 1, 5)));
  state = run(toggleLink(schema, answers({ href: "/news/slug" })), state);
  assert.deepEqual(json(state.doc).content[0].content[0], { type: "text", marks: [{ type: "link", attrs: { href: "/news/slug", title: null } }], text: "read" });
  state = state.apply(state.tr.setSelection(TextSelection.create(state.doc, 3)));
  state = run(toggleLink(schema, never), state);
  assert.equal(json(state.doc).content[0].content[0].marks, undefined);
});

test("link: a bare host is taken as https, and a script address is refused", () => {
  let state = stateAt(n.doc(n.paragraph("x")));
  state = state.apply(state.tr.setSelection(TextSelection.create(state.doc, 1, 2)));
  assert.equal(json(run(toggleLink(schema, answers({ href: "example.org/a" })), state).doc).content[0].content[0].marks[0].attrs.href, "https://example.org/a");
  assert.equal(run(toggleLink(schema, answers({ href: "javascript:alert(1)" })), state), null);
});

test("link: without a selection, an answer's text (an article's headline) is the link's text", () => {
  const state = run(toggleLink(schema, answers({ href: "/news/budget", text: "Council passes the budget" })), stateAt(n.doc(n.paragraph("See "))));
  assert.deepEqual(json(state.doc).content[0].content[1], {
    type: "text",
    marks: [{ type: "link", attrs: { href: "/news/budget", title: null } }],
    text: "Council passes the budget",
  });
});

test("blocks go where the cursor is in a top-level paragraph, after the block otherwise, with a line to type on after", () => {
  const at = (doc, pos) => {
    const state = run(insertSeparator(schema), stateAt(doc, pos));
    return [shape(state.doc), state.selection.$from.parent.textContent, state.selection.$from.parentOffset];
  };
  assert.deepEqual(at(n.doc(n.paragraph("ab")), 2), [["paragraph", "horizontal_rule", "paragraph"], "b", 0], "between the halves");
  assert.deepEqual(at(n.doc(n.paragraph("ab")), 3), [["paragraph", "horizontal_rule", "paragraph"], "", 0], "after, a new line");
  assert.deepEqual(at(n.doc(n.paragraph("ab")), 1), [["horizontal_rule", "paragraph"], "ab", 0], "before");
  assert.deepEqual(at(n.doc(n.paragraph("a"), n.paragraph(), n.paragraph("b")), 4), [["paragraph", "horizontal_rule", "paragraph"], "b", 0], "in place of an empty one");
  assert.deepEqual(at(n.doc(n.bullet_list(n.list_item(n.paragraph("a"))), n.paragraph("z")), 3), [["bullet_list", "horizontal_rule", "paragraph"], "z", 0], "after a list");
});

test("image: asks for address, alt text, caption and credit; edits the selected one", () => {
  const ask = answers({ src: "https://example.org/a.jpg", alt: "A bridge", caption: "The bridge", credit: "A. Person" });
  let state = run(editImage(schema, ask), stateAt(n.doc(n.paragraph())));
  assert.deepEqual(json(state.doc).content[0], { type: "image", attrs: { src: "https://example.org/a.jpg", alt: "A bridge", caption: "The bridge", credit: "A. Person", media: null } });
  state = state.apply(state.tr.setSelection(NodeSelection.create(state.doc, 0)));
  state = run(editImage(schema, answers({ src: "https://example.org/a.jpg", alt: "A bridge", caption: "New caption", credit: "" })), state);
  assert.equal(state.doc.firstChild.attrs.caption, "New caption");
  assert.equal(run(editImage(schema, answers({ src: "file:///C:/a.jpg", alt: "", caption: "", credit: "" })), stateAt(n.doc(n.paragraph()))), null);
});

test("image: an uploaded image's media id comes with the answer; a new address drops the old one", () => {
  const upload = answers({ src: "/media/a.jpg", alt: "A hall", caption: "", credit: "", media: 12 });
  let state = run(editImage(schema, upload), stateAt(n.doc(n.paragraph())));
  assert.equal(state.doc.firstChild.attrs.media, 12);
  state = state.apply(state.tr.setSelection(NodeSelection.create(state.doc, 0)));
  state = run(editImage(schema, answers({ src: "https://example.org/b.jpg", alt: "B", caption: "", credit: "" })), state);
  assert.equal(state.doc.firstChild.attrs.media, null);
});

test("read more: asks for the article's address and headline", () => {
  const state = run(editReadMore(schema, answers({ href: "/news/other", headline: "Other story" })), stateAt(n.doc(n.paragraph())));
  assert.deepEqual(json(state.doc).content[0], { type: "read_more", attrs: { href: "/news/other", headline: "Other story" } });
});

test("pull quote: asks who said it; pressed again, a paragraph", () => {
  const on = run(togglePullQuote(schema, answers({ cite: "A. Speaker" })), stateAt(n.doc(n.paragraph("Words"))));
  assert.deepEqual(json(on.doc).content[0], { type: "pull_quote", attrs: { cite: "A. Speaker" }, content: [{ type: "text", text: "Words" }] });
  assert.equal(run(togglePullQuote(schema, never), on).doc.firstChild.type.name, "paragraph");
});

test("FAQ: one question and answer, Enter from question to answer, a new question, then out", () => {
  let state = run(insertFaq(schema), stateAt(n.doc(n.paragraph())));
  assert.equal(state.selection.$from.parent.type.name, "faq_question", "the cursor is in the question");
  state = typeText(state, "Why?");
  state = run(faqEnter(schema), state);
  assert.equal(state.selection.$from.node(-1).type.name, "faq_answer");
  state = typeText(state, "Because.");
  // As in the editor: bbn's keys first, then ProseMirror's base keys.
  const enter = () => (state = run(chainCommands(buildKeymap(schema).Enter, baseKeymap.Enter), state));
  enter(); // a new, empty line in the answer
  enter(); // on it, empty: a new question
  assert.equal(state.selection.$from.parent.type.name, "faq_question");
  enter(); // on the empty question: out of the FAQ
  assert.equal(state.selection.$from.parent.type.name, "paragraph");
  assert.equal(state.selection.$from.depth, 1);
  assert.deepEqual(json(state.doc).content.slice(0, 1), [
    {
      type: "faq",
      content: [
        {
          type: "faq_item",
          content: [
            { type: "faq_question", content: [{ type: "text", text: "Why?" }] },
            { type: "faq_answer", content: [{ type: "paragraph", content: [{ type: "text", text: "Because." }] }] },
          ],
        },
      ],
    },
  ]);
});

test("the FAQ button inside a FAQ adds a question after the current one", () => {
  let state = run(insertFaq(schema), stateAt(n.doc(n.paragraph())));
  state = run(insertFaq(schema), state);
  assert.equal(state.doc.firstChild.childCount, 2);
});

test("bold and italic keys mark the selection", () => {
  let state = stateAt(n.doc(n.paragraph("word")));
  state = state.apply(state.tr.setSelection(TextSelection.create(state.doc, 1, 5)));
  state = run(buildKeymap(schema)["Mod-b"], state);
  state = run(buildKeymap(schema)["Mod-i"], state);
  assert.deepEqual(json(state.doc).content[0].content[0].marks, [{ type: "em" }, { type: "strong" }]);
});
