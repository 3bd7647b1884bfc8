// Images from the image dialog, a paste or a drop, uploaded to a stand-in for the newsroom's
// POST /newsroom/media; the built bundle on a copy of the article form, in jsdom.
import { test } from "node:test";
import assert from "node:assert/strict";
import { answer, form, load, newsroom, sent, until } from "./support/page.js";

const TOKEN = "token-7f3a";
// The editor opens with the cursor at the start of the text: an image goes in before it.
const stored = { type: "doc", content: [{ type: "paragraph", content: [{ type: "text", text: "The article's text." }] }] };
const uploaded = (fields = {}) => ({ media: 12, src: "/media/2024/bridge.jpg", width: 1200, height: 800, alt: "", caption: "", credit: "", ...fields });

async function editor(respond, { doc = stored, csrf = TOKEN } = {}) {
  const server = newsroom(respond);
  const loaded = await load(form({ format: "doc", doc: true, body: JSON.stringify(doc), csrf }), { fetch: server.fetch });
  const { page, window } = loaded;
  const editable = page.querySelector(".rich-editor__body");
  const dialog = () => page.querySelector("[role=dialog]");
  const field = (label) => {
    const found = [...dialog().querySelectorAll("label")].find((l) => l.textContent === label);
    assert.ok(found, `the dialog has a field labelled "${label}"`);
    return page.getElementById(found.htmlFor);
  };
  const type = (label, value) => {
    const input = field(label);
    input.value = value;
    input.dispatchEvent(new window.Event("input", { bubbles: true }));
  };
  const choose = (label, files) => Object.defineProperty(field(label), "files", { value: files, configurable: true });
  const press = (text) => [...dialog().querySelectorAll("button")].find((b) => b.textContent === text).click();
  const image = (name, type = "image/jpeg") => new window.File([new Uint8Array([0xff, 0xd8, 0xff])], name, { type });
  const paste = (files, text = "") => {
    const event = new window.Event("paste", { bubbles: true, cancelable: true });
    event.clipboardData = { files, types: ["Files"], getData: (kind) => (kind === "text/plain" ? text : "") };
    editable.dispatchEvent(event);
    return event;
  };
  const button = (label) => page.querySelector(`.rich-editor__toolbar button[aria-label="${label}"]`);
  return { ...loaded, ...server, editable, dialog, field, type, choose, press, image, paste, button };
}

/** A fetch answer held back until the test lets it go. */
function heldBack() {
  let release;
  const promise = new Promise((resolve) => (release = resolve));
  return { promise, release };
}

test("the image button opens a labelled modal dialog that says alt text is required", async () => {
  const e = await editor(() => assert.fail("nothing is sent"));
  e.editable.focus();
  e.button("Image").click();
  const box = e.dialog();
  assert.ok(box, "a dialog opened");
  assert.equal(box.getAttribute("aria-modal"), "true");
  assert.equal(e.page.getElementById(box.getAttribute("aria-labelledby")).textContent, "Insert an image");
  assert.equal(e.page.activeElement, e.field("Image file"), "focus is in the dialog, on its first field");
  assert.equal(e.field("Image file").accept, "image/*");
  assert.equal(e.field("Alt text (required)").getAttribute("aria-required"), "true");
  assert.ok(e.field("Caption") && e.field("Credit"));
  assert.ok(!e.dialog().closest("form#f"), "the dialog's form is not inside the article form");
});

