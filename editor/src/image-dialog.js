// The image dialog. With an image selected it edits that image's alt text, caption and
// credit; otherwise it inserts a new one, uploaded from a file (which the newsroom keeps
// and numbers: `media`), found in the media library by its words, or from a web address. Alt text is required. An upload keeps the
// dialog open with its placeholder in the document until the newsroom answers: then the
// image is in and the dialog closes, or the newsroom's sentence shows and nothing is in.
import { NodeSelection } from "prosemirror-state";
import { articlePicker } from "./article-picker.js";
import { editImage, selectedNode } from "./commands.js";
import { Dialog, dialogOpen } from "./dialog.js";
import { imageWithMedia, isImageFile, uploadImages } from "./uploads.js";
import { safeImageSrc } from "./urls.js";

const ALT_MISSING = "Alt text is required: describe the image for readers who cannot see it.";

/** Opens the dialog on `view`'s selection. `then` runs after a save (not after Cancel). */
export function openImageDialog(view, { server }, { title = null, then = null } = {}) {
  const { schema } = view.state;
  const page = view.dom.ownerDocument;
  const selected = selectedNode(view.state, schema.nodes.image);
  const now = selected ? selected.node.attrs : null;
  let upload = null;
  const dialog = new Dialog(page, {
    title: title || (now ? "Image details" : "Insert an image"),
    returnFocus: () => view.focus(),
    // Closing during an upload (Cancel, Escape) abandons it: nothing is inserted.
    onClose: () => {
      upload?.abort();
      library?.stop();
    },
  });

  const canUpload = !now && !!server?.canUpload();
  const file = canUpload ? dialog.field({ label: "Image file", type: "file", accept: "image/*" }) : null;
  const address = now
    ? null
    : dialog.field({
        label: canUpload ? "Or the image's web address" : "The image's web address",
        hint: canUpload ? "Used when no file is chosen." : "Such as https://example.org/photo.jpg or /media/photo.jpg.",
        inputmode: "url",
        autocomplete: "off",
        spellcheck: "false",
      });
  // An item of the library, once chosen: its address and number go in, with the details
  // below (filled in from the library's, and still the writer's to change).
  let fromLibrary = null;
  const library = canUpload && server.library
    ? articlePicker(dialog, {
        lookup: (q, signal) => server.library(q, signal),
        label: "Or find it in the media library",
        hint: "Words of its file name, alt text, caption or credit.",
        words: {
          list: "Images in the media library",
          one: "image",
          many: "images",
          none: "No image in the library matches those words.",
          failing: "The media library is not answering; upload a file instead.",
        },
        onChoose: (found) => {
          fromLibrary = found.attrs;
          alt.value = found.attrs.alt;
          caption.value = found.attrs.caption;
          credit.value = found.attrs.credit;
          dialog.status(`Chosen from the library: ${found.headline}.`);
        },
      })
    : null;
  if (now) {
    const preview = dialog.fields.appendChild(page.createElement("img"));
    preview.className = "rich-editor-dialog__preview";
    preview.src = now.src;
    preview.alt = "";
  }
  const alt = dialog.field({ label: "Alt text (required)", hint: "Describe the image for readers who cannot see it.", required: true, value: now?.alt });
  const caption = dialog.field({ label: "Caption", value: now?.caption });
  const credit = dialog.field({ label: "Credit", hint: "The photographer or agency.", value: now?.credit });
  dialog.button(now ? "Save" : "Insert", { submit: true });
  const cancel = dialog.button("Cancel", { onClick: () => dialog.close() });

  const done = () => {
    dialog.close();
    if (then) then();
  };

  async function send(chosen, details) {
    dialog.error("");
    dialog.setBusy(true);
    cancel.focus(); // the focused Insert button is now disabled: Escape and Cancel must still reach the dialog
    dialog.status(`Uploading ${chosen.name || "the image"}…`);
    upload = new AbortController();
    const [result] = await uploadImages(view, server, view.state.selection.from, [{ file: chosen, details }], { signal: upload.signal });
    upload = null;
    if (result.cancelled) return;
    if (result.ok) return done();
    dialog.setBusy(false);
    dialog.status("");
    dialog.error(result.message, file);
  }

  dialog.onSubmit = () => {
    const details = { alt: alt.value.trim(), caption: caption.value.trim(), credit: credit.value.trim() };
    if (!details.alt) return dialog.error(ALT_MISSING, alt);
    if (now) {
      editImage(schema, () => ({ src: now.src, ...details }))(view.state, view.dispatch, view);
      return done();
    }
    const chosen = file?.files?.[0];
    if (!chosen && fromLibrary) {
      const { src, media } = fromLibrary;
      editImage(schema, () => ({ src, media, ...details }))(view.state, view.dispatch, view);
      return done();
    }
    if (chosen) {
      if (!isImageFile(chosen)) return dialog.error(`${chosen.name} is not an image: choose a JPEG, PNG, GIF or WebP file.`, file);
      return send(chosen, details);
    }
    const typed = address.value.trim();
    if (!typed) return dialog.error(canUpload ? "Choose an image file, or give the image's web address." : "Give the image's web address.", file || address);
    const src = safeImageSrc(typed);
    if (!src) return dialog.error("That address cannot be an image's: give a web address (https://…) or a path on this site (/media/…).", address);
    editImage(schema, () => ({ src, ...details }))(view.state, view.dispatch, view);
    return done();
  };
  return dialog.open();
}

/**
 * After a paste or drop, asks for the alt text of each new image (newsroom ids `media`), one
 * dialog after another; Cancel stops asking. Not while the writer is elsewhere or in
 * another dialog: the images stay marked as lacking alt text.
 */
export function describeImages(view, env, media, { of = media.length, index = 0 } = {}) {
  const page = view.dom.ownerDocument;
  if (index >= media.length || dialogOpen(page) || !view.hasFocus()) return;
  const at = imageWithMedia(view.state.doc, media[index]);
  if (at === null || view.state.doc.nodeAt(at).attrs.alt) return describeImages(view, env, media, { of, index: index + 1 });
  view.dispatch(view.state.tr.setSelection(NodeSelection.create(view.state.doc, at)));
  openImageDialog(view, env, {
    title: of > 1 ? `Describe the new image (${index + 1} of ${of})` : "Describe the new image",
    then: () => describeImages(view, env, media, { of, index: index + 1 }),
  });
}
