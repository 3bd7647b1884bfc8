// The document's JSON is a contract with the server's renderer: every node and mark type,
// with exactly these names and attributes. A change here is a change to the Rust side too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DOMParser, DOMSerializer, Node } from "prosemirror-model";
import { schema } from "../src/schema.js";
import { document, parseBody } from "./support/dom.js";
import { marked, n } from "./support/editing.js";

const json = (doc) => JSON.parse(JSON.stringify(doc.toJSON()));
const p = (...content) => ({ type: "paragraph", content });
const t = (text) => ({ type: "text", text });
const cell = (type, text) => ({ type, attrs: { colspan: 1, rowspan: 1, colwidth: null }, content: [p(t(text))] });

function everyNode() {
  return n.doc(
    n.paragraph(
      "plain ",
      marked("bold", "strong"),
      marked("italic", "em"),
      marked("code", "code"),
      marked("link", ["link", { href: "/news/slug", title: null }]),
      n.hard_break(),
      marked("titled", ["link", { href: "https://example.org/", title: "Example" }]),
    ),
    n.heading({ level: 2 }, "Two"),
    n.heading({ level: 3 }, "Three"),
    n.heading({ level: 4 }, "Four"),
    n.blockquote(n.paragraph("quoted"), n.bullet_list(n.list_item(n.paragraph("in quote")))),
    n.pull_quote({ cite: "A. Speaker" }, "Said it"),
    n.bullet_list(n.list_item(n.paragraph("item"), n.ordered_list({ start: 3 }, n.list_item(n.paragraph("nested"))))),
    n.ordered_list(n.list_item(n.paragraph("first"))),
    n.horizontal_rule(),
    n.image({ src: "/media/1.jpg", alt: "A bridge", caption: "The bridge", credit: "Photo: A. Person", media: 1 }),
    n.table(
      n.table_row(n.table_header(n.paragraph("H"))),
      n.table_row(n.table_cell(n.paragraph("C"))),
    ),
    n.read_more({ href: "/news/other", headline: "Other story" }),
    n.faq(n.faq_item(n.faq_question("Why?"), n.faq_answer(n.paragraph("Because.")))),
  );
}

test("every node and mark type has the contract's name and attributes in doc.toJSON()", () => {
  assert.deepEqual(json(everyNode()), {
    type: "doc",
    content: [
      p(
        t("plain "),
        { type: "text", marks: [{ type: "strong" }], text: "bold" },
        { type: "text", marks: [{ type: "em" }], text: "italic" },
        { type: "text", marks: [{ type: "code" }], text: "code" },
        { type: "text", marks: [{ type: "link", attrs: { href: "/news/slug", title: null } }], text: "link" },
        { type: "hard_break" },
        { type: "text", marks: [{ type: "link", attrs: { href: "https://example.org/", title: "Example" } }], text: "titled" },
      ),
      { type: "heading", attrs: { level: 2 }, content: [t("Two")] },
      { type: "heading", attrs: { level: 3 }, content: [t("Three")] },
      { type: "heading", attrs: { level: 4 }, content: [t("Four")] },
      { type: "blockquote", content: [p(t("quoted")), { type: "bullet_list", content: [{ type: "list_item", content: [p(t("in quote"))] }] }] },
      { type: "pull_quote", attrs: { cite: "A. Speaker" }, content: [t("Said it")] },
      {
        type: "bullet_list",
        content: [{ type: "list_item", content: [p(t("item")), { type: "ordered_list", attrs: { start: 3 }, content: [{ type: "list_item", content: [p(t("nested"))] }] }] }],
      },
      { type: "ordered_list", attrs: { start: 1 }, content: [{ type: "list_item", content: [p(t("first"))] }] },
      { type: "horizontal_rule" },
      { type: "image", attrs: { src: "/media/1.jpg", alt: "A bridge", caption: "The bridge", credit: "Photo: A. Person", media: 1 } },
      { type: "table", content: [{ type: "table_row", content: [cell("table_header", "H")] }, { type: "table_row", content: [cell("table_cell", "C")] }] },
      { type: "read_more", attrs: { href: "/news/other", headline: "Other story" } },
      {
        type: "faq",
        content: [{ type: "faq_item", content: [{ type: "faq_question", content: [t("Why?")] }, { type: "faq_answer", content: [p(t("Because."))] }] }],
      },
    ],
  });
});