test("an upload sends the form's CSRF token, the file and its three fields, shows a placeholder, then inserts the image with its media id", async () => {
  const held = heldBack();
  const e = await editor(() => held.promise);
  e.editable.focus();
  e.button("Image").click();
  e.choose("Image file", [e.image("bridge.jpg")]);
  e.type("Alt text (required)", "The old bridge at dawn");
  e.type("Caption", "The bridge reopens on Monday.");
  e.type("Credit", "A. Photographer / Agency");
  e.press("Insert");

  await until(() => e.requests.length === 1, "the upload request");
  const [request] = e.requests;
  assert.equal(request.method, "POST");
  assert.equal(request.url, "/newsroom/media");
  assert.equal(request.credentials, "same-origin");
  assert.equal(request.body.get("_csrf"), TOKEN);
  assert.equal(request.body.get("file").name, "bridge.jpg");
  assert.equal(request.body.get("alt"), "The old bridge at dawn");
  assert.equal(request.body.get("caption"), "The bridge reopens on Monday.");
  assert.equal(request.body.get("credit"), "A. Photographer / Agency");

  const placeholder = e.editable.querySelector(".rich-editor__uploading");
  assert.ok(placeholder, "a placeholder stands in the document while the image uploads");
  assert.match(placeholder.textContent, /bridge\.jpg/);
  assert.equal(e.dialog().getAttribute("aria-busy"), "true");
  assert.equal(e.field("Alt text (required)").disabled, true);
  assert.deepEqual(sent(e.textarea), stored, "nothing is in the document yet");

  held.release(answer(201, uploaded({ alt: "The old bridge at dawn", caption: "The bridge reopens on Monday.", credit: "A. Photographer / Agency" })));
  await until(() => !e.dialog(), "the dialog to close");
  assert.deepEqual(sent(e.textarea).content, [
    {
      type: "image",
      attrs: { src: "/media/2024/bridge.jpg", alt: "The old bridge at dawn", caption: "The bridge reopens on Monday.", credit: "A. Photographer / Agency", media: 12 },
    },
    stored.content[0],
  ]);
  assert.equal(e.editable.querySelector(".rich-editor__uploading"), null, "the placeholder is gone");
  assert.equal(e.page.activeElement, e.editable, "focus is back in the editor");
});

test("a 413 answer shows the newsroom's sentence in the dialog and inserts nothing", async () => {
  const e = await editor(() => answer(413, { error: "The file is larger than the 8 MB limit." }));
  e.editable.focus();
  e.button("Image").click();
  e.choose("Image file", [e.image("huge.jpg")]);
  e.type("Alt text (required)", "A very large photograph");
  e.press("Insert");
  await until(() => !e.dialog().querySelector("[role=alert]").hidden, "the error");
  assert.equal(e.dialog().querySelector("[role=alert]").textContent, "The file is larger than the 8 MB limit.");
  assert.equal(e.field("Image file").getAttribute("aria-invalid"), "true");
  assert.equal(e.dialog().getAttribute("aria-busy"), "false", "the writer can try again");
  assert.equal(e.field("Alt text (required)").value, "A very large photograph", "what was typed stays");
  assert.deepEqual(sent(e.textarea), stored);
  assert.equal(e.editable.querySelector(".rich-editor__uploading"), null);
});

test("a 403 that comes as an HTML page gets a sentence of the editor's own", async () => {
  const e = await editor(() => answer(403, "<!doctype html><h1>Forbidden</h1>", { html: true }));
  e.editable.focus();
  e.button("Image").click();
  e.choose("Image file", [e.image("a.png", "image/png")]);
  e.type("Alt text (required)", "A chart");
  e.press("Insert");
  await until(() => !e.dialog().querySelector("[role=alert]").hidden, "the error");
  assert.match(e.dialog().querySelector("[role=alert]").textContent, /session may have ended.*reload the page/);
  assert.deepEqual(sent(e.textarea), stored);
});

test("without alt text, or with a file that is not an image, nothing is sent and the dialog says why", async () => {
  const e = await editor(() => assert.fail("nothing is sent"));
  e.editable.focus();
  e.button("Image").click();
  e.choose("Image file", [e.image("bridge.jpg")]);
  e.press("Insert");
  assert.match(e.dialog().querySelector("[role=alert]").textContent, /Alt text is required/);
  assert.equal(e.page.activeElement, e.field("Alt text (required)"));
  e.type("Alt text (required)", "A bridge");
  e.choose("Image file", [e.image("notes.pdf", "application/pdf")]);
  e.press("Insert");
  assert.match(e.dialog().querySelector("[role=alert]").textContent, /notes\.pdf is not an image/);
  assert.equal(e.requests.length, 0);
});

test("an image by web address goes in without an upload", async () => {
  const e = await editor(() => assert.fail("nothing is sent"));
  e.editable.focus();
  e.button("Image").click();
  e.type("Or the image's web address", "https://example.org/a.jpg");
  e.type("Alt text (required)", "A hall");
  e.press("Insert");
  assert.equal(e.dialog(), null);
  assert.deepEqual(sent(e.textarea).content[0], { type: "image", attrs: { src: "https://example.org/a.jpg", alt: "A hall", caption: "", credit: "", media: null } });
});

