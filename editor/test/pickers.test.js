// The link and read-more dialogs: finding a published article through a stand-in for the
// newsroom's GET /newsroom/articles/lookup, or taking a typed address; the dialogs' keys.
// The built bundle on a copy of the article form, in jsdom.
import { test } from "node:test";
import assert from "node:assert/strict";
import { answer, form, load, newsroom, sent, until } from "./support/page.js";

const ARTICLES = [
  { id: 3, headline: "Council passes the budget", url: "/news/council-passes-the-budget" },
  { id: 9, headline: "Budget: what changes for schools", url: "/news/budget-schools" },
];

const lookups = (found = ARTICLES) => (request) => (request.url.startsWith("/newsroom/articles/lookup?") ? answer(200, found) : answer(404, { error: "no such page" }));

async function editor({ respond = lookups(), doc } = {}) {
  const server = newsroom(respond);
  const body = doc || { type: "doc", content: [{ type: "paragraph", content: [{ type: "text", text: "read this story" }] }] };
  const loaded = await load(form({ format: "doc", doc: true, body: JSON.stringify(body), csrf: "t" }), { fetch: server.fetch });
  const { page, window } = loaded;
  const editable = page.querySelector(".rich-editor__body");
  const dialog = () => page.querySelector("[role=dialog]");
  const combobox = () => dialog().querySelector("[role=combobox]");
  const options = () => [...dialog().querySelectorAll("[role=option]")];
  const key = (el, name, init = {}) => {
    const event = new window.KeyboardEvent("keydown", { key: name, bubbles: true, cancelable: true, ...init });
    el.dispatchEvent(event);
    return event;
  };
  const typeInto = (input, value) => {
    input.value = value;
    input.dispatchEvent(new window.Event("input", { bubbles: true }));
  };
  const field = (label) => page.getElementById([...dialog().querySelectorAll("label")].find((l) => l.textContent === label).htmlFor);
  const press = (text) => [...dialog().querySelectorAll("button")].find((b) => b.textContent === text).click();
  const button = (label) => page.querySelector(`.rich-editor__toolbar button[aria-label="${label}"]`);
  /** Selects the text between two offsets of the first paragraph's first text, as the writer would with the mouse. */
  const selectText = (from, to) => {
    const text = page.createTreeWalker(editable.querySelector("p"), 4 /* NodeFilter.SHOW_TEXT */).nextNode();
    const range = page.createRange();
    range.setStart(text, from);
    range.setEnd(text, to);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    page.dispatchEvent(new window.Event("selectionchange"));
  };
  return { ...loaded, ...server, editable, dialog, combobox, options, key, typeInto, field, press, button, selectText };
}

const linkOf = (doc) => doc.content[0].content.find((n) => n.marks)?.marks[0].attrs;

test("the link dialog's field is a combobox that lists the articles the lookup answers with", async () => {
  const e = await editor();
  e.editable.focus();
  e.button("Link").click();
  const box = e.dialog();
  assert.equal(box.getAttribute("role"), "dialog");
  assert.equal(box.getAttribute("aria-modal"), "true");
  assert.equal(e.page.getElementById(box.getAttribute("aria-labelledby")).textContent, "Link");
  const input = e.combobox();
  assert.equal(e.page.activeElement, input);
  const list = e.page.getElementById(input.getAttribute("aria-controls"));
  assert.equal(list.getAttribute("role"), "listbox");
  assert.equal(input.getAttribute("aria-expanded"), "false");

  e.typeInto(input, "bud");
  e.typeInto(input, "budget");
  await until(() => e.options().length === 2, "the results");
  assert.deepEqual(e.requests.map((r) => r.url), ["/newsroom/articles/lookup?q=budget"], "one lookup, after the pause in typing");
  assert.equal(e.requests[0].credentials, "same-origin");
  assert.equal(input.getAttribute("aria-expanded"), "true");
  assert.deepEqual(e.options().map((o) => o.querySelector(".rich-editor-dialog__result-headline").textContent), ARTICLES.map((a) => a.headline));
  assert.match(box.querySelector("[role=status]").textContent, /2 articles found/);
});

