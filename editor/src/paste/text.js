// Pasted plain text. Text that reads as Markdown (headings, lists, quotes, emphasis, links)
// becomes the blocks and marks it describes; any other text becomes paragraphs.
import MarkdownIt from "markdown-it";
import { DOMParser, Slice } from "prosemirror-model";

// No raw HTML from pasted text: a `<script>` typed in a text file stays text.
const markdown = new MarkdownIt("default", { html: false, linkify: false, typographer: false });

const BLOCK_SYNTAX = /^(#{1,6}[ \t]+\S|[ \t]*[-*+][ \t]+\S|[ \t]*\d{1,9}[.)][ \t]+\S|>[ \t]?\S|[ \t]*(?:-{3,}|\*{3,})[ \t]*$|```)/m;
const INLINE_SYNTAX = /\*\*[^*\n]+\*\*|__[^_\n]+__|(^|[^\w*])\*[^*\s][^*\n]*\*(?!\w)|(^|[^\w])_[^_\s][^_\n]*_(?!\w)|`[^`\n]+`|\[[^\]\n]+\]\([^)\s]+\)/m;

export function looksLikeMarkdown(text) {
  return BLOCK_SYNTAX.test(text) || INLINE_SYNTAX.test(text);
}

/**
 * Paragraphs from text: blank lines separate paragraphs and single line breaks stay line
 * breaks; text without any blank line has one paragraph per line.
 */
function paragraphsHTML(text, page) {
  const body = page.createElement("div");
  const normal = text.replace(/\r\n?/g, "\n").trim();
  const blankLines = /\n[ \t]*\n/.test(normal);
  const blocks = blankLines ? normal.split(/\n[ \t]*\n+/) : normal.split("\n");
  for (const block of blocks) {
    if (!block.trim()) continue;
    const p = page.createElement("p");
    block.split("\n").forEach((line, i) => {
      if (i) p.append(page.createElement("br"));
      p.append(line);
    });
    body.append(p);
  }
  return body;
}

function markdownHTML(text, page) {
  // markdown-it escapes everything it does not itself produce (html: false); the inert
  // document loads none of the images the text may name.
  const body = page.implementation.createHTMLDocument("").createElement("div");
  body.innerHTML = markdown.render(text);
  return body;
}

/** The `clipboardTextParser` prop: a slice from pasted text (`plain` when pasted as plain text). */
export function parsePastedText(schema, text, $context, plain, page) {
  const dom = !plain && looksLikeMarkdown(text) ? markdownHTML(text, page) : paragraphsHTML(text, page);
  const slice = DOMParser.fromSchema(schema).parseSlice(dom, { context: $context });
  return Slice.maxOpen(slice.content, true);
}