test("Cancel during an upload abandons it: nothing is inserted when the answer comes", async () => {
  const held = heldBack();
  const e = await editor(() => held.promise);
  e.editable.focus();
  e.button("Image").click();
  e.choose("Image file", [e.image("bridge.jpg")]);
  e.type("Alt text (required)", "A bridge");
  e.press("Insert");
  await until(() => e.requests.length === 1, "the upload request");
  e.press("Cancel");
  assert.equal(e.dialog(), null);
  held.release(answer(201, uploaded()));
  await until(() => !e.editable.querySelector(".rich-editor__uploading"), "the placeholder to go");
  assert.deepEqual(sent(e.textarea), stored);
});

test("a pasted image file uploads at once and goes in; the editor then asks for its alt text", async () => {
  const e = await editor(() => answer(201, uploaded()));
  e.editable.focus();
  const event = e.paste([e.image("screenshot.png", "image/png")]);
  assert.equal(event.defaultPrevented, true);
  await until(() => e.requests.length === 1, "the upload request");
  const [request] = e.requests;
  assert.equal(request.url, "/newsroom/media");
  assert.equal(request.body.get("_csrf"), TOKEN);
  assert.equal(request.body.get("file").name, "screenshot.png");
  assert.equal(request.body.get("alt"), "");

  await until(() => e.dialog(), "the alt text dialog");
  assert.deepEqual(sent(e.textarea).content[0], { type: "image", attrs: { src: "/media/2024/bridge.jpg", alt: "", caption: "", credit: "", media: 12 } });
  assert.ok(e.editable.querySelector("figure.rich-editor__image--no-alt"), "the image is marked as lacking alt text");
  assert.equal(e.page.getElementById(e.dialog().getAttribute("aria-labelledby")).textContent, "Describe the new image");
  e.type("Alt text (required)", "The council's budget chart");
  e.press("Save");
  assert.equal(e.dialog(), null);
  assert.deepEqual(sent(e.textarea).content[0].attrs, { src: "/media/2024/bridge.jpg", alt: "The council's budget chart", caption: "", credit: "", media: 12 });
  assert.equal(e.editable.querySelector(".rich-editor__image--no-alt"), null);
  assert.equal(e.page.activeElement, e.editable);
});

test("pasted files: images go in the order given, whatever order their answers come in", async () => {
  const held = { "one.png": heldBack(), "two.png": heldBack() };
  const e = await editor((request) => held[request.body.get("file").name].promise);
  e.editable.focus();
  e.paste([e.image("one.png", "image/png"), e.image("two.png", "image/png")]);
  await until(() => e.requests.length === 2, "both uploads");
  assert.equal(e.editable.querySelectorAll(".rich-editor__uploading").length, 2);
  held["two.png"].release(answer(201, uploaded({ media: 2, src: "/media/two.png" })));
  held["one.png"].release(answer(201, uploaded({ media: 1, src: "/media/one.png" })));
  await until(() => sent(e.textarea).content.filter((n) => n.type === "image").length === 2, "both images");
  assert.deepEqual(
    sent(e.textarea).content.map((n) => n.attrs?.media ?? n.type),
    [1, 2, "paragraph"],
  );
});

test("a paste refuses files that are not images and more than ten files, saying so", async () => {
  const e = await editor(() => answer(201, uploaded()));
  e.editable.focus();
  e.paste([e.image("report.pdf", "application/pdf")]);
  const notice = e.page.querySelector(".rich-editor__notice");
  assert.equal(notice.hidden, false);
  assert.match(notice.textContent, /Only images can be added: report\.pdf is not one/);
  e.paste(Array.from({ length: 11 }, (_, i) => e.image(`p${i}.png`, "image/png")));
  assert.match(notice.textContent, /At most 10 files/);
  assert.equal(e.requests.length, 0);
  assert.deepEqual(sent(e.textarea), stored);
});

test("a paste that carries text as well as a picture of it is text (as Word sends it)", async () => {
  const e = await editor(() => assert.fail("nothing is uploaded"));
  e.editable.focus();
  e.paste([e.image("image.png", "image/png")], "Words from Word");
  assert.equal(e.requests.length, 0);
  assert.match(JSON.stringify(sent(e.textarea)), /Words from Word/);
});