test("arrow keys and Enter choose an article: the selected text links to its url", async () => {
  const e = await editor();
  e.editable.focus();
  e.selectText(0, 4); // "read"
  e.button("Link").click();
  e.typeInto(e.combobox(), "budget");
  await until(() => e.options().length === 2, "the results");
  e.key(e.combobox(), "ArrowDown");
  e.key(e.combobox(), "ArrowDown");
  assert.equal(e.combobox().getAttribute("aria-activedescendant"), e.options()[1].id);
  assert.equal(e.options()[1].getAttribute("aria-selected"), "true");
  e.key(e.combobox(), "ArrowDown"); // past the last: back to the first
  e.key(e.combobox(), "ArrowUp"); // and back
  const enter = e.key(e.combobox(), "Enter");
  assert.equal(enter.defaultPrevented, true);
  assert.equal(e.dialog(), null);
  const doc = sent(e.textarea);
  assert.deepEqual(doc.content[0].content[0], { type: "text", marks: [{ type: "link", attrs: { href: "/news/budget-schools", title: null } }], text: "read" });
  assert.equal(e.page.activeElement, e.editable, "focus is back in the editor");
});

test("a click on a result chooses it; with no text selected the headline becomes the link's text", async () => {
  const e = await editor();
  e.editable.focus(); // the cursor is at the start of the paragraph
  e.button("Link").click();
  e.typeInto(e.combobox(), "council");
  await until(() => e.options().length === 2, "the results");
  e.options()[0].click();
  assert.equal(e.dialog(), null);
  assert.deepEqual(sent(e.textarea).content[0].content[0], {
    type: "text",
    marks: [{ type: "link", attrs: { href: "/news/council-passes-the-budget", title: null } }],
    text: "Council passes the budget",
  });
});

test("a typed address is taken by the usual rules: a bare host as https, a script refused", async () => {
  const e = await editor({ respond: () => assert.fail("an address is not searched for") });
  e.editable.focus();
  e.selectText(5, 9); // "this"
  e.button("Link").click();
  e.typeInto(e.combobox(), "javascript:alert(1)");
  e.press("Link");
  assert.match(e.dialog().querySelector("[role=alert]").textContent, /A link cannot go to that/);
  assert.equal(e.combobox().getAttribute("aria-invalid"), "true");
  e.typeInto(e.combobox(), "https://example.org/report");
  e.press("Link");
  assert.equal(e.dialog(), null);
  assert.deepEqual(linkOf(sent(e.textarea)), { href: "https://example.org/report", title: null });
});

test("a bare host typed and sent with Enter becomes an https link", async () => {
  const e = await editor();
  e.editable.focus();
  e.selectText(5, 9);
  e.button("Link").click();
  e.typeInto(e.combobox(), "example.org/page");
  // Enter with no result chosen sends the dialog's form, as a browser does.
  e.dialog().querySelector("form").requestSubmit();
  assert.equal(e.dialog(), null);
  assert.deepEqual(linkOf(sent(e.textarea)), { href: "https://example.org/page", title: null });
});

test("read more: a chosen article gives the card its url and headline", async () => {
  const e = await editor();
  e.editable.focus();
  e.button("Read more link").click();
  assert.equal(e.page.getElementById(e.dialog().getAttribute("aria-labelledby")).textContent, "Insert a read more link");
  e.typeInto(e.combobox(), "schools");
  await until(() => e.options().length === 2, "the results");
  e.key(e.combobox(), "ArrowDown");
  e.key(e.combobox(), "ArrowDown");
  e.key(e.combobox(), "Enter");
  assert.equal(e.dialog(), null);
  assert.deepEqual(sent(e.textarea).content[0], { type: "read_more", attrs: { href: "/news/budget-schools", headline: "Budget: what changes for schools" } });
});

test("read more with a typed address asks for the headline", async () => {
  const e = await editor();
  e.editable.focus();
  e.button("Read more link").click();
  e.typeInto(e.combobox(), "/news/older-story");
  e.press("Insert");
  assert.match(e.dialog().querySelector("[role=alert]").textContent, /headline/);
  assert.equal(e.page.activeElement, e.field("Headline"));
  e.typeInto(e.field("Headline"), "An older story");
  e.press("Insert");
  assert.deepEqual(sent(e.textarea).content[0], { type: "read_more", attrs: { href: "/news/older-story", headline: "An older story" } });
});

