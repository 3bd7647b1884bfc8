// The article document's schema. Its node and mark names and attributes are a contract with
// the server, which renders `doc.toJSON()` to HTML in Rust: change one here and the renderer
// must change with it. The parse rules decide what pasted or loaded HTML becomes; anything
// without a rule keeps its text and loses its element.
import { Schema } from "prosemirror-model";
import { tableNodes } from "prosemirror-tables";
import { safeHref, safeImageSrc } from "./urls.js";

const text = (type) => (value) => {
  if (typeof value !== type) throw new RangeError(`expected a ${type}, got ${JSON.stringify(value)}`);
};
const string = { default: "", validate: text("string") };

function headingLevel(tag) {
  const n = Number(tag.slice(1));
  return Math.min(4, Math.max(2, n));
}

function imageAttrs(dom) {
  const img = dom.nodeName === "IMG" ? dom : dom.querySelector("img");
  const src = img && safeImageSrc(img.getAttribute("src"));
  if (!src) return false;
  const media = Number.parseInt(dom.getAttribute("data-media") || "", 10);
  return {
    src,
    alt: img.getAttribute("alt") || "",
    caption: dom.querySelector(".image-caption")?.textContent.trim() || "",
    credit: dom.querySelector(".image-credit")?.textContent.trim() || "",
    media: Number.isSafeInteger(media) ? media : null,
  };
}

const nodes = {
  doc: { content: "block+" },
  paragraph: {
    group: "block",
    content: "inline*",
    parseDOM: [{ tag: "p" }],
    toDOM: () => ["p", 0],
  },
  heading: {
    group: "block",
    content: "inline*",
    attrs: {
      level: {
        default: 2,
        validate: (v) => {
          if (v !== 2 && v !== 3 && v !== 4) throw new RangeError(`heading level ${v} is not 2, 3 or 4`);
        },
      },
    },
    defining: true,
    parseDOM: ["h1", "h2", "h3", "h4", "h5", "h6"].map((tag) => ({ tag, attrs: { level: headingLevel(tag) } })),
    toDOM: (node) => [`h${node.attrs.level}`, 0],
  },
  blockquote: {
    group: "block",
    content: "(paragraph | bullet_list | ordered_list)+",
    defining: true,
    parseDOM: [{ tag: "blockquote" }],
    toDOM: () => ["blockquote", 0],
  },
  pull_quote: {
    group: "block",
    content: "inline*",
    attrs: { cite: string },
    defining: true,
    parseDOM: [
      {
        tag: "figure.pull-quote",
        contentElement: "blockquote",
        getAttrs: (dom) => ({ cite: dom.querySelector("figcaption")?.textContent.trim() || "" }),
      },
    ],
    toDOM: (node) => [
      "figure",
      { class: "pull-quote" },
      ["blockquote", 0],
      ["figcaption", { contenteditable: "false" }, node.attrs.cite],
    ],
  },
  bullet_list: {
    group: "block",
    content: "list_item+",
    parseDOM: [{ tag: "ul" }],
    toDOM: () => ["ul", 0],
  },
  ordered_list: {
    group: "block",
    content: "list_item+",
    attrs: { start: { default: 1, validate: "number" } },
    parseDOM: [
      {
        tag: "ol",
        getAttrs: (dom) => {
          const start = Number.parseInt(dom.getAttribute("start") || "1", 10);
          return { start: Number.isSafeInteger(start) ? start : 1 };
        },
      },
    ],
    toDOM: (node) => ["ol", node.attrs.start === 1 ? {} : { start: node.attrs.start }, 0],
  },
  list_item: {
    content: "paragraph (paragraph | bullet_list | ordered_list)*",
    defining: true,
    parseDOM: [{ tag: "li" }],
    toDOM: () => ["li", 0],
  },
  horizontal_rule: {
    group: "block",
    atom: true,
    parseDOM: [{ tag: "hr" }],
    toDOM: () => ["hr"],
  },
  image: {
    group: "block",
    atom: true,
    draggable: true,
    attrs: {
      src: { validate: "string" },
      alt: string,
      caption: string,
      credit: string,
      media: { default: null, validate: "number|null" },
    },
    parseDOM: [
      { tag: "figure", getAttrs: imageAttrs },
      { tag: "img", getAttrs: imageAttrs },
    ],
    toDOM: (node) => {
      const { src, alt, caption, credit, media } = node.attrs;
      const figure = media === null ? {} : { "data-media": String(media) };
      const notes = [];
      if (caption) notes.push(["span", { class: "image-caption" }, caption]);
      if (credit) notes.push(["span", { class: "image-credit" }, credit]);
      return ["figure", figure, ["img", { src, alt }], ...(notes.length ? [["figcaption", ...notes]] : [])];
    },
  },
  ...tableNodes({ tableGroup: "block", cellContent: "paragraph+", cellAttributes: {} }),
  read_more: {
    group: "block",
    atom: true,
    attrs: { href: { validate: "string" }, headline: string },
    parseDOM: [
      {
        tag: "aside.read-more",
        getAttrs: (dom) => {
          const a = dom.querySelector("a[href]");
          const href = a && safeHref(a.getAttribute("href"));
          return href ? { href, headline: a.textContent.trim() } : false;
        },
      },
    ],
    toDOM: (node) => [
      "aside",
      { class: "read-more" },
      ["span", { class: "read-more-label" }, "Read more"],
      ["a", { href: node.attrs.href }, node.attrs.headline || node.attrs.href],
    ],
  },
  // A post, video, map or chart from elsewhere, by its address (the server knows each
  // provider's frame from it and renders the click-to-load figure); `title` is what
  // readers are told before they load it.
  embed: {
    group: "block",
    atom: true,
    draggable: true,
    attrs: { url: { validate: "string" }, title: string },
    parseDOM: [
      {
        tag: "figure.embed",
        getAttrs: (dom) => {
          const a = dom.querySelector("a[href]");
          const url = a && safeHref(a.getAttribute("href"));
          if (!url) return false;
          const words = a.textContent.trim();
          return { url, title: words === url ? "" : words };
        },
      },
    ],
    toDOM: (node) => [
      "figure",
      { class: "embed", "data-embed-url": node.attrs.url },
      ["figcaption", ["span", { class: "embed-label" }, "Embed"], " ", ["a", { href: node.attrs.url }, node.attrs.title || node.attrs.url]],
    ],
  },
  faq: {
    group: "block",
    content: "faq_item+",
    parseDOM: [{ tag: "dl.faq" }],
    toDOM: () => ["dl", { class: "faq" }, 0],
  },
  faq_item: {
    content: "faq_question faq_answer",
    defining: true,
    parseDOM: [{ tag: "dl.faq > div" }],
    toDOM: () => ["div", { class: "faq-item" }, 0],
  },
  faq_question: {
    content: "inline*",
    defining: true,
    parseDOM: [{ tag: "dl.faq dt" }],
    toDOM: () => ["dt", 0],
  },
  faq_answer: {
    content: "paragraph+",
    defining: true,
    parseDOM: [{ tag: "dl.faq dd" }],
    toDOM: () => ["dd", 0],
  },
  text: { group: "inline" },
  hard_break: {
    group: "inline",
    inline: true,
    selectable: false,
    linebreakReplacement: true,
    parseDOM: [{ tag: "br" }],
    toDOM: () => ["br"],
  },
};