test("a failed pasted upload inserts nothing and the notice gives the newsroom's sentence", async () => {
  const e = await editor(() => answer(415, { error: "Only JPEG, PNG, GIF and WebP images can be uploaded." }));
  e.editable.focus();
  e.paste([e.image("drawing.tiff", "image/tiff")]);
  await until(() => /was not uploaded/.test(e.page.querySelector(".rich-editor__notice").textContent), "the notice");
  assert.match(e.page.querySelector(".rich-editor__notice").textContent, /drawing\.tiff was not uploaded: Only JPEG, PNG, GIF and WebP images can be uploaded\./);
  assert.deepEqual(sent(e.textarea), stored);
  assert.equal(e.editable.querySelector(".rich-editor__uploading"), null);
});

test("a dropped image file uploads like a pasted one", async () => {
  const e = await editor(() => answer(201, uploaded()));
  e.editable.focus();
  const drop = new e.window.Event("drop", { bubbles: true, cancelable: true });
  drop.dataTransfer = { files: [e.image("dropped.jpg")], types: ["Files"], getData: () => "" };
  e.editable.dispatchEvent(drop);
  assert.equal(drop.defaultPrevented, true);
  await until(() => sent(e.textarea).content.some((n) => n.type === "image"), "the image");
  assert.equal(e.requests[0].body.get("file").name, "dropped.jpg");
});

test("a selected image's alt text, caption and credit are edited in the same dialog; its media id stays", async () => {
  const doc = {
    type: "doc",
    content: [
      { type: "image", attrs: { src: "/media/hall.jpg", alt: "", caption: "Old caption", credit: "", media: 7 } },
      { type: "paragraph", content: [{ type: "text", text: "After." }] },
    ],
  };
  const e = await editor(() => assert.fail("nothing is sent"), { doc });
  e.editable.focus(); // the document opens with its first block, the image, selected
  e.button("Image").click();
  assert.equal(e.page.getElementById(e.dialog().getAttribute("aria-labelledby")).textContent, "Image details");
  assert.equal(e.dialog().querySelector("input[type=file]"), null, "no file to choose when editing");
  assert.equal(e.field("Caption").value, "Old caption");
  e.type("Alt text (required)", "The town hall");
  e.type("Credit", "City archive");
  e.press("Save");
  assert.deepEqual(sent(e.textarea).content[0].attrs, { src: "/media/hall.jpg", alt: "The town hall", caption: "Old caption", credit: "City archive", media: 7 });
});

test("without a CSRF token on the page the dialog offers the web address only, and pasted files are refused with a message", async () => {
  const e = await editor(() => assert.fail("nothing is sent"), { csrf: null });
  e.editable.focus();
  e.button("Image").click();
  assert.equal(e.dialog().querySelector("input[type=file]"), null);
  assert.ok(e.field("The image's web address"));
  e.press("Cancel");
  e.paste([e.image("a.png", "image/png")]);
  assert.match(e.page.querySelector(".rich-editor__notice").textContent, /cannot be uploaded from this page/);
});

test("an image found in the media library goes in with its library number and the details the writer kept", async () => {
  const e = await editor((request) => {
    assert.equal(request.method, "GET");
    assert.match(request.url, /^\/newsroom\/media\/items\?kind=image&q=harbour$/);
    return answer(200, {
      total: 2,
      items: [
        { id: 41, url: "/media/2026/12/aa.jpg", file_name: "harbour.jpg", alt: "Boats in the harbour", caption: "Morning", credit: "Staff" },
        { id: 42, url: "javascript:alert(1)", file_name: "bad.jpg", alt: "", caption: "", credit: "" },
      ],
    });
  });
  e.editable.focus();
  e.button("Image").click();
  e.type("Or find it in the media library", "harbour");
  await until(() => e.dialog().querySelectorAll("[role=option]").length > 0, "the library's results");
  const options = [...e.dialog().querySelectorAll("[role=option]")];
  assert.equal(options.length, 1, "an item whose address cannot be an image's is not offered");
  assert.match(options[0].textContent, /harbour\.jpg/);
  options[0].click();
  assert.equal(e.field("Alt text (required)").value, "Boats in the harbour", "the library's alt text is filled in");
  e.type("Caption", "Morning light on the harbour");
  e.press("Insert");
  const image = sent(e.textarea).content.find((n) => n.type === "image");
  assert.deepEqual(image.attrs, { src: "/media/2026/12/aa.jpg", alt: "Boats in the harbour", caption: "Morning light on the harbour", credit: "Staff", media: 41 });
  assert.equal(e.dialog(), null, "the dialog closed");
});
