// Pasted plain text: Markdown becomes structure, other text becomes paragraphs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { looksLikeMarkdown, parsePastedText } from "../src/paste/text.js";
import { schema } from "../src/schema.js";
import { document } from "./support/dom.js";
import { n } from "./support/editing.js";

const $start = n.doc(n.paragraph()).resolve(1);
const pasted = (text, plain = false) => JSON.parse(JSON.stringify(parsePastedText(schema, text, $start, plain, document).content.toJSON()));
const types = (text, plain) => pasted(text, plain).map((node) => node.type);

test("Markdown is recognised by its headings, lists, quotes and emphasis", () => {
  for (const text of ["## Title\n\nText", "- one\n- two", "1. one\n2. two", "> quoted", "some **bold** words", "an *emphasised* word", "a [link](/news/a)"]) {
    assert.ok(looksLikeMarkdown(text), text);
  }
  for (const text of ["Just a sentence.", "Prices rose 2 * 3 percent", "email me at a_b_c@example.org", "#hashtag news"]) {
    assert.ok(!looksLikeMarkdown(text), text);
  }
});

test("Markdown becomes headings, lists, quotes and marks", () => {
  const doc = pasted("# Big\n\n## Section\n\nText with **bold**, *italic*, `code` and a [link](/news/a).\n\n- one\n- two\n  1. nested\n\n> quoted\n\n---\n\n3. three");
  assert.deepEqual(
    doc.map((node) => node.type + (node.attrs ? JSON.stringify(node.attrs) : "")),
    ['heading{"level":2}', 'heading{"level":2}', "paragraph", "bullet_list", "blockquote", "horizontal_rule", 'ordered_list{"start":3}'],
  );
  const marks = doc[2].content.filter((c) => c.marks).map((c) => [c.text, c.marks[0].type]);
  assert.deepEqual(marks, [["bold", "strong"], ["italic", "em"], ["code", "code"], ["link", "link"]]);
  assert.equal(doc[3].content[1].content[1].type, "ordered_list");
});

test("HTML typed in pasted text stays text", () => {
  const doc = pasted("## Title\n\n<script>alert(1)</script> <b>not bold</b>");
  assert.equal(doc[1].content[0].text, "<script>alert(1)</script> <b>not bold</b>");
});

test("other text: blank lines separate paragraphs, single line breaks stay breaks", () => {
  const doc = pasted("First line\nsame paragraph\n\nSecond paragraph");
  assert.deepEqual(types("First line\nsame paragraph\n\nSecond paragraph"), ["paragraph", "paragraph"]);
  assert.deepEqual(doc[0].content.map((c) => c.type), ["text", "hard_break", "text"]);
});

test("text without blank lines has a paragraph per line", () => {
  assert.deepEqual(types("one\ntwo\nthree"), ["paragraph", "paragraph", "paragraph"]);
});

test("pasting as plain text does not read Markdown", () => {
  assert.deepEqual(pasted("## Title", true), [{ type: "paragraph", content: [{ type: "text", text: "## Title" }] }]);
});
