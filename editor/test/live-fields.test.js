// The article form's other fields shared live (src/live/fields.js): two writers' forms, each
// the built bundle in jsdom, on one stand-in newsroom (test/support/live.js) whose document
// holds the map "meta" as the server seeds it.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { FIELDS, caretMapper } from "../src/live/fields.js";
import { fakeNewsroom } from "./support/live.js";
import { form, load, metaFields, until } from "./support/page.js";

const body = { type: "doc", content: [{ type: "paragraph", content: [{ type: "text", text: "Words" }] }] };

// What the page was written with, and what the newsroom's document holds (the server's keys
// and its way of writing each: ids in byline order, "1" or "" for a switch).
const onThePage = { headline: "Old headline", dek: "Old dek", section_id: "1", authors: "1", comments_open: "", editors_pick: "1" };
const seeded = {
  headline: "Council passes the budget",
  dek: "After a long night",
  kicker: "Politics",
  slug: "council-budget",
  section_id: "2",
  topics: "council, budget",
  seo_title: "Budget passed",
  seo_description: "The council passed it",
  authors: "3,1",
  comments_open: "1",
  editors_pick: "",
};

/** One writer's article form on `newsroom` (its socket is the newsroom's newest). */
async function writer(t, newsroom, { name = "Ann Editor", mode = "edit", values = onThePage, editorsPick = true } = {}) {
  const html = form({
    format: "doc",
    doc: true,
    body: JSON.stringify(body),
    live: { url: "/newsroom/articles/12/live", name, mode },
    fields: metaFields(values, { editorsPick }),
  });
  const loaded = await load(html, { WebSocket: newsroom.WebSocket });
  t.after(() => loaded.window.close());
  const { page, window } = loaded;
  const socket = newsroom.sockets.at(-1);
  const field = (key) => page.querySelector(`[data-live-field="${key}"]`);
  const heard = [];
  page.getElementById("f").addEventListener("input", (e) => heard.push(e.target));
  return {
    ...loaded,
    socket,
    heard,
    host: page.querySelector(".rich-editor"),
    field,
    author: (id) => page.querySelector(`input[name="authors"][value="${id}"]`),
    byline: () => [...page.querySelectorAll('input[name="authors"]')].filter((c) => c.checked).map((c) => c.value),
    /** Types `value` into a text field as a writer does: the value changes, an input event follows. */
    type(key, value) {
      const control = field(key);
      control.focus();
      control.value = value;
      control.dispatchEvent(new window.Event("input", { bubbles: true }));
    },
    choose(key, value) {
      const control = field(key);
      control.value = value;
      control.dispatchEvent(new window.Event("input", { bubbles: true }));
      control.dispatchEvent(new window.Event("change", { bubbles: true }));
    },
    note: (key) => page.getElementById(`live-field-${key}-others`),
    async synced() {
      socket.open();
      await until(() => loaded.page.querySelector(".rich-editor").dataset.liveState === "synced", `${name}'s first sync`);
    },
  };
}

async function twoWriters(t, options = {}) {
  const newsroom = fakeNewsroom(body, { meta: seeded });
  const ann = await writer(t, newsroom, { name: "Ann Editor", ...options.ann });
  const bo = await writer(t, newsroom, { name: "Bo Chen", ...options.bo });
  await ann.synced();
  await bo.synced();
  return { newsroom, ann, bo };
}

test("live fields: the page's values until the first sync, then the newsroom's in every field", async (t) => {
  const newsroom = fakeNewsroom(body, { meta: { ...seeded, layout: "wide" } });
  const ann = await writer(t, newsroom);
  assert.equal(ann.field("headline").value, "Old headline");
  assert.deepEqual(ann.byline(), ["1"]);
  assert.equal(ann.field("editors_pick").checked, true);

  await ann.synced();
  assert.deepEqual(ann.errors, []);
  for (const key of ["headline", "dek", "kicker", "slug", "section_id", "topics", "seo_title", "seo_description"]) {
    assert.equal(ann.field(key).value, seeded[key], key);
  }
  assert.equal(ann.field("section_id").selectedOptions[0].textContent, "Sport");
  assert.deepEqual(ann.byline(), ["1", "3"], "the byline's authors checked, whatever their order");
  assert.equal(ann.field("comments_open").checked, true);
  assert.equal(ann.field("editors_pick").checked, false);
  assert.equal(ann.page.querySelector('input[name="mark_updated"]').checked, false, "a field that is not shared is left alone");
  assert.deepEqual(ann.heard, [ann.textarea], "filling the fields is not typing: no input event for them");
  assert.deepEqual(newsroom.meta(), { ...seeded, layout: "wide" }, "and nothing went back");
  assert.equal(newsroom.updatesFrom(ann.socket), 0);
});

