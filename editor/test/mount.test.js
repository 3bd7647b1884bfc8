// The built bundle (the file the server embeds) on a copy of the article form, in jsdom.
import { test } from "node:test";
import assert from "node:assert/strict";
import { form, load } from "./support/page.js";

const json = (doc) => JSON.stringify(doc);

test("a Markdown article opens from the server's rendered body; the form then sends the document", async () => {
  const { page, textarea, select, errors } = await load(form({ format: "markdown", body: "## Hello\n\nWorld", template: "<h2>Hello</h2><p>World</p>" }));
  assert.deepEqual(errors, []);
  const editable = page.querySelector("[contenteditable=true]");
  assert.ok(editable, "the editor is on the page");
  assert.equal(editable.getAttribute("aria-label"), "Article body");
  assert.equal(editable.getAttribute("role"), "textbox");
  assert.equal(textarea.style.display, "none");
  assert.equal(page.querySelector("[data-rich-editor-hide]").style.display, "none");
  assert.equal(select.value, "doc");
  assert.equal(
    textarea.value,
    json({ type: "doc", content: [{ type: "heading", attrs: { level: 2 }, content: [{ type: "text", text: "Hello" }] }, { type: "paragraph", content: [{ type: "text", text: "World" }] }] }),
  );
  assert.ok(page.querySelector(".rich-editor").nextElementSibling === textarea, "the editor sits where the textarea was");
});

test("a document article opens from its JSON", async () => {
  const doc = { type: "doc", content: [{ type: "pull_quote", attrs: { cite: "Someone" }, content: [{ type: "text", text: "Quoted" }] }] };
  const { page, textarea, select, errors } = await load(form({ format: "doc", doc: true, body: JSON.stringify(doc) }));
  assert.deepEqual(errors, []);
  assert.equal(select.value, "doc");
  assert.equal(select.querySelectorAll("option[value=doc]").length, 1);
  assert.equal(page.querySelector(".rich-editor__body blockquote").textContent, "Quoted");
  assert.equal(page.querySelector(".rich-editor__cite").textContent, "— Someone");
  assert.equal(textarea.value, json(doc));
});

test("a document article sent as the server sends it (the document beside a textarea of its HTML) opens from the document", async () => {
  const doc = { type: "doc", content: [{ type: "image", attrs: { src: "/media/a.jpg", alt: "A </script> hall", caption: "", credit: "", media: 7 } }] };
  const { textarea, select, errors } = await load(
    form({ format: "html", body: '<figure><img src="/media/a.jpg" alt="A hall"></figure>', stored: doc }),
  );
  assert.deepEqual(errors, []);
  assert.equal(select.value, "doc");
  assert.equal(textarea.value, json(doc), "the media id and every attribute come from the document, not the HTML");
});

test("every change is written to the textarea and announced with an input event", async () => {
  const { page, textarea } = await load(form({ format: "markdown", body: "", template: "" }));
  const heard = [];
  textarea.addEventListener("input", () => heard.push(textarea.value));
  page.querySelector('button[aria-label="Separator"]').click();
  assert.equal(heard.length, 1);
  assert.match(heard[0], /"type":"horizontal_rule"/);
  assert.equal(textarea.value, heard[0]);
});

test("bad JSON leaves the textarea form as it is and says why on the console", async () => {
  const { page, textarea, select, errors } = await load(form({ format: "doc", doc: true, body: "{not json" }));
  assert.equal(page.querySelector(".rich-editor"), null);
  assert.equal(textarea.style.display, "");
  assert.equal(textarea.value, "{not json");
  assert.equal(select.value, "doc");
  assert.equal(errors.length, 1);
  assert.match(errors[0], /rich editor/);
});

test("JSON that is not a bbn document is refused the same way", async () => {
  const { page, textarea, errors } = await load(form({ format: "doc", doc: true, body: '{"type":"doc","content":[{"type":"heading","attrs":{"level":1}}]}' }));
  assert.equal(page.querySelector(".rich-editor"), null);
  assert.equal(textarea.style.display, "");
  assert.equal(errors.length, 1);
});

test("a Markdown article without the rendered body to open from is left alone", async () => {
  const { page, textarea, select, errors } = await load(form({ format: "markdown", body: "## Hello" }));
  assert.equal(page.querySelector(".rich-editor"), null);
  assert.equal(select.value, "markdown");
  assert.equal(textarea.value, "## Hello");
  assert.equal(errors.length, 1);
});

test("the toolbar: named buttons that do not submit the form, toggles say whether they are on, one Tab stop", async () => {
  const { page } = await load(form({ format: "markdown", body: "", template: "<p><strong>bold</strong></p>" }));
  // The table's controls, in a group of their own, have their test (table-tools).
  const buttons = [...page.querySelectorAll(".rich-editor__toolbar > button")];
  assert.equal(page.querySelector(".rich-editor__toolbar").getAttribute("role"), "toolbar");
  assert.deepEqual(
    buttons.map((b) => b.getAttribute("aria-label")),
    ["Bold", "Italic", "Link", "Heading", "Subheading", "Paragraph", "Bulleted list", "Numbered list", "Quote", "Pull quote", "Separator", "Table", "Image", "Read more link", "Embed a post, video or map", "Questions and answers"],
  );
  assert.ok(buttons.every((b) => b.type === "button"));
  assert.deepEqual([...page.querySelectorAll(".rich-editor__toolbar button")].filter((b) => b.tabIndex === 0).length, 1);
  const pressed = (label) => page.querySelector(`button[aria-label="${label}"]`).getAttribute("aria-pressed");
  // The cursor starts in the bold word.
  assert.equal(pressed("Bold"), "true");
  assert.equal(pressed("Italic"), "false");
  assert.equal(pressed("Separator"), null);
  buttons[1].dispatchEvent(new page.defaultView.KeyboardEvent("keydown", { key: "ArrowRight", bubbles: true }));
  assert.equal(page.activeElement, buttons[2]);
  assert.equal(buttons[2].tabIndex, 0);
  assert.equal(buttons[1].tabIndex, -1);
});

test("the editor takes Mod-b but leaves Mod-s to the page", async () => {
  const { page, window } = await load(form({ format: "markdown", body: "", template: "<p>text</p>" }));
  const editable = page.querySelector("[contenteditable=true]");
  const press = (key) => {
    const event = new window.KeyboardEvent("keydown", { key, ctrlKey: true, bubbles: true, cancelable: true });
    editable.dispatchEvent(event);
    return event.defaultPrevented;
  };
  assert.equal(press("s"), false);
  assert.equal(press("b"), true);
});
