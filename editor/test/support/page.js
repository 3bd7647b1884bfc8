// The built bundle (the file the server embeds) on a copy of the article form, in jsdom,
// and a stand-in for the newsroom that records what the editor asks of it.
import fs from "node:fs";
import { JSDOM, VirtualConsole } from "jsdom";

const bundle = fs.readFileSync(new URL("../../../crates/web/static/js/rich-editor.js", import.meta.url), "utf8");

/**
 * The article form as the server writes it; `csrf` adds the form's token field, `live`
 * ({ url, name, mode }) the textarea's data-live-* attributes.
 */
export function form({ format, body, template = null, doc = false, stored = null, csrf = null, live = null }) {
  const escape = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const attribute = (s) => escape(s).replace(/"/g, "&quot;");
  const liveAttributes = live
    ? Object.entries({ url: live.url, name: live.name, mode: live.mode })
        .filter(([, value]) => value !== undefined)
        .map(([key, value]) => ` data-live-${key}="${attribute(value)}"`)
        .join("")
    : "";
  return `<!doctype html><html><body><form id="f">
    ${csrf === null ? "" : `<input type="hidden" name="_csrf" value="${csrf}">`}
    <label for="body">Body</label>
    <textarea id="body" name="body" data-rich-editor="body_format"${liveAttributes}>${escape(body)}</textarea>
    ${live ? '<input type="hidden" name="live" value="">' : ""}
    <label data-rich-editor-hide for="body_format">Written in
      <select id="body_format" name="body_format">
        <option value="markdown"${format === "markdown" ? " selected" : ""}>Markdown</option>
        <option value="html"${format === "html" ? " selected" : ""}>HTML</option>
        ${doc ? `<option value="doc"${format === "doc" ? " selected" : ""}>Document</option>` : ""}
      </select>
    </label>
    ${template === null ? "" : `<template id="body-html">${template}</template>`}
    ${stored === null ? "" : `<script type="application/json" id="body-doc">${JSON.stringify(stored).replace(/</g, "\\u003c")}</script>`}
  </form></body></html>`;
}

/**
 * The page with the bundle run in it (as a deferred script: before DOMContentLoaded), once
 * that has fired. `fetch` stands in for the page's fetch, `WebSocket` for its WebSocket.
 */
export async function load(html, { fetch = null, WebSocket = null } = {}) {
  const errors = [];
  const virtualConsole = new VirtualConsole();
  virtualConsole.on("error", (...args) => errors.push(args.join(" ")));
  const dom = new JSDOM(html, { runScripts: "outside-only", pretendToBeVisual: true, virtualConsole, url: "https://newsroom.example/newsroom/articles/1" });
  if (fetch) dom.window.fetch = fetch;
  if (WebSocket) dom.window.WebSocket = WebSocket;
  // jsdom lays nothing out and gives ranges no rectangles; the editor asks for them when it
  // scrolls the cursor into view. Empty ones stand in.
  dom.window.Range.prototype.getClientRects = () => [];
  dom.window.Range.prototype.getBoundingClientRect = () => ({ x: 0, y: 0, top: 0, left: 0, right: 0, bottom: 0, width: 0, height: 0 });
  dom.window.eval(bundle);
  const page = dom.window.document;
  if (page.readyState === "loading") await new Promise((done) => page.addEventListener("DOMContentLoaded", done));
  return { window: dom.window, page, errors, textarea: page.getElementById("body"), select: page.getElementById("body_format") };
}

/** An answer as the newsroom gives it: JSON, or (`html`) an HTML error page. */
export function answer(status, body, { html = false } = {}) {
  return new Response(html ? body : JSON.stringify(body), {
    status,
    headers: { "content-type": html ? "text/html; charset=utf-8" : "application/json" },
  });
}

/**
 * A fetch that records each request (`requests`) and answers with `respond(request)`,
 * which may return a promise to hold the answer back.
 */
export function newsroom(respond) {
  const requests = [];
  const fetch = async (url, init = {}) => {
    const request = { url: String(url), method: init.method || "GET", body: init.body, credentials: init.credentials };
    requests.push(request);
    return respond(request);
  };
  return { fetch, requests };
}

/** Waits for `ready()` to be true, checking every few milliseconds, failing after `ms`. */
export async function until(ready, what, ms = 3000) {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`waited ${ms} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The document the form would send now. */
export const sent = (textarea) => JSON.parse(textarea.value);
