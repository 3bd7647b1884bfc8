// Embeds in the editor: an article that has one opens and keeps it; an address pasted
// alone becomes one when the newsroom says it is one; the Embed button asks for the
// address and title. The built bundle on a copy of the article form, in jsdom.
import { test } from "node:test";
import assert from "node:assert/strict";
import { answer, form, load, newsroom, sent, until } from "./support/page.js";

const EMBED = { type: "embed", attrs: { url: "https://youtu.be/dQw4w9WgXcQ", title: "The speech" } };
const para = (text) => ({ type: "paragraph", content: text ? [{ type: "text", text }] : undefined });

async function editor(respond, doc) {
  const server = newsroom(respond);
  const loaded = await load(form({ format: "doc", doc: true, body: JSON.stringify(doc), csrf: "t" }), { fetch: server.fetch });
  const editable = loaded.page.querySelector(".rich-editor__body");
  return { ...loaded, ...server, editable };
}

test("an article with an embed opens with it, shown as its address and title, and keeps it", async () => {
  const e = await editor(() => assert.fail("nothing is asked"), { type: "doc", content: [para("Before."), EMBED] });
  const figure = e.editable.querySelector("figure.embed");
  assert.ok(figure, "the embed shows");
  assert.match(figure.textContent, /The speech/);
  assert.deepEqual(sent(e.textarea).content[1], EMBED);
});

test("an address pasted alone in an empty paragraph becomes an embed once the newsroom knows it", async () => {
  const e = await editor((request) => {
    assert.equal(request.url, "/newsroom/embed?url=https%3A%2F%2Fyoutu.be%2FdQw4w9WgXcQ");
    return answer(200, { provider: "youtube", name: "YouTube" });
  }, { type: "doc", content: [para("")] });
  e.editable.focus();
  const event = new e.window.Event("paste", { bubbles: true, cancelable: true });
  event.clipboardData = { files: [], types: ["text/plain"], getData: (kind) => (kind === "text/plain" ? "https://youtu.be/dQw4w9WgXcQ" : "") };
  e.editable.dispatchEvent(event);
  await until(() => sent(e.textarea).content.some((n) => n.type === "embed"), "the embed");
  assert.deepEqual(sent(e.textarea).content.find((n) => n.type === "embed").attrs, { url: "https://youtu.be/dQw4w9WgXcQ", title: "" });
});

test("the Embed button refuses an address no provider takes, in the newsroom's words", async () => {
  const e = await editor(() => answer(422, { error: "bbn cannot embed that address; paste it as a link." }), { type: "doc", content: [para("Text.")] });
  e.editable.focus();
  e.page.querySelector('.rich-editor__toolbar button[aria-label="Embed a post, video or map"]').click();
  const dialog = e.page.querySelector("[role=dialog]");
  const field = (label) => e.page.getElementById([...dialog.querySelectorAll("label")].find((l) => l.textContent === label).htmlFor);
  field("Address").value = "https://example.org/story";
  dialog.querySelector("button[type=submit]").click();
  await until(() => /cannot embed/.test(dialog.querySelector("[role=alert]").textContent), "the refusal");
  assert.ok(!sent(e.textarea).content.some((n) => n.type === "embed"));
});
