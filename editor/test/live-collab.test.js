// Two live editors (views bound to two Y.Docs, as in two browsers) with their updates
// relayed in memory: they converge on one document, and nothing of the schema is lost on
// the way through Yjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { TextSelection } from "prosemirror-state";
import { EditorView } from "prosemirror-view";
import { undoCommand } from "y-prosemirror";
import { Awareness } from "y-protocols/awareness";
import * as Y from "yjs";
import { fixture, fixtureYDoc } from "../fixtures.mjs";
import { liveEditorState } from "../src/editor.js";
import { schema } from "../src/schema.js";
import { document, window } from "./support/dom.js";

// The views draw their DOM with the page's globals, as in a browser (this file runs in a
// process of its own).
globalThis.document = document;
globalThis.window = window;

const plain = (value) => JSON.parse(JSON.stringify(value));

/** A newsroom document holding `doc`, and two editors that have synced with it and relay to each other. */
function twoEditors(t, doc) {
  const newsroom = fixtureYDoc(doc);
  const editor = () => {
    const ydoc = new Y.Doc();
    Y.applyUpdate(ydoc, Y.encodeStateAsUpdate(newsroom));
    const awareness = new Awareness(ydoc);
    const view = new EditorView({ mount: document.body.appendChild(document.createElement("div")) }, { state: liveEditorState({ fragment: ydoc.getXmlFragment("body"), awareness }) });
    t.after(() => {
      view.destroy();
      awareness.destroy();
    });
    return { ydoc, view };
  };
  const a = editor();
  const b = editor();
  // The relay passes each update on at once, unless held: then they wait, as on a slow line.
  let held = null;
  for (const [from, to] of [
    [a, b],
    [b, a],
  ]) {
    from.ydoc.on("update", (update, origin) => {
      if (origin === "relay") return;
      if (held) held.push(() => Y.applyUpdate(to.ydoc, update, "relay"));
      else Y.applyUpdate(to.ydoc, update, "relay");
    });
  }
  const hold = () => {
    held = [];
  };
  const release = () => {
    const waiting = held;
    held = null;
    waiting.forEach((apply) => apply());
  };
  return { a, b, hold, release };
}

/** The position at the end of the text of the `n`-th textblock with `words` in it. */
function endOf(view, words) {
  let at = null;
  view.state.doc.descendants((node, pos) => {
    if (at === null && node.isTextblock && node.textContent.includes(words)) at = pos + 1 + node.content.size;
    return at === null;
  });
  assert.notEqual(at, null, `no textblock with "${words}"`);
  return at;
}

const type = (view, words, text) => view.dispatch(view.state.tr.insertText(text, endOf(view, words)));
const json = (view) => plain(view.state.doc.toJSON());
const paragraph = (text) => ({ type: "paragraph", content: [{ type: "text", text }] });

test("every node, mark and attribute survives Yjs: both editors show the newsroom's document as it was written", (t) => {
  const doc = plain(fixture().doc);
  const { a, b } = twoEditors(t, doc);
  assert.deepEqual(json(a.view), doc);
  assert.deepEqual(json(b.view), doc);
});

test("typing in different paragraphs, then in the same one, converges on one document", (t) => {
  const { a, b, hold, release } = twoEditors(t, { type: "doc", content: [paragraph("First"), paragraph("Second")] });
  hold();
  type(a.view, "First", " from Ann");
  type(b.view, "Second", " from Bo");
  release();
  assert.deepEqual(json(a.view), json(b.view));
  assert.deepEqual(json(a.view).content.map((p) => p.content[0].text), ["First from Ann", "Second from Bo"]);

  // Both at the end of the same paragraph before either hears of the other.
  hold();
  type(a.view, "Second", " A");
  type(b.view, "Second", " B");
  assert.notDeepEqual(json(a.view), json(b.view));
  release();
  assert.deepEqual(json(a.view), json(b.view));
  assert.match(json(a.view).content[1].content[0].text, /^Second from Bo( A B| B A)$/);
});