test("live fields: a field the newsroom's document lacks keeps the page's value; a form without the editors' switch works", async (t) => {
  const { kicker, editors_pick, ...partial } = seeded;
  const newsroom = fakeNewsroom(body, { meta: partial });
  const ann = await writer(t, newsroom, { values: { ...onThePage, kicker: "From the page" }, editorsPick: false });
  await ann.synced();
  assert.equal(ann.field("kicker").value, "From the page");
  assert.equal(ann.field("headline").value, seeded.headline);
  assert.equal(ann.field("editors_pick"), null);
  newsroom.setField("editors_pick", "1");
  newsroom.setField("dek", "Later");
  await until(() => ann.field("dek").value === "Later", "a change after the missing switch's");
  assert.deepEqual(ann.errors, []);
});

test("live fields: a headline typed in one form shows in the other's", async (t) => {
  const { newsroom, ann, bo } = await twoWriters(t);
  ann.type("headline", "Council passes the budget at last");
  await until(() => bo.field("headline").value === "Council passes the budget at last", "Ann's headline in Bo's form");
  assert.equal(newsroom.meta().headline, "Council passes the budget at last");
  assert.equal(ann.host.dataset.liveState, "synced");
  ann.type("dek", "After a long night\nand a vote");
  await until(() => bo.field("dek").value === "After a long night\nand a vote", "a textarea too");
});

test("live fields: switches, the section and the byline go both ways", async (t) => {
  const { newsroom, ann, bo } = await twoWriters(t);
  bo.field("comments_open").click();
  await until(() => ann.field("comments_open").checked === false, "comments closed in Ann's form");
  assert.equal(newsroom.meta().comments_open, "");
  ann.field("editors_pick").click();
  await until(() => bo.field("editors_pick").checked, "the pick in Bo's form");
  assert.equal(newsroom.meta().editors_pick, "1");

  ann.choose("section_id", "3");
  await until(() => bo.field("section_id").value === "3", "the section in Bo's form");
  assert.equal(newsroom.meta().section_id, "3");

  // Bylines are written as the page orders its checkboxes.
  bo.author("1").click();
  bo.author("2").click();
  await until(() => ann.byline().join() === "2,3", "Bo's byline in Ann's form");
  assert.equal(newsroom.meta().authors, "2,3");
  ann.author("1").click();
  await until(() => bo.byline().join() === "1,2,3", "and Ann's in Bo's");
  assert.equal(newsroom.meta().authors, "1,2,3");
});

test("live fields: a change made elsewhere into the field being typed in keeps the caret in its words", async (t) => {
  const { newsroom, ann, bo } = await twoWriters(t);
  const headline = bo.field("headline");
  headline.focus();
  headline.setSelectionRange(7, 7); // "Council|"
  ann.type("headline", "City council passes the budget");
  await until(() => headline.value === "City council passes the budget", "Ann's change in Bo's focused field");
  assert.equal(bo.page.activeElement, headline);
  assert.deepEqual([headline.selectionStart, headline.selectionEnd], [12, 12], "still after 'council'");

  // Words selected behind the change stay selected.
  headline.setSelectionRange(13, 19, "backward"); // "passes"
  newsroom.setField("headline", "Big city council passes the budget");
  await until(() => headline.value.startsWith("Big"), "the desk's change");
  assert.equal(headline.value.slice(headline.selectionStart, headline.selectionEnd), "passes");
  assert.equal(headline.selectionDirection, "backward");

  // A change to another field leaves this one as it is.
  headline.setSelectionRange(3, 3);
  newsroom.setField("kicker", "City hall");
  await until(() => bo.field("kicker").value === "City hall", "the kicker");
  assert.deepEqual([headline.selectionStart, headline.selectionEnd], [3, 3]);
});

test("the caret's place after a change: before it, behind it, inside it, never inside a surrogate pair", () => {
  const map = caretMapper("Council passes", "City council passes");
  assert.equal(map(0), 0);
  assert.equal(map(7), 12);
  assert.equal(map(14), 19);
  assert.equal(caretMapper("abcdef", "abXYef")(3), 4, "inside what changed: the end of what replaced it");
  // "a😀b" → "a😃b": the two emoji share their first half, which must not count as kept.
  const emoji = caretMapper("a\u{1F600}b", "a\u{1F603}b");
  assert.equal(emoji(2), 3);
  assert.equal(emoji(1), 1);
});

test("live fields: read mode fills the fields and follows them, but never writes nor says where it is", async (t) => {
  const newsroom = fakeNewsroom(body, { meta: seeded });
  const ann = await writer(t, newsroom);
  const reader = await writer(t, newsroom, { name: "A Reader", mode: "read" });
  await ann.synced();
  await reader.synced();
  assert.equal(reader.field("headline").value, seeded.headline);
  reader.type("headline", "A reader's headline");
  reader.field("comments_open").click();
  reader.choose("section_id", "1");
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(newsroom.meta(), seeded);
  assert.equal(newsroom.updatesFrom(reader.socket), 0);
  assert.equal(ann.note("headline"), null, "the reader in the headline is not shown to the writer");
  newsroom.setField("headline", "From the desk");
  await until(() => reader.field("headline").value === "From the desk", "the desk's change in the reader's form");
});

