// Live editing in the built bundle on a copy of the article form (jsdom), against a stand-in
// for the newsroom's live endpoint (test/support/live.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as Y from "yjs";
import { awarenessFrom, fakeNewsroom } from "./support/live.js";
import { form, load, sent, until } from "./support/page.js";

const paragraph = (text) => ({ type: "paragraph", content: [{ type: "text", text }] });
const opened = { type: "doc", content: [paragraph("As the page opened it")] };
const held = { type: "doc", content: [paragraph("As the newsroom holds it"), paragraph("Typed by Bo")] };

async function livePage(t, { mode = "edit", body = held, answer = true, url = "/newsroom/articles/12/live" } = {}) {
  const newsroom = fakeNewsroom(body, { answer });
  const loaded = await load(form({ format: "doc", doc: true, body: JSON.stringify(opened), live: { url, name: "Ann Editor", mode } }), {
    WebSocket: newsroom.WebSocket,
  });
  // Closing the window stops its timers (the awareness check, reconnections).
  t.after(() => loaded.window.close());
  const { page } = loaded;
  const heard = [];
  loaded.textarea.addEventListener("input", () => heard.push(loaded.textarea.value));
  return {
    ...loaded,
    newsroom,
    heard,
    host: page.querySelector(".rich-editor"),
    editable: page.querySelector(".rich-editor__body"),
    status: () => page.querySelector(".rich-editor__status").textContent,
    presence: page.querySelector(".rich-editor__presence"),
    socket: () => newsroom.sockets.at(-1),
    button: (label) => page.querySelector(`.rich-editor__toolbar button[aria-label="${label}"]`),
  };
}

async function synced(p) {
  p.socket().open();
  await until(() => p.host.dataset.liveState === "synced", "the first sync");
}

test("live: connects to the page's address, shows the page's document read-only until the first sync, then the newsroom's, editable", async (t) => {
  const p = await livePage(t);
  assert.deepEqual(p.errors, []);
  assert.equal(p.newsroom.sockets.length, 1);
  assert.equal(p.socket().url, "wss://newsroom.example/newsroom/articles/12/live");
  assert.equal(p.host.dataset.liveState, "connecting");
  assert.equal(p.status(), "Connecting…");
  assert.equal(p.editable.getAttribute("contenteditable"), "false");
  assert.equal(p.editable.textContent, "As the page opened it");
  assert.deepEqual(sent(p.textarea), opened);
  const flag = p.page.querySelector('input[name="live"]');
  assert.equal(flag.value, "", "the form does not claim to send the live document yet");
  // The toolbar offers nothing, and a button pressed anyway changes nothing.
  assert.equal(p.button("Separator").getAttribute("aria-disabled"), "true");
  p.button("Separator").click();
  assert.deepEqual(sent(p.textarea), opened);

  await synced(p);
  assert.equal(p.editable.getAttribute("contenteditable"), "true");
  assert.equal(p.status(), "All changes saved");
  assert.equal(p.editable.textContent, "As the newsroom holds itTyped by Bo");
  assert.deepEqual(sent(p.textarea), held, "the form sends the live document");
  assert.equal(flag.value, "1", "and says so");
  assert.ok(p.heard.length >= 1, "an input event said so");
  assert.equal(p.button("Separator").getAttribute("aria-disabled"), "false");
  // The client never wrote a document of its own into the newsroom's.
  assert.deepEqual(p.newsroom.body(), held);
});

test("live: an address on another site is refused, and the plain editor starts", async (t) => {
  const p = await livePage(t, { url: "//elsewhere.example/live" });
  assert.equal(p.newsroom.sockets.length, 0);
  assert.equal(p.host.dataset.liveState, "off");
  assert.equal(p.editable.getAttribute("contenteditable"), "true");
});