test("concurrent edits made apart (as offline) merge once exchanged", (t) => {
  const newsroom = fixtureYDoc({ type: "doc", content: [paragraph("Shared words"), paragraph("A title")] });
  const views = [0, 1].map(() => {
    const ydoc = new Y.Doc();
    Y.applyUpdate(ydoc, Y.encodeStateAsUpdate(newsroom));
    const awareness = new Awareness(ydoc);
    const view = new EditorView({ mount: document.body.appendChild(document.createElement("div")) }, { state: liveEditorState({ fragment: ydoc.getXmlFragment("body"), awareness }) });
    t.after(() => {
      view.destroy();
      awareness.destroy();
    });
    return { ydoc, view };
  });
  const [a, b] = views;
  type(a.view, "Shared", ", Ann's");
  const at = endOf(b.view, "Shared");
  b.view.dispatch(b.view.state.tr.addMark(at - 5, at, schema.marks.strong.create()));
  const title = endOf(b.view, "A title");
  b.view.dispatch(b.view.state.tr.setBlockType(title, title, schema.nodes.heading, { level: 3 }));
  Y.applyUpdate(a.ydoc, Y.encodeStateAsUpdate(b.ydoc, Y.encodeStateVector(a.ydoc)));
  Y.applyUpdate(b.ydoc, Y.encodeStateAsUpdate(a.ydoc, Y.encodeStateVector(b.ydoc)));
  assert.deepEqual(json(a.view), json(b.view));
  const [first, second] = a.view.state.doc.content.content;
  assert.equal(first.textContent, "Shared words, Ann's");
  // Where a bold range ends against words typed at its end at the same moment is Yjs's call;
  // what matters is that both have the words, bold, and the same document.
  assert.ok(first.rangeHasMark(7, 12, schema.marks.strong));
  assert.ok(!first.rangeHasMark(0, 7, schema.marks.strong));
  assert.deepEqual(plain(second.toJSON()), { type: "heading", attrs: { level: 3 }, content: [{ type: "text", text: "A title" }] });
});

test("marks and blocks made live reach the other editor: bold, link, heading, image attributes, table, FAQ, read more, pull quote", (t) => {
  const doc = plain(fixture().doc);
  const { a, b } = twoEditors(t, { type: "doc", content: [paragraph("Make this bold and this a link")] });
  const { state } = a.view;
  const text = a.view.state.doc.firstChild.textContent;
  const from = 1 + text.indexOf("bold");
  a.view.dispatch(state.tr.addMark(from, from + 4, schema.marks.strong.create()));
  const linkAt = 1 + text.indexOf("a link");
  a.view.dispatch(a.view.state.tr.addMark(linkAt, linkAt + 6, schema.marks.link.create({ href: "/news/1", title: "One" })));
  // B puts in every block of the fixture after the paragraph, then changes an image's attributes.
  const blocks = schema.nodeFromJSON(doc).content;
  b.view.dispatch(b.view.state.tr.insert(b.view.state.doc.content.size, blocks));
  let imageAt = null;
  b.view.state.doc.forEach((node, offset) => {
    if (imageAt === null && node.type === schema.nodes.image) imageAt = offset;
  });
  b.view.dispatch(
    b.view.state.tr.setNodeMarkup(imageAt, null, { src: "/media/13/new.jpg", alt: "A new picture", caption: "New", credit: "Ann", media: 13 }),
  );
  assert.deepEqual(json(a.view), json(b.view));
  const result = json(a.view);
  assert.deepEqual(result.content[0].content[1], { type: "text", marks: [{ type: "strong" }], text: "bold" });
  assert.deepEqual(result.content[0].content[3], { type: "text", marks: [{ type: "link", attrs: { href: "/news/1", title: "One" } }], text: "a link" });
  const image = result.content.find((n) => n.type === "image");
  assert.deepEqual(image.attrs, { src: "/media/13/new.jpg", alt: "A new picture", caption: "New", credit: "Ann", media: 13 });
  assert.deepEqual(result.content.slice(1).map((n) => n.type), doc.content.map((n) => n.type));
  for (const name of ["table", "faq", "read_more", "pull_quote", "heading"]) {
    assert.deepEqual(
      result.content.filter((n) => n.type === name && n !== image),
      doc.content.filter((n) => n.type === name),
      `${name} as it was`,
    );
  }
});

test("undo takes back only this writer's own changes", (t) => {
  const { a, b } = twoEditors(t, { type: "doc", content: [paragraph("First"), paragraph("Second")] });
  type(a.view, "First", " from Ann");
  type(b.view, "Second", " from Bo");
  a.view.dispatch(a.view.state.tr.setSelection(TextSelection.create(a.view.state.doc, 1)));
  assert.equal(undoCommand(a.view.state, a.view.dispatch), true);
  assert.deepEqual(json(a.view), json(b.view));
  assert.deepEqual(json(b.view).content.map((p) => p.content[0].text), ["First", "Second from Bo"]);
});
