// The fixture the newsroom's Rust side is tested against (test/fixtures/y-body.json, written
// by `npm run fixtures`): a document using every node, mark and attribute of the schema, and
// y-prosemirror's Yjs update of it as the XmlFragment "body".
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { Node } from "prosemirror-model";
import { yDocToProsemirrorJSON } from "y-prosemirror";
import * as Y from "yjs";
import { FIXTURE, fixture } from "../fixtures.mjs";
import { schema } from "../src/schema.js";

const committed = JSON.parse(fs.readFileSync(FIXTURE, "utf8"));
// ProseMirror's JSON has attribute objects without a prototype; the file's have one.
const plain = (value) => JSON.parse(JSON.stringify(value));

test("the committed fixture is what `npm run fixtures` writes", () => {
  assert.deepEqual(committed, plain(fixture()));
});

test("the fixture's document uses every node type, mark and attribute of the schema", () => {
  const types = new Set();
  const marks = new Set();
  const attrs = new Set();
  const walk = (node) => {
    types.add(node.type);
    for (const [name, value] of Object.entries(node.attrs || {})) if (value !== null) attrs.add(`${node.type}.${name}`);
    for (const mark of node.marks || []) {
      marks.add(mark.type);
      for (const [name, value] of Object.entries(mark.attrs || {})) if (value !== null) attrs.add(`${mark.type}.${name}`);
    }
    (node.content || []).forEach(walk);
  };
  walk(committed.doc);
  assert.deepEqual([...types].sort(), Object.keys(schema.nodes).sort());
  assert.deepEqual([...marks].sort(), Object.keys(schema.marks).sort());
  const every = [
    ...Object.values(schema.nodes).flatMap((t) => Object.keys(t.spec.attrs || {}).map((a) => `${t.name}.${a}`)),
    ...Object.values(schema.marks).flatMap((t) => Object.keys(t.spec.attrs || {}).map((a) => `${t.name}.${a}`)),
  ];
  assert.deepEqual([...attrs].sort(), every.sort(), "each attribute with a value somewhere");
});

test("decoding the fixture's update with y-prosemirror gives the document back", () => {
  const ydoc = new Y.Doc();
  Y.applyUpdate(ydoc, Buffer.from(committed.update, "base64"));
  const decoded = yDocToProsemirrorJSON(ydoc, "body");
  const doc = Node.fromJSON(schema, decoded);
  doc.check();
  assert.deepEqual(plain(doc.toJSON()), committed.doc);
});

test("the update's shape, as the README's 'Live editing' section describes it", () => {
  const ydoc = new Y.Doc();
  Y.applyUpdate(ydoc, Buffer.from(committed.update, "base64"));
  const body = ydoc.getXmlFragment("body");
  const blocks = body.toArray();
  assert.ok(blocks.every((b) => b instanceof Y.XmlElement), "the fragment holds one XmlElement per block, no text");
  const [heading, paragraph] = blocks;
  assert.equal(heading.nodeName, "heading");
  assert.deepEqual(heading.getAttributes(), { level: 2 });
  // A textblock holds XmlText runs, with inline nodes (hard_break) as XmlElements between them.
  const inline = paragraph.toArray();
  assert.deepEqual(inline.map((c) => (c instanceof Y.XmlText ? "text" : c.nodeName)), ["text", "hard_break", "text"]);
  assert.deepEqual(inline[0].toDelta().at(-1), {
    insert: "all at once",
    attributes: { link: { href: "/news/1", title: null }, em: {}, strong: {} },
  });
  // A null attribute is left out; the others are there, defaults included.
  const images = blocks.filter((b) => b.nodeName === "image");
  assert.deepEqual(images[1].getAttributes(), { src: "https://images.example/chart.png", alt: "", caption: "", credit: "" });
  assert.equal(images[0].getAttribute("media"), 12);
  const header = blocks.find((b) => b.nodeName === "table").get(0).get(0);
  assert.deepEqual(header.getAttributes(), { colspan: 1, rowspan: 1, colwidth: [180] });
  // An empty paragraph has no children at all.
  assert.equal(blocks.at(-1).length, 0);
});
