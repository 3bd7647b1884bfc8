// Clipboard HTML from word processors, made plain enough for the schema's parse rules.
// Google Docs and Word describe a document with styles, classes and their own elements;
// the article keeps its structure (headings, lists, tables, links, bold, italic) and its
// words, and nothing of the rest. Runs before ProseMirror parses a paste.
import { safeHref, safeImageSrc } from "../urls.js";
import { convertWordLists, markerSpans } from "./word-lists.js";

// Elements whose content is not part of the text a writer sees.
const INVISIBLE = "script, style, meta, link, title, template, noscript, object, iframe, xml";

// bbn's own classes, which a copy from this editor carries and the parse rules read.
const OWN_CLASSES = new Set(["pull-quote", "read-more", "read-more-label", "faq", "faq-item", "image-caption", "image-credit"]);

const KEPT_ATTRIBUTES = {
  A: ["href", "title"],
  IMG: ["src", "alt"],
  TD: ["colspan", "rowspan"],
  TH: ["colspan", "rowspan"],
  OL: ["start"],
  FIGURE: ["data-media"],
};

const BLOCK = new Set([
  "ADDRESS", "ARTICLE", "ASIDE", "BLOCKQUOTE", "DD", "DIV", "DL", "DT", "FIGCAPTION", "FIGURE",
  "FOOTER", "H1", "H2", "H3", "H4", "H5", "H6", "HEADER", "HR", "LI", "OL", "P", "PRE", "SECTION",
  "TABLE", "TBODY", "THEAD", "TFOOT", "TR", "TD", "TH", "CAPTION", "UL",
]);

function parseInert(html, document) {
  const Parser = document.defaultView && document.defaultView.DOMParser;
  if (Parser) return new Parser().parseFromString(html, "text/html");
  const page = document.implementation.createHTMLDocument("");
  page.body.innerHTML = html;
  return page;
}

function unwrap(el) {
  el.replaceWith(...el.childNodes);
}

function removeComments(root) {
  const page = root.ownerDocument;
  const walker = page.createTreeWalker(root, 128 /* NodeFilter.SHOW_COMMENT */);
  const comments = [];
  while (walker.nextNode()) comments.push(walker.currentNode);
  comments.forEach((c) => c.remove());
}

/** Office's own elements (o:p, st1:place, w:sdt, v:shape …) hold text or nothing: keep the text. */
function unwrapOfficeElements(root) {
  for (const el of [...root.querySelectorAll("*")]) if (el.nodeName.includes(":")) unwrap(el);
}

/**
 * Google Docs wraps a copied selection in `<b style="font-weight:normal" id="docs-internal-guid-…">`
 * (Firefox puts the id on the first block instead, which then stays what it is).
 */
function unwrapDocsWrapper(root) {
  for (const el of [...root.querySelectorAll('b[id^="docs-internal-guid"], span[id^="docs-internal-guid"]')]) unwrap(el);
}

/**
 * A list nested straight inside another list belongs to the item before it (the parser
 * moves it there); with no item before it (a selection that starts deep in a nested list),
 * its items join the outer list rather than hang from an empty one.
 */
function hoistOrphanLists(root) {
  for (const list of [...root.querySelectorAll("ul, ol")].reverse()) {
    const parent = list.parentElement;
    if (!parent || (parent.nodeName !== "UL" && parent.nodeName !== "OL")) continue;
    let before = list.previousElementSibling;
    while (before && before.nodeName !== "LI") before = before.previousElementSibling;
    if (!before) unwrap(list);
  }
}

function dropUnusableMedia(root) {
  for (const img of [...root.querySelectorAll("img")]) if (!safeImageSrc(img.getAttribute("src"))) img.remove();
  for (const a of [...root.querySelectorAll("a")]) if (!safeHref(a.getAttribute("href"))) unwrap(a);
}

/**
 * An image is a block of its own in the article: a paragraph holding one is split around it,
 * so it does not leave an empty paragraph behind or move past the text after it.
 */
function liftImages(root, page) {
  for (const img of [...root.querySelectorAll("img")]) {
    const block = img.parentElement && img.parentElement.closest("p, h1, h2, h3, h4, h5, h6");
    if (!block || block.closest("td, th")) continue;
    const rest = page.createRange();
    rest.setStartAfter(img);
    rest.setEnd(block, block.childNodes.length);
    const tail = block.cloneNode(false);
    tail.append(rest.extractContents());
    block.after(img, tail);
  }
}

/** A <pre> becomes a paragraph whose line breaks stay line breaks. */
function preToParagraphs(root, page) {
  for (const pre of [...root.querySelectorAll("pre")]) {
    const walker = page.createTreeWalker(pre, 4 /* NodeFilter.SHOW_TEXT */);
    const texts = [];
    while (walker.nextNode()) texts.push(walker.currentNode);
    for (const node of texts) {
      const lines = node.data.replace(/^\r?\n|\r?\n$/g, "").split(/\r?\n/);
      if (lines.length < 2) continue;
      const parts = [];
      lines.forEach((line, i) => {
        if (i) parts.push(page.createElement("br"));
        parts.push(page.createTextNode(line));
      });
      node.replaceWith(...parts);
    }
    const p = page.createElement("p");
    p.append(...pre.childNodes);
    pre.replaceWith(p);
  }
}