test("live fields: the field another writer is in says so, in words under it, and stops when they leave it", async (t) => {
  const { ann, bo } = await twoWriters(t);
  const headline = bo.field("headline");
  headline.setAttribute("aria-describedby", "err-headline");
  ann.field("headline").focus();
  await until(() => bo.note("headline")?.hidden === false, "Ann's presence in Bo's headline");
  const note = bo.note("headline");
  assert.equal(note.textContent, "Ann Editor is editing");
  assert.ok(headline.classList.contains("rich-editor-field--others"));
  assert.match(headline.style.getPropertyValue("--live-field-colour"), /^#/);
  assert.deepEqual(headline.getAttribute("aria-describedby").split(" "), ["err-headline", note.id], "read out with the field");
  assert.equal(ann.note("headline"), null, "not in Ann's own form");

  // Each sees the other in the field they share.
  headline.focus();
  await until(() => ann.note("headline")?.textContent === "Bo Chen is editing", "Bo's presence in Ann's headline");
  assert.equal(bo.note("headline").textContent, "Ann Editor is editing");

  ann.author("1").focus();
  await until(() => bo.note("authors")?.textContent === "Ann Editor is editing", "Ann in the byline");
  assert.equal(bo.note("headline").hidden, true);
  assert.equal(headline.classList.contains("rich-editor-field--others"), false);
  assert.equal(headline.getAttribute("aria-describedby"), "err-headline");
  assert.equal(bo.note("authors").closest("label"), null, "not part of a checkbox's name");
  assert.ok([1, 2, 3].every((id) => bo.author(String(id)).getAttribute("aria-describedby") === bo.note("authors").id));
  ann.author("2").focus();
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.equal(bo.note("authors").textContent, "Ann Editor is editing", "still in the byline");
  ann.author("2").blur();
  await until(() => bo.note("authors").hidden, "Ann left the byline");
});

test("live fields: when live editing stops, the fields are the form's again", async (t) => {
  const { newsroom, ann, bo } = await twoWriters(t);
  ann.field("headline").focus();
  await until(() => bo.note("headline")?.hidden === false, "Ann's presence in Bo's headline");
  bo.socket.deny("the article was unpublished");
  await until(() => bo.host.dataset.liveState === "off", "the refusal");
  assert.equal(bo.note("headline"), null, "the note is gone");
  assert.equal(bo.field("headline").classList.contains("rich-editor-field--others"), false);
  assert.equal(bo.field("headline").hasAttribute("aria-describedby"), false);
  bo.type("headline", "Bo's own headline");
  ann.type("headline", "Ann's headline");
  await until(() => newsroom.meta().headline === "Ann's headline", "Ann's headline at the newsroom");
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.equal(bo.field("headline").value, "Bo's own headline", "what Bo's form sends is Bo's");
});

test("live fields: a first connection that fails leaves the page's fields as they were", async (t) => {
  const newsroom = fakeNewsroom(body, { meta: seeded });
  const ann = await writer(t, newsroom);
  ann.socket.drop();
  assert.equal(ann.host.dataset.liveState, "off");
  assert.equal(ann.field("headline").value, "Old headline");
  ann.type("headline", "Typed after");
  assert.equal(ann.field("headline").value, "Typed after");
  assert.deepEqual(ann.errors, []);
});

test("the fields the newsroom shares are the ones the editor binds and the edit page marks", () => {
  const read = (file) => fs.readFileSync(new URL(`../../${file}`, import.meta.url), "utf8");
  const template = read("crates/web/templates/newsroom/article_edit.html");
  const marked = new Set([...template.matchAll(/data-live-field="([a-z_]+)"/g)].map((m) => m[1]));
  assert.deepEqual([...marked].sort(), Object.keys(FIELDS).sort());
  // The server's list of the keys it seeds (crates/web/src/newsroom/live.rs, shared_fields).
  const server = read("crates/web/src/newsroom/live.rs");
  const seeding = server.slice(server.indexOf("fn shared_fields"), server.indexOf("\n}\n", server.indexOf("fn shared_fields")));
  const seededKeys = [...seeding.matchAll(/\(\s*"([a-z_]+)"\.into\(\)/g)].map((m) => m[1]);
  assert.deepEqual(seededKeys.sort(), Object.keys(FIELDS).sort());
  assert.deepEqual(Object.keys(seeded).sort(), Object.keys(FIELDS).sort(), "these tests seed what the server seeds");
});
