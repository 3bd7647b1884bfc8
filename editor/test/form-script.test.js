// The article form's own script (crates/web/static/js/editor.js) beside the rich editor:
// leaving with unsaved changes asks first, and a body edited live is not "unsaved" once it
// has left the browser.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { fakeNewsroom } from "./support/live.js";
import { form, load, metaFields, until } from "./support/page.js";

const script = fs.readFileSync(new URL("../../crates/web/static/js/editor.js", import.meta.url), "utf8");
const opened = { type: "doc", content: [{ type: "paragraph", content: [{ type: "text", text: "Words" }] }] };

async function articleForm(t, live, { fields = false } = {}) {
  const newsroom = fakeNewsroom(opened, { meta: { headline: "A headline", comments_open: "1" } });
  const html = form({ format: "doc", doc: true, body: JSON.stringify(opened), live, fields: fields ? metaFields({ headline: "A headline" }) : "" })
    .replace('<form id="f">', `<form id="article-form">${fields ? "" : '<input id="headline" name="headline" value="A headline">'}`)
    .replace("</form>", '<div class="nr-actions"><button name="action" value="save">Save</button></div></form>');
  const loaded = await load(html, { WebSocket: newsroom.WebSocket });
  t.after(() => loaded.window.close());
  loaded.window.eval(script);
  const { page, window } = loaded;
  return {
    ...loaded,
    newsroom,
    host: page.querySelector(".rich-editor"),
    socket: () => newsroom.sockets.at(-1),
    separator: () => page.querySelector('.rich-editor__toolbar button[aria-label="Separator"]').click(),
    /** Whether leaving the page now would ask first. */
    asks() {
      const event = new window.Event("beforeunload", { cancelable: true });
      window.dispatchEvent(event);
      return event.defaultPrevented;
    },
  };
}

test("form script: without live editing, a body change makes leaving ask", async (t) => {
  const f = await articleForm(t, null);
  assert.equal(f.asks(), false);
  f.separator();
  assert.equal(f.asks(), true);
});

test("form script: a live body's changes, once sent, do not make leaving ask; other fields still do", async (t) => {
  const f = await articleForm(t, { url: "/newsroom/articles/12/live", name: "Ann Editor", mode: "edit" });
  f.socket().open();
  await until(() => f.host.dataset.liveState === "synced", "the first sync");
  f.separator();
  assert.equal(f.host.dataset.liveState, "synced");
  assert.equal(f.asks(), false);
  const headline = f.page.getElementById("headline");
  headline.dispatchEvent(new f.window.Event("input", { bubbles: true }));
  assert.equal(f.asks(), true);
});

test("form script: leaving asks while live changes are pending, or kept offline", async (t) => {
  const f = await articleForm(t, { url: "/newsroom/articles/12/live", name: "Ann Editor", mode: "edit" });
  f.socket().open();
  await until(() => f.host.dataset.liveState === "synced", "the first sync");
  f.socket().bufferedAmount = 50;
  f.separator();
  assert.equal(f.host.dataset.liveState, "pending");
  assert.equal(f.asks(), true);
  f.socket().bufferedAmount = 0;
  await until(() => f.host.dataset.liveState === "synced", "the buffer emptied");
  assert.equal(f.asks(), false);

  f.socket().drop();
  assert.equal(f.host.dataset.liveState, "offline");
  assert.equal(f.asks(), false, "offline with nothing unsent");
  f.separator();
  assert.equal(f.asks(), true, "offline with a change kept");
});

test("form script: when live editing falls back to the plain editor, body changes make the form dirty again", async (t) => {
  const f = await articleForm(t, { url: "/newsroom/articles/12/live", name: "Ann Editor", mode: "edit" });
  f.socket().drop();
  assert.equal(f.host.dataset.liveState, "off");
  assert.equal(f.asks(), false);
  f.separator();
  assert.equal(f.asks(), true);
});

test("form script: refused after the sync with changes unsent, the form holds them and leaving asks", async (t) => {
  const f = await articleForm(t, { url: "/newsroom/articles/12/live", name: "Ann Editor", mode: "edit" });
  f.socket().open();
  await until(() => f.host.dataset.liveState === "synced", "the first sync");
  f.socket().drop();
  f.separator();
  await until(() => f.newsroom.sockets.length === 2, "the reconnection", 2500);
  f.socket().bufferedAmount = 10; // what it is given is never passed on before the refusal
  f.socket().open();
  f.socket().deny("the article was unpublished");
  await until(() => f.host.dataset.liveState === "off", "the refusal");
  assert.match(f.page.querySelector(".rich-editor__status").textContent, /^Live editing stopped \(the article was unpublished\)/);
  assert.equal(f.asks(), true);
});

test("form script: a shared field's change, once sent, does not make leaving ask; kept offline it does", async (t) => {
  const f = await articleForm(t, { url: "/newsroom/articles/12/live", name: "Ann Editor", mode: "edit" }, { fields: true });
  const headline = f.page.getElementById("headline");
  const type = (words) => {
    headline.value = words;
    headline.dispatchEvent(new f.window.Event("input", { bubbles: true }));
  };
  f.socket().open();
  await until(() => f.host.dataset.liveState === "synced", "the first sync");
  type("A new headline");
  f.page.querySelector('input[name="comments_open"]').click();
  assert.deepEqual(f.newsroom.meta(), { headline: "A new headline", comments_open: "" });
  assert.equal(f.asks(), false);
  f.socket().drop();
  type("Written offline");
  assert.equal(f.asks(), true);
});

test("form script: a reader's changes to the shared fields go nowhere, so leaving asks", async (t) => {
  const f = await articleForm(t, { url: "/newsroom/articles/12/live", name: "A Reader", mode: "read" }, { fields: true });
  f.socket().open();
  await until(() => f.host.dataset.liveState === "synced", "the first sync");
  f.page.querySelector('input[name="comments_open"]').click();
  assert.equal(f.asks(), true);
});