test("defaults: a pull quote without cite, an image without caption, credit or library id", () => {
  assert.deepEqual(json(n.pull_quote("q")).attrs, { cite: "" });
  assert.deepEqual(json(n.image({ src: "/a.jpg" })).attrs, { src: "/a.jpg", alt: "", caption: "", credit: "", media: null });
  assert.deepEqual(json(n.ordered_list(n.list_item(n.paragraph()))).attrs, { start: 1 });
});

test("JSON from the server reads back into the same document", () => {
  const doc = everyNode();
  assert.ok(Node.fromJSON(schema, JSON.parse(JSON.stringify(doc.toJSON()))).eq(doc));
});

test("JSON outside the contract is refused, not guessed at", () => {
  const refused = (content) => assert.throws(() => Node.fromJSON(schema, { type: "doc", content: [content] }).check());
  refused({ type: "heading", attrs: { level: 1 }, content: [t("x")] });
  refused({ type: "heading", attrs: { level: 5 }, content: [t("x")] });
  refused({ type: "image", attrs: { alt: "no source" } });
  refused({ type: "image", attrs: { src: "/a.jpg", media: "12" } });
  refused({ type: "ordered_list", attrs: { start: "3" }, content: [{ type: "list_item", content: [p(t("x"))] }] });
  refused({ type: "code_block", content: [t("x")] });
  refused({ type: "list_item", content: [{ type: "bullet_list", content: [] }] });
});

test("the editor's own HTML (what a copy puts on the clipboard) parses back to the same document", () => {
  const doc = everyNode();
  const holder = document.createElement("div");
  holder.append(DOMSerializer.fromSchema(schema).serializeFragment(doc.content, { document }));
  assert.deepEqual(json(DOMParser.fromSchema(schema).parse(holder)), json(doc));
});

test("HTML headings map to levels 2 to 4", () => {
  const levels = DOMParser.fromSchema(schema)
    .parse(parseBody("<h1>a</h1><h2>b</h2><h3>c</h3><h4>d</h4><h5>e</h5><h6>f</h6>"))
    .content.content.map((h) => h.attrs.level);
  assert.deepEqual(levels, [2, 2, 3, 4, 4, 4]);
});

test("bold and italic come from tags and from styles; a <b> marked normal is not bold", () => {
  const doc = DOMParser.fromSchema(schema).parse(
    parseBody('<p><b style="font-weight:normal">plain <span style="font-weight:700">heavy</span></b> <span style="font-style:italic">slanted</span> <b>b</b> <strong><span style="font-weight:400">light</span></strong></p>'),
  );
  const runs = [];
  doc.descendants((node) => {
    if (node.isText && node.text.trim()) runs.push([node.text.trim(), node.marks.map((m) => m.type.name).join(",")]);
  });
  assert.deepEqual(runs, [["plain", ""], ["heavy", "strong"], ["slanted", "em"], ["b", "strong"], ["light", ""]]);
});

test("links and images that cannot work for a reader are dropped, their text kept", () => {
  const doc = DOMParser.fromSchema(schema).parse(
    parseBody('<p><a href="javascript:alert(1)">script</a> <a href="file:///C:/x.doc">file</a> <a href="/news/a">site</a></p><img src="file:///C:/x.png"><img src="[image]">'),
  );
  assert.equal(doc.childCount, 1);
  const links = [];
  doc.descendants((node) => node.marks?.forEach((m) => m.type.name === "link" && links.push(m.attrs.href)));
  assert.deepEqual(links, ["/news/a"]);
  assert.equal(doc.textContent, "script file site");
});