/**
 * A table cell holds paragraphs only (the document's contract): lists, headings and nested
 * tables inside one become paragraphs, so the table is not split around them. A list item
 * keeps its bullet or number as text, a heading its weight.
 */
function flattenCells(root, page) {
  const outermost = [...root.querySelectorAll("td, th")].filter((cell) => !cell.parentElement.closest("td, th"));
  for (const cell of outermost) flattenCell(cell, page);
}

function itemMarker(li) {
  const list = li.parentElement;
  if (!list || list.nodeName !== "OL") return "\u2022 ";
  const start = Number.parseInt(list.getAttribute("start") || "1", 10) || 1;
  const before = [...list.children].filter((c) => c.nodeName === "LI").indexOf(li);
  return `${start + before}. `;
}

function flattenCell(cell, page) {
  cell.querySelectorAll("img, hr").forEach((el) => el.remove());
  for (const heading of cell.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
    const strong = page.createElement("strong");
    strong.append(...heading.childNodes);
    heading.append(strong);
  }
  const out = [];
  let line = null;
  let marker = "";
  const walk = (node) => {
    for (const child of [...node.childNodes]) {
      if (child.nodeType === 1 && BLOCK.has(child.nodeName)) {
        line = null;
        if (child.nodeName === "LI") marker = itemMarker(child);
        walk(child);
        line = null;
      } else if (line || child.nodeType !== 3 || /[^\s\u00a0]/.test(child.data)) {
        if (!line) {
          out.push((line = page.createElement("p")));
          line.append(marker);
          marker = "";
        }
        line.append(child);
      }
    }
  };
  walk(cell);
  const filled = out.filter((p) => /[^\s\u00a0]/.test(p.textContent));
  cell.replaceChildren(...(filled.length ? filled : out.slice(0, 1)));
}

/** Word pads with non-breaking spaces (`mso-spacerun`, tabs); a run of spaces is one space. */
function collapseSpaceRuns(root, page) {
  const walker = page.createTreeWalker(root, 4 /* NodeFilter.SHOW_TEXT */);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (/[\s\u00a0]{2}/.test(node.data)) node.data = node.data.replace(/[ \t\r\n\u00a0]*\u00a0[ \t\r\n\u00a0]*/g, (run) => (run.length > 1 ? " " : run));
  }
}

function reduceStyle(el) {
  const { fontWeight, fontStyle } = el.style;
  const kept = [];
  if (fontWeight) kept.push(`font-weight:${fontWeight}`);
  if (fontStyle) kept.push(`font-style:${fontStyle}`);
  return kept.join(";");
}

/** Keeps the attributes the parse rules read and nothing else (no `mso-` style or class). */
function stripAttributes(root) {
  for (const el of root.querySelectorAll("*")) {
    const keep = KEPT_ATTRIBUTES[el.nodeName] || [];
    const style = el.hasAttribute("style") ? reduceStyle(el) : "";
    const own = (el.getAttribute("class") || "").split(/\s+/).filter((c) => OWN_CLASSES.has(c));
    for (const { name } of [...el.attributes]) {
      if (!keep.includes(name) && name !== "data-pm-slice") el.removeAttribute(name);
    }
    if (style) el.setAttribute("style", style);
    if (own.length) el.setAttribute("class", own.join(" "));
  }
}

/** Word's spacing paragraphs (`<p>&nbsp;</p>`) and Docs' blank lines are not content. */
function dropBlankBlocks(root) {
  for (const el of [...root.querySelectorAll("p, h1, h2, h3, h4, h5, h6, div")]) {
    if (/^(LI|TD|TH|DD|DT)$/.test(el.parentNode.nodeName)) continue;
    if (!/[^\s\u00a0]/.test(el.textContent) && !el.querySelector("img, hr, table")) el.remove();
  }
  for (const br of [...root.querySelectorAll("br")]) {
    if (/^(BODY|DIV|BLOCKQUOTE|SECTION|ARTICLE)$/.test(br.parentNode.nodeName)) br.remove();
  }
}

/**
 * Cleans clipboard HTML (from Google Docs, Word or a web page) for the article schema's
 * parse rules. `document` is the page's document, used only to parse without running or
 * loading anything.
 */
export function cleanPastedHTML(html, document) {
  const page = parseInert(html, document);
  const root = page.body;
  removeComments(root);
  root.querySelectorAll(INVISIBLE).forEach((el) => el.remove());
  unwrapOfficeElements(root);
  unwrapDocsWrapper(root);
  convertWordLists(root, page);
  markerSpans(root).forEach((el) => el.remove());
  hoistOrphanLists(root);
  dropUnusableMedia(root);
  liftImages(root, page);
  preToParagraphs(root, page);
  flattenCells(root, page);
  collapseSpaceRuns(root, page);
  stripAttributes(root);
  dropBlankBlocks(root);
  return root.innerHTML;
}
