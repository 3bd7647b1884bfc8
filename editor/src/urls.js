// Which addresses a document may hold. The server sanitizes again when it renders; these
// checks keep what cannot work for a reader (a file on the writer's disk, a script, an
// anchor in the Word file the text came from) out of the document in the first place.

const WEB = /^(https?:)?\/\/[^\s/]+/i;

/** A link's target: a web or mail address, or a path on this site (`/news/slug`). */
export function safeHref(raw) {
  const href = (raw || "").trim();
  if (WEB.test(href) || /^mailto:[^\s]+$/i.test(href)) return href;
  if (/^\/(?!\/)\S*$/.test(href)) return href;
  return null;
}

/** An image's source: a web address or a path on this site; never `file:`, `data:` or a placeholder. */
export function safeImageSrc(raw) {
  const src = (raw || "").trim();
  if (WEB.test(src) || /^\/(?!\/)\S+$/.test(src)) return src;
  return null;
}

/**
 * What a writer typed into the link prompt, made a link target: a bare host
 * (`example.com/page`) is taken as https, a bare e-mail address as mailto.
 */
export function hrefFromInput(raw) {
  const typed = (raw || "").trim();
  if (!typed) return null;
  if (/^[a-z][a-z0-9+.-]*:/i.test(typed) || typed.startsWith("/")) return safeHref(typed);
  if (/^[^\s@/]+@[^\s@/]+\.[^\s@/]+$/.test(typed)) return `mailto:${typed}`;
  if (/^[^\s/]+\.[^\s/]+(\/\S*)?$/.test(typed)) return safeHref(`https://${typed}`);
  return null;
}
