// Images uploaded from the editor. While a file uploads, a placeholder stands where it will
// go: a decoration, not a node, so the document only ever holds real images (the server
// renders it) and the text around stays editable. Each image is placed as its answer
// comes, in the order the files were given, and a failed one leaves nothing behind. Image
// files pasted or dropped into the editor upload the same way, without alt text: the
// editor then asks for it, and marks every image that still has none.
import { Plugin, PluginKey } from "prosemirror-state";
import { Decoration, DecorationSet } from "prosemirror-view";
import { cursorAfter, placeBlock } from "./commands.js";

export const MAX_FILES = 10;

const placeholders = new PluginKey("rich-editor-uploads");
let uploads = 0;
let batches = 0;

export const isImageFile = (file) => /^image\//i.test(file.type || "");

function placeholderDOM(label) {
  return (view) => {
    const el = view.dom.ownerDocument.createElement("span");
    el.className = "rich-editor__uploading";
    el.textContent = `Uploading ${label}…`;
    return el;
  };
}

function placeholder({ id, batch, index, label }, pos) {
  // Widgets at one place are drawn in the order of `side`: a batch's files in their order,
  // all before the cursor, so that what the writer types goes after them.
  return Decoration.widget(pos, placeholderDOM(label), { id, batch, index, label, side: index - MAX_FILES - 1, key: `upload-${id}` });
}

/** The plugin that draws the placeholders of the uploads under way. */
export function uploadPlaceholders() {
  return new Plugin({
    key: placeholders,
    state: {
      init: () => DecorationSet.empty,
      apply(tr, set) {
        let next = set.map(tr.mapping, tr.doc);
        const meta = tr.getMeta(placeholders);
        if (!meta) return next;
        const of = (test) => next.find(undefined, undefined, test);
        if (meta.remove) next = next.remove(of((spec) => spec.id === meta.remove));
        if (meta.move) {
          // The rest of a batch follows the image just placed, so the next lands after it.
          const moving = of((spec) => spec.batch === meta.move.batch);
          const moved = moving.map((d) => placeholder(d.spec, meta.move.pos)); // before remove(), which empties its argument
          next = next.remove(moving).add(tr.doc, moved);
        }
        if (meta.add) next = next.add(tr.doc, meta.add.map((p) => placeholder(p, p.pos)));
        return next;
      },
    },
    props: {
      decorations: (state) => placeholders.getState(state),
    },
  });
}

/** Where the placeholder of upload `id` stands now, or null when the text around it was deleted. */
function placeholderPos(state, id) {
  const [found] = placeholders.getState(state).find(undefined, undefined, (spec) => spec.id === id);
  return found ? found.from : null;
}

/** Puts the answered upload's image where its placeholder is and takes the placeholder away. */
function place(view, id, batch, result) {
  if (view.isDestroyed) return result;
  const { state } = view;
  const tr = state.tr;
  if (!result.ok) {
    view.dispatch(tr.setMeta(placeholders, { remove: id }));
    return result;
  }
  const node = state.schema.nodes.image.create(result.attrs);
  // The image is never lost: with its placeholder's text gone, it goes where the writer is.
  const target = placeholderPos(state, id) ?? state.selection.from;
  const writerThere = state.selection.empty && state.selection.from === target;
  const { at } = placeBlock(tr, target, node);
  if (writerThere) cursorAfter(tr, at, node, state.schema);
  tr.setMeta(placeholders, { remove: id, move: { batch, pos: at + node.nodeSize } });
  view.dispatch(writerThere ? tr.scrollIntoView() : tr);
  return result;
}

/**
 * Uploads `items` (`{ file, details: { alt, caption, credit } }`) all at once and places
 * their images at `at`, in order, each as soon as it and those before it have answered.
 * Resolves to each one's result (see `newsroomServer().upload`).
 */