test("live: a change is sent to the newsroom, and one made elsewhere arrives", async (t) => {
  const p = await livePage(t);
  await synced(p);
  p.button("Separator").click();
  await until(() => p.newsroom.body().content.some((n) => n.type === "horizontal_rule"), "the separator at the newsroom");
  assert.equal(p.host.dataset.liveState, "synced");
  assert.deepEqual(sent(p.textarea), p.newsroom.body());

  p.newsroom.change((fragment) => fragment.insert(0, [new Y.XmlElement("horizontal_rule")]));
  const rules = () => sent(p.textarea).content.filter((n) => n.type === "horizontal_rule").length;
  await until(() => rules() === 2, "the change made elsewhere");
  assert.deepEqual(sent(p.textarea), p.newsroom.body());
});

test("live: a change the socket has not passed on yet is pending (Saving…)", async (t) => {
  const p = await livePage(t);
  await synced(p);
  p.socket().bufferedAmount = 120;
  p.button("Separator").click();
  assert.equal(p.host.dataset.liveState, "pending");
  assert.equal(p.host.dataset.liveUnsent, "true");
  assert.equal(p.status(), "Saving…");
  p.socket().bufferedAmount = 0;
  await until(() => p.host.dataset.liveState === "synced", "the buffer emptied");
  assert.equal(p.host.dataset.liveUnsent, "false");
  assert.equal(p.status(), "All changes saved");
});

test("live: offline, the writer keeps editing; the editor reconnects within 2 s and both sides merge", async (t) => {
  const p = await livePage(t);
  await synced(p);
  p.socket().deliver(awarenessFrom(4242, { user: { name: "Bo Chen" } }));
  await until(() => p.presence.textContent === "Bo Chen is editing", "Bo's presence");

  p.socket().drop();
  assert.equal(p.host.dataset.liveState, "offline");
  assert.equal(p.status(), "Offline — your changes are kept and sent when you reconnect");
  assert.equal(p.presence.textContent, "", "nobody is known to be editing while offline");
  assert.equal(p.editable.getAttribute("contenteditable"), "true");
  p.button("Separator").click();
  assert.equal(p.host.dataset.liveUnsent, "true");
  p.newsroom.change((fragment) => fragment.insert(0, [new Y.XmlElement("horizontal_rule")]));

  const started = Date.now();
  await until(() => p.newsroom.sockets.length === 2, "a second connection", 2500);
  assert.ok(Date.now() - started <= 2000);
  p.socket().open();
  await until(() => p.host.dataset.liveState === "synced", "the sync after reconnecting");
  const body = p.newsroom.body();
  assert.equal(body.content.filter((n) => n.type === "horizontal_rule").length, 2, "both separators, the offline one and the one made elsewhere");
  assert.deepEqual(sent(p.textarea), body);
  assert.equal(p.host.dataset.liveUnsent, "false");
});

test("live: the presence line names the other writers, from their awareness", async (t) => {
  const p = await livePage(t);
  await synced(p);
  assert.equal(p.presence.getAttribute("aria-live"), "polite");
  assert.ok(p.presence.closest(".rich-editor__header"), "in the editor's header");
  assert.equal(p.presence.textContent, "");
  p.socket().deliver(awarenessFrom(4242, { user: { name: "Bo Chen", mode: "edit" } }));
  await until(() => p.presence.textContent === "Bo Chen is editing", "one writer");
  p.socket().deliver(awarenessFrom(4343, { user: { name: "Cy <b>Dee</b>" } }));
  p.socket().deliver(awarenessFrom(4444, { user: { name: "A Reader", mode: "read" } }));
  await until(() => p.presence.textContent === "Bo Chen and Cy <b>Dee</b> are editing", "two writers (a reader is not editing)");
  assert.equal(p.presence.querySelector("b"), null, "names are text");
  p.socket().deliver(awarenessFrom(4242, null, 2));
  await until(() => p.presence.textContent === "Cy <b>Dee</b> is editing", "Bo left");

  // This writer's own state went to the newsroom with the name and the mode.
  assert.ok(p.newsroom.received.some(([, type]) => type === 1));
});

