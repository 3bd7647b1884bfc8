// The newsroom endpoints the editor calls: image uploads (`POST /newsroom/media`), the
// media library's search behind the image dialog (`GET /newsroom/media/items?q=`), and
// the published-article lookup behind the link and read-more pickers
// (`GET /newsroom/articles/lookup?q=`). Every answer is checked before the editor uses it,
// and every failure becomes a sentence the writer can act on: an upload never throws.
import { safeHref, safeImageSrc } from "./urls.js";

export const MEDIA_URL = "/newsroom/media";
export const LOOKUP_URL = "/newsroom/articles/lookup";
export const LIBRARY_URL = "/newsroom/media/items";
export const EMBED_URL = "/newsroom/embed";
const LOOKUP_LIMIT = 8;

// Said when the server's refusal carries no sentence of its own (a 403 from a stale CSRF
// token comes as the HTML error page).
const REFUSALS = {
  403: "The newsroom refused the upload: your session may have ended. Save the article, reload the page and try again.",
  413: "The image is too large to upload.",
  415: "That kind of file cannot be uploaded: use a JPEG, PNG, GIF or WebP image.",
};
const UNREADABLE = "The newsroom's answer could not be read, so the image was not inserted. Try again.";
const UNREACHABLE = "The image could not be sent: check the connection and try again.";

async function jsonOf(response) {
  if (!/json/i.test(response.headers?.get("content-type") || "")) return null;
  try {
    return await response.json();
  } catch {
    return null;
  }
}

const text = (value, fallback) => (typeof value === "string" ? value : fallback);

/**
 * The newsroom as the editor sees it. `fetch` and `FormData` are the page's; `csrf()` reads
 * the article form's token when a request is made. Without a token there is no uploading
 * (`canUpload` false), but the lookup still works.
 */
export function newsroomServer({ fetch, FormData, csrf }) {
  return {
    canUpload: () => !!csrf(),

    /**
     * Uploads `file` with its alt text, caption and credit. Resolves to `{ ok: true, attrs }`
     * (the image node's attributes, `media` included) or `{ ok: false, message }`; with
     * `signal` aborted, to `{ ok: false, cancelled: true }`.
     */
    async upload(file, { alt = "", caption = "", credit = "" }, signal) {
      const form = new FormData();
      form.append("_csrf", csrf() || "");
      form.append("file", file, file.name || "image");
      form.append("alt", alt);
      form.append("caption", caption);
      form.append("credit", credit);
      let response;
      try {
        response = await fetch(MEDIA_URL, { method: "POST", body: form, credentials: "same-origin", headers: { Accept: "application/json" }, signal });
      } catch {
        if (signal?.aborted) return { ok: false, cancelled: true };
        return { ok: false, message: UNREACHABLE };
      }
      if (signal?.aborted) return { ok: false, cancelled: true };
      const answer = await jsonOf(response);
      if (!response.ok) {
        const said = typeof answer?.error === "string" && answer.error.trim();
        return { ok: false, message: said || REFUSALS[response.status] || `The image could not be uploaded (the newsroom answered ${response.status}). Try again.` };
      }
      const src = safeImageSrc(answer?.src);
      if (!src || !Number.isSafeInteger(answer.media)) return { ok: false, message: UNREADABLE };
      return {
        ok: true,
        attrs: { src, alt: text(answer.alt, alt), caption: text(answer.caption, caption), credit: text(answer.credit, credit), media: answer.media },
      };
    },

    /**
     * Images of the media library whose file name, alt text, caption or credit hold
     * `query`: `[{ headline, url, attrs }]`, `attrs` the image node's (`media` included);
     * throws when the search fails.
     */
    async library(query, signal) {
      const q = query.trim();
      if (!q) return [];
      const response = await fetch(`${LIBRARY_URL}?kind=image&q=${encodeURIComponent(q)}`, { credentials: "same-origin", headers: { Accept: "application/json" }, signal });
      if (!response.ok) throw new Error(`media search answered ${response.status}`);
      const answer = await jsonOf(response);
      if (!Array.isArray(answer?.items)) throw new Error("media search answered something other than a list of items");
      return answer.items
        .filter((m) => m && Number.isSafeInteger(m.id) && safeImageSrc(m.url))
        .slice(0, LOOKUP_LIMIT)
        .map((m) => ({
          headline: text(m.file_name, "").trim() || text(m.alt, "").trim() || `Item ${m.id}`,
          url: text(m.alt, "").trim() || "(no alt text yet)",
          attrs: { src: safeImageSrc(m.url), alt: text(m.alt, ""), caption: text(m.caption, ""), credit: text(m.credit, ""), media: m.id },
        }));
    },

    /**
     * Whether `url` makes an embed: `{ ok: true, provider, name }`, or `{ ok: false, message }`
     * with the newsroom's sentence (an address no provider takes, or no answer).
     */
    async embed(url) {
      let response;
      try {
        response = await fetch(`${EMBED_URL}?url=${encodeURIComponent(url)}`, { credentials: "same-origin", headers: { Accept: "application/json" } });
      } catch {
        return { ok: false, message: "The newsroom could not be asked about that address: check the connection and try again." };
      }
      const answer = await jsonOf(response);
      if (response.ok && typeof answer?.provider === "string") return { ok: true, provider: answer.provider, name: text(answer.name, answer.provider) };
      return { ok: false, message: text(answer?.error, "") || "That address cannot be embedded; it can go in as a link." };
    },

    /** Published articles whose words match `query`: `[{ id, headline, url }]`; throws when the lookup fails. */
    async lookup(query, signal) {
      const q = query.trim();
      if (!q) return [];
      const response = await fetch(`${LOOKUP_URL}?q=${encodeURIComponent(q)}`, { credentials: "same-origin", headers: { Accept: "application/json" }, signal });
      if (!response.ok) throw new Error(`article lookup answered ${response.status}`);
      const answer = await jsonOf(response);
      if (!Array.isArray(answer)) throw new Error("article lookup answered something other than a JSON array");
      return answer
        .filter((a) => a && typeof a.headline === "string" && safeHref(a.url))
        .slice(0, LOOKUP_LIMIT)
        .map((a) => ({ id: a.id, headline: a.headline.trim() || a.url, url: safeHref(a.url) }));
    },
  };
}
