// Every clipboard capture from Google Docs and Word goes through the paste path (the
// cleaner, then the schema's parser) and must come out as a document that keeps the
// writer's words and structure and none of the word processor's markup.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { DOMParser } from "prosemirror-model";
import { schema } from "../src/schema.js";
import { cleanPastedHTML } from "../src/paste/clean.js";
import { document, parseBody } from "./support/dom.js";
import { pasteCaptures } from "./support/corpus.js";
import { documentText, visibleText, wordsOf } from "./support/words.js";

const parser = DOMParser.fromSchema(schema);
const LIST_PARAGRAPH = /mso-list\s*:\s*l\d+\s+level\d+/i;

function hasNode(doc, names) {
  let found = false;
  doc.descendants((node) => {
    if (names.includes(node.type.name)) found = true;
    return !found;
  });
  return found;
}

function boldShare(doc) {
  let bold = 0;
  let all = 0;
  doc.descendants((node) => {
    if (!node.isText) return;
    const letters = node.text.replace(/\s/g, "").length;
    all += letters;
    if (node.marks.some((m) => m.type.name === "strong")) bold += letters;
  });
  return { bold, all };
}

function checkCapture({ source, html }) {
  const page = parseBody(html);
  const cleaned = cleanPastedHTML(html, document);
  const doc = parser.parse(parseBody(cleaned));
  doc.check();
  const json = JSON.stringify(doc.toJSON());

  assert.doesNotMatch(cleaned, /mso-/i, "the cleaned HTML still has mso- markup");
  assert.doesNotMatch(json, /mso-/i, "the document has mso- text");

  const kept = wordsOf(documentText(doc));
  const lost = [...wordsOf(visibleText(page))].filter((w) => !kept.has(w));
  assert.deepEqual(lost, [], `words lost: ${lost.slice(0, 20).join(" ")}`);

  // Table cells hold paragraphs only (the document's contract), so lists and headings
  // inside a cell become paragraphs there; everywhere else they must stay what they are.
  const outside = (selector) => [...page.querySelectorAll(selector)].filter((el) => !el.closest("td, th"));
  const wordList = outside("p[style]").some((p) => LIST_PARAGRAPH.test(p.getAttribute("style")));
  if (outside("ul, ol").length || wordList) assert.ok(hasNode(doc, ["bullet_list", "ordered_list"]), "the lists were lost");
  if (outside("h1, h2, h3, h4, h5, h6").length) assert.ok(hasNode(doc, ["heading"]), "the headings were lost");
  if (page.querySelector("table")) assert.ok(hasNode(doc, ["table"]), "the tables were lost");
  if (page.querySelector("a[href^='http']")) assert.ok(json.includes('"type":"link"'), "the links were lost");

  if (source === "gdocs") {
    const { bold, all } = boldShare(doc);
    assert.ok(bold < all, `all ${all} letters are bold`);
  }
}

const captures = pasteCaptures();
const failed = [];
for (const capture of captures) {
  test(capture.name, () => {
    try {
      checkCapture(capture);
    } catch (err) {
      failed.push(capture.name);
      throw err;
    }
  });
}

after(() => {
  console.log(`paste corpus: ${captures.length} files, ${failed.length} failures${failed.length ? ` (${failed.join(", ")})` : ""}`);
});