export function uploadImages(view, server, at, items, { signal } = {}) {
  const batch = ++batches;
  const ids = items.map(() => ++uploads);
  const add = items.map((item, index) => ({ id: ids[index], batch, index, label: item.file.name || "an image", pos: at }));
  view.dispatch(view.state.tr.setMeta(placeholders, { add }));
  const requests = items.map((item) => server.upload(item.file, item.details, signal));
  return (async () => {
    const results = [];
    for (const [i, request] of requests.entries()) results.push(place(view, ids[i], batch, await request));
    return results;
  })();
}

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

/** Uploads pasted or dropped `files` at `at`, saying in the editor's notice what became of them. */
function addFiles(view, files, at, { server, notice, describe }) {
  if (!server || !server.canUpload()) {
    notice(["Images cannot be uploaded from this page: use the Image button to give an image's web address."], "error");
    return;
  }
  if (files.length > MAX_FILES) {
    notice([`At most ${MAX_FILES} files can be added at once; ${files.length} were given, so none was added.`], "error");
    return;
  }
  const images = files.filter(isImageFile);
  const others = files.filter((f) => !isImageFile(f));
  const refused = others.length
    ? [`Only images can be added: ${others.map((f) => f.name || "a file").join(", ")} ${others.length === 1 ? "is not one" : "are not images"}.`]
    : [];
  if (!images.length) {
    notice(refused, "error");
    return;
  }
  notice([...refused, `Uploading ${plural(images.length, "image", "images")}…`], refused.length ? "error" : "info");
  const details = { alt: "", caption: "", credit: "" };
  uploadImages(view, server, at, images.map((file) => ({ file, details }))).then((results) => {
    const failed = results.flatMap((r, i) => (r.ok ? [] : [`${images[i].name || "An image"} was not uploaded: ${r.message}`]));
    const placed = results.filter((r) => r.ok);
    const done = placed.length ? [`${plural(placed.length, "image", "images")} added.`] : [];
    notice([...refused, ...failed, ...done], refused.length || failed.length ? "error" : "info");
    if (placed.length) describe(view, placed.map((r) => r.attrs.media));
  });
}

function dropPosition(view, event) {
  try {
    const found = view.posAtCoords({ left: event.clientX, top: event.clientY });
    if (found) return found.pos;
  } catch {
    // No layout to ask (a page without rendering): where the writer is will do.
  }
  return view.state.selection.from;
}

/**
 * Pasted and dropped image files. A paste that also carries text is text: Word and other
 * programs put a picture of the copied text beside the text itself.
 */
export function imageFiles(options) {
  return new Plugin({
    props: {
      handlePaste(view, event) {
        const data = event.clipboardData;
        const files = [...(data?.files || [])];
        if (!files.length || (data.getData("text/plain") || "").trim()) return false;
        addFiles(view, files, view.state.selection.from, options);
        return true;
      },
      handleDOMEvents: {
        drop(view, event) {
          const files = [...(event.dataTransfer?.files || [])];
          if (!files.length) return false;
          event.preventDefault();
          const at = dropPosition(view, event);
          view.focus();
          addFiles(view, files, at, options);
          return true;
        },
      },
    },
  });
}

/**
 * Images without alt text get a class that the stylesheet shows as a warning. Images are
 * blocks that only the document itself holds, so its children are all there is to look at.
 */
export function missingAltText() {
  const marks = (doc) => {
    const found = [];
    doc.forEach((node, pos) => {
      if (node.type.name === "image" && !node.attrs.alt.trim()) {
        found.push(Decoration.node(pos, pos + node.nodeSize, { class: "rich-editor__image--no-alt" }));
      }
    });
    return DecorationSet.create(doc, found);
  };
  const key = new PluginKey("rich-editor-missing-alt");
  return new Plugin({
    key,
    state: {
      init: (_, state) => marks(state.doc),
      apply: (tr, set) => (tr.docChanged ? marks(tr.doc) : set),
    },
    props: { decorations: (state) => key.getState(state) },
  });
}

/** Where the image with newsroom id `media` is, or null. */
export function imageWithMedia(doc, media) {
  let at = null;
  doc.forEach((node, pos) => {
    if (at === null && node.type.name === "image" && node.attrs.media === media) at = pos;
  });
  return at;
}
