// Writes test/fixtures/y-body.json (`npm run fixtures`): a document that uses every node
// type, mark and attribute of src/schema.js, and the Yjs update that y-prosemirror makes of
// it as the XmlFragment "body". The newsroom's Rust side (yrs) reads the update to check its
// converter both ways against the one the editor uses. Deterministic: the Y.Doc's client id
// is fixed, so the same sources give the same bytes.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Node } from "prosemirror-model";
import { prosemirrorJSONToYXmlFragment } from "y-prosemirror";
import * as Y from "yjs";
import { schema } from "./src/schema.js";

const here = path.dirname(fileURLToPath(import.meta.url));
export const FIXTURE = path.join(here, "test/fixtures/y-body.json");
export const CLIENT_ID = 1;

const text = (words, ...marks) => ({ type: "text", text: words, ...(marks.length ? { marks } : {}) });
const p = (...content) => ({ type: "paragraph", ...(content.length ? { content } : {}) });
const item = (...content) => ({ type: "list_item", content });
const cell = (type, attrs, words) => ({ type, attrs, content: [p(text(words))] });
const strong = { type: "strong" };
const em = { type: "em" };
const code = { type: "code" };
const link = (href, title = null) => ({ type: "link", attrs: { href, title } });

const source = {
  type: "doc",
  content: [
    { type: "heading", attrs: { level: 2 }, content: [text("Council passes the budget")] },
    p(
      text("Plain, "),
      text("bold", strong),
      text(", "),
      text("italic", em),
      text(", "),
      text("code", code),
      text(", "),
      text("a link", link("/news/2024/council")),
      text(", "),
      text("a titled link", link("https://example.com/report", "The report")),
      text(" and "),
      text("all at once", link("/news/1"), em, strong),
      { type: "hard_break" },
      text("after a line break."),
    ),
    { type: "heading", attrs: { level: 3 }, content: [text("What changes")] },
    { type: "heading", attrs: { level: 4 }, content: [text("For schools")] },
    {
      type: "blockquote",
      content: [p(text("Quoted at length.")), { type: "bullet_list", content: [item(p(text("A point inside the quote")))] }],
    },
    { type: "pull_quote", attrs: { cite: "Ann Editor, council member" }, content: [text("We kept every library open.")] },
    { type: "pull_quote", attrs: { cite: "" }, content: [text("Nobody said this.")] },
    {
      type: "bullet_list",
      content: [
        item(p(text("One")), { type: "ordered_list", attrs: { start: 1 }, content: [item(p(text("One, first")))] }),
        item(p(text("Two")), { type: "bullet_list", content: [item(p(text("Two, nested")))] }),
      ],
    },
    { type: "ordered_list", attrs: { start: 3 }, content: [item(p(text("Third")), p(text("More of the third")))] },
    { type: "horizontal_rule" },
    {
      type: "image",
      attrs: { src: "/media/12/town-hall.jpg", alt: "The town hall at dusk", caption: "The hall, lit for the vote", credit: "Photo: Bo Chen", media: 12 },
    },
    { type: "image", attrs: { src: "https://images.example/chart.png", alt: "", caption: "", credit: "", media: null } },
    // Column widths as the table editor keeps them: the same for every cell of a column
    // (otherwise the editor's table fixing would change them on opening), or none at all.
    {
      type: "table",
      content: [
        {
          type: "table_row",
          content: [cell("table_header", { colspan: 1, rowspan: 1, colwidth: [180] }, "Service"), cell("table_header", { colspan: 1, rowspan: 1, colwidth: [120] }, "Budget")],
        },
        { type: "table_row", content: [cell("table_cell", { colspan: 2, rowspan: 1, colwidth: [180, 120] }, "Both columns")] },
        {
          type: "table_row",
          content: [cell("table_cell", { colspan: 1, rowspan: 2, colwidth: [180] }, "Two rows"), cell("table_cell", { colspan: 1, rowspan: 1, colwidth: [120] }, "4.2 m")],
        },
        { type: "table_row", content: [cell("table_cell", { colspan: 1, rowspan: 1, colwidth: [120] }, "0.5 m")] },
      ],
    },
    {
      type: "table",
      content: [
        { type: "table_row", content: [cell("table_cell", { colspan: 1, rowspan: 1, colwidth: null }, "No widths")] },
      ],
    },
    { type: "read_more", attrs: { href: "/news/2024/budget-explained", headline: "The budget, line by line" } },
    { type: "embed", attrs: { url: "https://www.youtube.com/watch?v=dQw4w9WgXcQ", title: "The budget debate" } },
    {
      type: "faq",
      content: [
        {
          type: "faq_item",
          content: [
            { type: "faq_question", content: [text("When does it start?")] },
            { type: "faq_answer", content: [p(text("In "), text("April", strong), text(".")), p(text("Some parts later."))] },
          ],
        },
      ],
    },
    p(),
  ],
};

/** The fixture's document, as `doc.toJSON()` writes it (every attribute spelled out). */
export const fixtureDoc = () => {
  const doc = Node.fromJSON(schema, source);
  doc.check();
  return doc.toJSON();
};

/** The document as the XmlFragment "body" of a new Y.Doc with client id CLIENT_ID. */
export function fixtureYDoc(doc = fixtureDoc()) {
  const ydoc = new Y.Doc();
  ydoc.clientID = CLIENT_ID;
  // prosemirrorJSONToYDoc(schema, doc, "body") with a fixed client id: it makes its own
  // Y.Doc with a random one, and this is the same conversion into ours.
  prosemirrorJSONToYXmlFragment(schema, doc, ydoc.getXmlFragment("body"));
  return ydoc;
}

export function fixture() {
  const doc = fixtureDoc();
  return { doc, update: Buffer.from(Y.encodeStateAsUpdate(fixtureYDoc(doc))).toString("base64") };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  fs.mkdirSync(path.dirname(FIXTURE), { recursive: true });
  fs.writeFileSync(FIXTURE, `${JSON.stringify(fixture(), null, 2)}\n`);
  console.log(`${path.relative(here, FIXTURE)} written`);
}