test("Escape closes the dialog, changes nothing and gives focus back to the editor", async () => {
  const e = await editor();
  const before = e.textarea.value;
  e.editable.focus();
  e.button("Link").click();
  e.typeInto(e.combobox(), "budget");
  const escape = e.key(e.combobox(), "Escape");
  assert.equal(escape.defaultPrevented, true);
  assert.equal(e.dialog(), null);
  assert.equal(e.page.activeElement, e.editable);
  assert.equal(e.textarea.value, before);
  // The search that was waiting for the pause in typing never goes out: a search asked
  // for later, in a new dialog, is the first and only one to reach the newsroom.
  e.button("Link").click();
  e.typeInto(e.combobox(), "council");
  await until(() => e.requests.length > 0, "the new dialog's lookup");
  assert.deepEqual(e.requests.map((r) => r.url), ["/newsroom/articles/lookup?q=council"]);
});

test("Tab and Shift-Tab stay inside the dialog", async () => {
  const e = await editor();
  e.editable.focus();
  e.button("Read more link").click();
  const focusables = [...e.dialog().querySelectorAll("input, button")];
  const [first, last] = [focusables[0], focusables.at(-1)];
  last.focus();
  assert.equal(e.key(last, "Tab").defaultPrevented, true);
  assert.equal(e.page.activeElement, first);
  assert.equal(e.key(first, "Tab", { shiftKey: true }).defaultPrevented, true);
  assert.equal(e.page.activeElement, last);
  e.editable.focus(); // focus taken elsewhere (a click behind the dialog) comes back into it
  assert.ok(e.dialog().contains(e.page.activeElement));
});

test("the link button on a link removes it without a dialog", async () => {
  const doc = {
    type: "doc",
    content: [{ type: "paragraph", content: [{ type: "text", marks: [{ type: "link", attrs: { href: "/news/a", title: null } }], text: "linked" }] }],
  };
  const e = await editor({ doc });
  e.editable.focus();
  e.selectText(2, 2); // the cursor inside the link
  assert.equal(e.button("Link").getAttribute("aria-pressed"), "true");
  e.button("Link").click();
  assert.equal(e.dialog(), null);
  assert.deepEqual(sent(e.textarea).content[0].content, [{ type: "text", text: "linked" }]);
});

test("a lookup that fails says so, and a typed address still works", async () => {
  const e = await editor({ respond: () => answer(500, { error: "down" }) });
  e.editable.focus();
  e.selectText(0, 4);
  e.button("Link").click();
  e.typeInto(e.combobox(), "budget");
  await until(() => /not answering/.test(e.dialog().querySelector("[role=status]").textContent), "the status");
  assert.equal(e.options().length, 0);
  e.typeInto(e.combobox(), "/news/slug");
  e.press("Link");
  assert.deepEqual(linkOf(sent(e.textarea)), { href: "/news/slug", title: null });
});

test("an answer to an older question is dropped when a newer one was asked", async () => {
  let releaseOld;
  let oldRead = false;
  // The older answer, held back; it says when the editor has read it.
  const older = new Promise((resolve) => {
    releaseOld = () =>
      resolve({
        ok: true,
        status: 200,
        headers: { get: () => "application/json" },
        json: async () => {
          oldRead = true;
          return [ARTICLES[0]];
        },
      });
  });
  const e = await editor({ respond: (request) => (request.url.endsWith("q=bud") ? older : answer(200, [ARTICLES[1]])) });
  e.editable.focus();
  e.button("Link").click();
  e.typeInto(e.combobox(), "bud");
  await until(() => e.requests.length === 1, "the first lookup");
  e.typeInto(e.combobox(), "budget schools");
  await until(() => e.options().length === 1, "the second answer");
  releaseOld();
  await until(() => oldRead, "the older answer to be read");
  // From there on its way is promise callbacks, which all run before a timer does.
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(e.options().map((o) => o.querySelector(".rich-editor-dialog__result-url").textContent), ["/news/budget-schools"]);
});
