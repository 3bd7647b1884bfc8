// The built bundle (the file the server embeds) on a copy of the article form, in jsdom,
// and a stand-in for the newsroom that records what the editor asks of it.
import fs from "node:fs";
import { JSDOM, VirtualConsole } from "jsdom";

const bundle = fs.readFileSync(new URL("../../../crates/web/static/js/rich-editor.js", import.meta.url), "utf8");

/**
 * The article form's fields beside the body, marked for live editing as
 * crates/web/templates/newsroom/article_edit.html marks them on a live page. `values` holds
 * what the page was written with (the names are the shared fields' keys); `editorsPick`
 * false leaves out the switch only editors get.
 */
export function metaFields(values = {}, { editorsPick = true } = {}) {
  const v = { headline: "", dek: "", kicker: "", slug: "", section_id: "", topics: "", seo_title: "", seo_description: "", authors: "", comments_open: "", editors_pick: "", ...values };
  const escape = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");
  const sections = [["1", "News"], ["2", "Sport"], ["3", "Culture"]];
  const authors = [["1", "Ann Editor"], ["2", "Bo Chen"], ["3", "Cy Dee"]];
  const byline = new Set(v.authors.split(","));
  const check = (on) => (on ? " checked" : "");
  return `<div class="nr-field"><label for="headline">Headline</label>
    <input id="headline" name="headline" data-live-field="headline" value="${escape(v.headline)}" required maxlength="300"></div>
    <div class="nr-field"><label for="dek">Dek</label><textarea id="dek" name="dek" data-live-field="dek" rows="2">${escape(v.dek)}</textarea></div>
    <div class="nr-field"><label for="kicker">Topic label</label><input id="kicker" name="kicker" data-live-field="kicker" value="${escape(v.kicker)}"></div>
    <div class="nr-field"><label for="slug">Slug</label><input id="slug" name="slug" data-live-field="slug" value="${escape(v.slug)}"></div>
    <div class="nr-field"><label for="section">Section</label><select id="section" name="section_id" data-live-field="section_id">${sections
      .map(([id, name]) => `<option value="${id}"${v.section_id === id ? " selected" : ""}>${name}</option>`)
      .join("")}</select></div>
    <div class="nr-field"><label for="topics">Topics</label><input id="topics" name="topics" data-live-field="topics" value="${escape(v.topics)}"></div>
    <fieldset class="nr-field"><legend>Bylines</legend><div class="nr-checks">${authors
      .map(([id, name]) => `<label class="nr-check"><input type="checkbox" name="authors" data-live-field="authors" value="${id}"${check(byline.has(id))}> ${name}</label>`)
      .join("")}</div></fieldset>
    <div class="nr-field"><label for="seo_title">SEO title</label><input id="seo_title" name="seo_title" data-live-field="seo_title" value="${escape(v.seo_title)}"></div>
    <div class="nr-field"><label for="seo_description">SEO description</label><textarea id="seo_description" name="seo_description" data-live-field="seo_description">${escape(v.seo_description)}</textarea></div>
    <div class="nr-checks">
      <label class="nr-check"><input type="checkbox" name="comments_open" data-live-field="comments_open"${check(v.comments_open === "1")}> Comments open</label>
      ${editorsPick ? `<label class="nr-check"><input type="checkbox" name="editors_pick" data-live-field="editors_pick"${check(v.editors_pick === "1")}> Editors' pick</label>` : ""}
      <label class="nr-check"><input type="checkbox" name="mark_updated"> Show readers an “Updated” time</label>
    </div>`;
}

/**
 * The article form as the server writes it; `csrf` adds the form's token field, `live`
 * ({ url, name, mode }) the textarea's data-live-* attributes, `fields` markup for the
 * form's other fields (see metaFields).
 */
export function form({ format, body, template = null, doc = false, stored = null, csrf = null, live = null, fields = "" }) {
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
    ${fields}
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