const isStrong = (mark) => mark.type.name === "strong";
const isEm = (mark) => mark.type.name === "em";

const marks = {
  link: {
    attrs: { href: { validate: "string" }, title: { default: null, validate: "string|null" } },
    inclusive: false,
    parseDOM: [
      {
        tag: "a[href]",
        getAttrs: (dom) => {
          const href = safeHref(dom.getAttribute("href"));
          return href ? { href, title: dom.getAttribute("title") || null } : false;
        },
      },
    ],
    toDOM: (mark) => ["a", mark.attrs.title ? { href: mark.attrs.href, title: mark.attrs.title } : { href: mark.attrs.href }, 0],
  },
  em: {
    parseDOM: [
      { tag: "i" },
      { tag: "em" },
      { style: "font-style=italic" },
      { style: "font-style=normal", clearMark: isEm },
    ],
    toDOM: () => ["em", 0],
  },
  strong: {
    parseDOM: [
      { tag: "strong" },
      // A <b> that says it is not bold (the wrapper Google Docs puts around a copied
      // selection) must not make its whole content bold.
      { tag: "b", getAttrs: (dom) => !/^(normal|[1-4]00)$/.test(dom.style.fontWeight) && null },
      { style: "font-weight", getAttrs: (value) => /^(bold|bolder|[6-9]00)$/.test(value) && null },
      { style: "font-weight", clearMark: isStrong, getAttrs: (value) => /^(normal|lighter|[1-4]00)$/.test(value) && null },
    ],
    toDOM: () => ["strong", 0],
  },
  code: {
    code: true,
    parseDOM: [{ tag: "code" }],
    toDOM: () => ["code", 0],
  },
};

export const schema = new Schema({ nodes, marks });