test("live: another writer's cursor shows with their name", async (t) => {
  const p = await livePage(t);
  await synced(p);
  const text = p.newsroom.ydoc.getXmlFragment("body").get(1).get(0);
  const at = Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(text, 5));
  p.socket().deliver(awarenessFrom(4242, { user: { name: "Bo Chen", color: "red;background:url(x)" }, cursor: { anchor: at, head: at } }));
  await until(() => p.page.querySelector(".rich-editor__cursor-name"), "the cursor");
  const cursor = p.page.querySelector(".rich-editor__cursor");
  assert.equal(p.page.querySelector(".rich-editor__cursor-name").textContent, "Bo Chen");
  assert.match(cursor.style.borderColor, /^(#|rgb)/, "the colour is the editor's own, not the one sent");
  assert.equal(cursor.closest("p").textContent.replace(/\u2060/g, "").replace("Bo Chen", "|"), "Typed| by Bo");
});

test("live: when the first connection closes before syncing, the plain editor starts from the page's document", async (t) => {
  const p = await livePage(t);
  p.socket().drop();
  assert.equal(p.host.dataset.liveState, "off");
  assert.equal(p.status(), "Live editing unavailable: changes are saved with the form");
  assert.equal(p.editable.getAttribute("contenteditable"), "true");
  assert.equal(p.editable.textContent, "As the page opened it");
  assert.equal(p.page.querySelector('input[name="live"]').value, "", "the form's body is not the live document's");
  p.button("Separator").click();
  assert.ok(sent(p.textarea).content.some((n) => n.type === "horizontal_rule"));
  // Its own undo history, as without live editing.
  const undo = new p.window.KeyboardEvent("keydown", { key: "z", ctrlKey: true, bubbles: true, cancelable: true });
  p.editable.dispatchEvent(undo);
  assert.deepEqual(sent(p.textarea), opened);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(p.newsroom.sockets.length, 1, "no second try");
});

test("live: refused by the newsroom before syncing, the plain editor starts", async (t) => {
  const p = await livePage(t, { answer: false });
  p.socket().open();
  p.socket().deny("not your article");
  await until(() => p.host.dataset.liveState === "off", "the refusal");
  assert.equal(p.editable.getAttribute("contenteditable"), "true");
  assert.equal(p.status(), "Live editing unavailable: changes are saved with the form");
});

test("live: read mode is never editable, before or after the sync, and still follows the others", async (t) => {
  const p = await livePage(t, { mode: "read" });
  assert.equal(p.editable.getAttribute("contenteditable"), "false");
  await synced(p);
  assert.equal(p.editable.getAttribute("contenteditable"), "false");
  assert.equal(p.status(), "Live: read only");
  assert.equal(p.button("Separator").getAttribute("aria-disabled"), "true");
  p.button("Separator").click();
  assert.deepEqual(sent(p.textarea), held);
  p.newsroom.change((fragment) => fragment.insert(0, [new Y.XmlElement("horizontal_rule")]));
  await until(() => sent(p.textarea).content[0].type === "horizontal_rule", "the change made elsewhere");
  assert.equal(p.editable.getAttribute("contenteditable"), "false");
});

test("read mode: a failed connection leaves it read-only", async (t) => {
  const p = await livePage(t, { mode: "read" });
  p.socket().drop();
  assert.equal(p.host.dataset.liveState, "off");
  assert.equal(p.editable.getAttribute("contenteditable"), "false");
});

test("without data-live-url there is no live editing at all", async () => {
  let made = 0;
  class NoSocket {
    constructor() {
      made += 1;
    }
  }
  const { page, window } = await load(form({ format: "doc", doc: true, body: JSON.stringify(opened) }), { WebSocket: NoSocket });
  assert.equal(made, 0);
  assert.equal(page.querySelector(".rich-editor").dataset.liveState, "off");
  assert.equal(page.querySelector(".rich-editor__header"), null);
  assert.equal(page.querySelector(".rich-editor__body").getAttribute("contenteditable"), "true");
  window.close();
});
