// The cleaner's decisions, one at a time (the corpus test runs the real captures).
import { test } from "node:test";
import assert from "node:assert/strict";
import { DOMParser, DOMSerializer } from "prosemirror-model";
import { cleanPastedHTML } from "../src/paste/clean.js";
import { readMarker } from "../src/paste/word-lists.js";
import { schema } from "../src/schema.js";
import { document, parseBody } from "./support/dom.js";
import { marked, n } from "./support/editing.js";

const pasted = (html) => DOMParser.fromSchema(schema).parse(parseBody(cleanPastedHTML(html, document)));
const json = (doc) => JSON.parse(JSON.stringify(doc.toJSON()));

const wordItem = (marker, text, level = 1, list = "l0", font = "Calibri") =>
  `<p class=MsoListParagraphCxSpMiddle style='text-indent:-.25in;mso-list:${list} level${level} lfo1'><![if !supportLists]><span style='font-family:${font}'><span style='mso-list:Ignore'>${marker}<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp; </span></span></span><![endif]>${text}<o:p></o:p></p>`;

test("Word list paragraphs become nested lists without their typed markers", () => {
  const doc = pasted(
    "<p class=MsoNormal>Before<o:p></o:p></p>" +
      wordItem("1.", "One") +
      wordItem("a.", "One a", 2) +
      wordItem("b.", "One b", 2) +
      wordItem("2.", "Two") +
      "<p class=MsoNormal><o:p>&nbsp;</o:p></p>" +
      wordItem("·", "Bullet", 1, "l1", "Symbol"),
  );
  const item = (text, ...rest) => ({ type: "list_item", content: [{ type: "paragraph", content: [{ type: "text", text }] }, ...rest] });
  assert.deepEqual(json(doc).content, [
    { type: "paragraph", content: [{ type: "text", text: "Before" }] },
    {
      type: "ordered_list",
      attrs: { start: 1 },
      content: [item("One", { type: "ordered_list", attrs: { start: 1 }, content: [item("One a"), item("One b")] }), item("Two")],
    },
    { type: "bullet_list", content: [item("Bullet")] },
  ]);
});

test("a typed marker says whether the list is numbered, and from where", () => {
  const read = (text, font = "") => {
    const { ordered, start } = readMarker(text, font);
    return ordered ? start : "bullet";
  };
  assert.deepEqual(
    ["1.", "3)", "(2)", "1.2.5.", "c.", "iv.", "IV.", "A", "i.", "·", "o", "§", "-", "F", ""].map((m) => read(m, m === "§" || m === "F" ? "Wingdings" : "")),
    [1, 3, 2, 5, 3, 4, 4, 1, 1, "bullet", "bullet", "bullet", "bullet", "bullet", "bullet"],
  );
});

test("a Word list inside a table cell keeps its numbers as text (cells hold paragraphs only)", () => {
  const doc = pasted(`<table><tr><td>${wordItem("1.", "First")}${wordItem("2.", "Second")}</td></tr></table>`);
  const cell = json(doc).content[0].content[0].content[0];
  assert.deepEqual(cell.content.map((p) => p.content.map((t) => t.text).join("")), ["1. First", "2. Second"]);
});

test("the Google Docs wrapper is not bold; its spans' weights and styles are", () => {
  const doc = pasted(
    '<meta charset="utf-8"><b style="font-weight:normal;" id="docs-internal-guid-1"><p dir="ltr"><span style="font-weight:400">plain </span><span style="font-weight:700">bold</span><span style="font-style:italic;font-weight:400"> italic</span></p><br><h1><span style="font-weight:400">Title</span></h1></b>',
  );
  assert.deepEqual(json(doc).content, [
    { type: "paragraph", content: [{ type: "text", text: "plain " }, { type: "text", marks: [{ type: "strong" }], text: "bold" }, { type: "text", marks: [{ type: "em" }], text: " italic" }] },
    { type: "heading", attrs: { level: 2 }, content: [{ type: "text", text: "Title" }] },
  ]);
});

test("comments, styles, classes and Office elements go; the text stays", () => {
  const cleaned = cleanPastedHTML(
    `<html><head><style>p.MsoNormal{mso-style-parent:"";}</style></head><body><!--[if gte mso 9]><xml><o:OfficeDocumentSettings/></xml><![endif]--><p class=MsoNormal style='mso-margin-top-alt:auto'>In <st1:place w:st="on">Paris</st1:place><o:p></o:p></p></body></html>`,
    document,
  );
  assert.equal(cleaned, "<p>In Paris</p>");
});

test("images from the writer's disk and placeholders are dropped, web images kept", () => {
  const doc = pasted('<p>a<img src="file:///C:/Users/x/image001.png">b</p><p><img src="[image]"></p><p><img src="https://example.org/a.jpg" alt="A"></p>');
  assert.deepEqual(
    json(doc).content.map((node) => node.type),
    ["paragraph", "image"],
  );
  assert.equal(doc.firstChild.textContent, "ab");
});

test("a <pre> keeps its lines as line breaks", () => {
  const doc = pasted("<pre>one\ntwo</pre>");
  assert.deepEqual(json(doc).content[0].content.map((c) => c.type), ["text", "hard_break", "text"]);
});

test("what the editor itself copies comes back whole", () => {
  const doc = n.doc(
    n.pull_quote({ cite: "A. Speaker" }, "Said it"),
    n.image({ src: "/media/1.jpg", alt: "A", caption: "Caption", credit: "Credit", media: 7 }),
    n.read_more({ href: "/news/other", headline: "Other" }),
    n.faq(n.faq_item(n.faq_question("Why?"), n.faq_answer(n.paragraph(marked("Because", "em"))))),
  );
  const holder = document.createElement("div");
  holder.append(DOMSerializer.fromSchema(schema).serializeFragment(doc.content, { document }));
  assert.deepEqual(json(pasted(holder.innerHTML)), json(doc));
});
