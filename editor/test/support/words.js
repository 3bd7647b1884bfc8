// Words as a reader sees them: in the source page, and in a parsed document. Written apart
// from the cleaner, so that the corpus test does not take the cleaner's word for it.

const HIDDEN = "head, script, style, title, template, noscript, xml";
const BLOCK = /^(ADDRESS|ARTICLE|ASIDE|BLOCKQUOTE|BR|CAPTION|DD|DIV|DL|DT|FIGCAPTION|FIGURE|FOOTER|H[1-6]|HEADER|HR|IMG|LI|OL|P|PRE|SECTION|TABLE|TBODY|TD|TFOOT|TH|THEAD|TR|UL)$/;

export const wordsOf = (text) => new Set(text.match(/[\p{L}\p{N}]+/gu) || []);

/** Word's typed list markers: the spans styled `mso-list:Ignore`. */
export function isListMarker(el) {
  return /mso-list\s*:\s*ignore/i.test(el.getAttribute("style") || "");
}

/**
 * The text a browser would show of a pasted page's body, blocks and line breaks kept apart,
 * less Word's list markers and `[image]`-style placeholders.
 */
export function visibleText(body) {
  const copy = body.cloneNode(true);
  copy.querySelectorAll(HIDDEN).forEach((el) => el.remove());
  copy.querySelectorAll("[style]").forEach((el) => isListMarker(el) && el.remove());
  const out = [];
  const walk = (node) => {
    for (const child of node.childNodes) {
      if (child.nodeType === 3) out.push(child.data);
      else if (child.nodeType === 1) {
        const block = BLOCK.test(child.nodeName);
        if (block) out.push(" ");
        walk(child);
        if (block) out.push(" ");
      }
    }
  };
  walk(copy);
  return out.join("").replace(/\[(image|img|picture|graphic)[^\]]*\]/gi, " ");
}

/** A document's text, each block and line break a word boundary. */
export function documentText(doc) {
  return doc.textBetween(0, doc.content.size, " ", " ");
}
