// One jsdom window for the tests: it gives the cleaner and the schema's parser a
// document, as the browser does.
import { JSDOM } from "jsdom";

export const window = new JSDOM("<!doctype html><html><body></body></html>").window;
export const document = window.document;

/** The <body> of `html` parsed as a whole page, without running or loading anything. */
export function parseBody(html) {
  return new window.DOMParser().parseFromString(html, "text/html").body;
}
