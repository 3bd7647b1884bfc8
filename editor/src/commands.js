// What the toolbar and the keys do, as ProseMirror commands: `(state, dispatch?, view?)`,
// answering whether they apply (without `dispatch`) or applying them. Commands that need
// words from the writer (a link's address, an image's caption) take an `ask` function, so
// the page decides how to ask and tests can answer.
import { lift, setBlockType, toggleMark, wrapIn } from "prosemirror-commands";
import { NodeSelection, TextSelection } from "prosemirror-state";
import { liftListItem, wrapInList } from "prosemirror-schema-list";
import { hrefFromInput, safeImageSrc } from "./urls.js";

/** Whether the selection carries `type` (for a cursor: the marks that typing would get). */
export function markActive(state, type) {
  const { from, $from, to, empty } = state.selection;
  if (empty) return !!type.isInSet(state.storedMarks || $from.marks());
  return state.doc.rangeHasMark(from, to, type);
}

/** The nearest ancestor of the selection's start whose type is one of `types`, with its depth. */
export function ancestor(state, types) {
  const { $from } = state.selection;
  for (let depth = $from.depth; depth > 0; depth--) {
    const node = $from.node(depth);
    if (types.includes(node.type)) return { node, depth, pos: $from.before(depth) };
  }
  return null;
}

export function blockActive(state, type, attrs = {}) {
  const parent = state.selection.$from.parent;
  return parent.type === type && Object.entries(attrs).every(([k, v]) => parent.attrs[k] === v);
}

export const toggleBold = (schema) => toggleMark(schema.marks.strong);
export const toggleItalic = (schema) => toggleMark(schema.marks.em);

/** A heading of `level`, or back to a paragraph when the block already is one. */
export function toggleHeading(schema, level) {
  return (state, dispatch) =>
    blockActive(state, schema.nodes.heading, { level })
      ? setBlockType(schema.nodes.paragraph)(state, dispatch)
      : setBlockType(schema.nodes.heading, { level })(state, dispatch);
}

export const makeParagraph = (schema) => setBlockType(schema.nodes.paragraph);

/** Into a list of `type`; out of it when already in one; from one kind of list to the other. */
export function toggleList(schema, type) {
  const lists = [schema.nodes.bullet_list, schema.nodes.ordered_list];
  return (state, dispatch) => {
    const list = ancestor(state, lists);
    if (list && list.node.type === type) return liftListItem(schema.nodes.list_item)(state, dispatch);
    if (list) {
      if (dispatch) dispatch(state.tr.setNodeMarkup(list.pos, type, type === schema.nodes.ordered_list ? { start: 1 } : null));
      return true;
    }
    return wrapInList(type)(state, dispatch);
  };
}

export function toggleQuote(schema) {
  return (state, dispatch) =>
    ancestor(state, [schema.nodes.blockquote]) ? lift(state, dispatch) : wrapIn(schema.nodes.blockquote)(state, dispatch);
}

/** The block becomes a pull quote (asking who said it), or a paragraph again. */
export function togglePullQuote(schema, ask) {
  return (state, dispatch) => {
    if (blockActive(state, schema.nodes.pull_quote)) return setBlockType(schema.nodes.paragraph)(state, dispatch);
    if (!setBlockType(schema.nodes.pull_quote)(state)) return false;
    if (!dispatch) return true;
    const answer = ask([{ name: "cite", label: "Who said it? (may be left empty)" }]);
    if (!answer) return false;
    return setBlockType(schema.nodes.pull_quote, { cite: answer.cite })(state, dispatch);
  };
}

/** The extent of the mark of `type` around a cursor, within its textblock. */
function markExtent($pos, type) {
  const parent = $pos.parent;
  let { node, index, offset } = parent.childAfter($pos.parentOffset);
  let mark = node && type.isInSet(node.marks);
  if (!mark) {
    ({ node, index, offset } = parent.childBefore($pos.parentOffset));
    mark = node && type.isInSet(node.marks);
  }
  if (!mark) return null;
  let from = $pos.start() + offset;
  let to = from + node.nodeSize;
  for (let i = index - 1; i >= 0 && mark.isInSet(parent.child(i).marks); i--) from -= parent.child(i).nodeSize;
  for (let i = index + 1; i < parent.childCount && mark.isInSet(parent.child(i).marks); i++) to += parent.child(i).nodeSize;
  return { from, to };
}

/**
 * Links the selection (asking for the address) or, on a link, unlinks it. Without a
 * selection the link's text is inserted: the answer's `text` (an article's headline) or
 * the address itself.
 */
export function toggleLink(schema, ask) {
  const type = schema.marks.link;
  return (state, dispatch) => {
    const { selection } = state;
    if (markActive(state, type)) {
      if (!dispatch) return true;
      const extent = selection.empty ? markExtent(selection.$from, type) : selection;
      if (extent) dispatch(state.tr.removeMark(extent.from, extent.to, type));
      return true;
    }
    if (!toggleMark(type, { href: "" })(state)) return false;
    if (!dispatch) return true;
    const answer = ask([{ name: "href", label: "Link to (an address, or a page of this site such as /news/slug)", required: true }]);
    const href = answer && hrefFromInput(answer.href);
    if (!href) return false;
    const mark = type.create({ href, title: null });
    const text = answer.text?.trim() || href;
    if (selection.empty) dispatch(state.tr.replaceSelectionWith(schema.text(text, [mark]), false));
    else dispatch(state.tr.addMark(selection.from, selection.to, mark));
    return true;
  };
}

/**
 * Places a block at `pos` of `tr`'s document: in place of an empty top-level paragraph,
 * before or after a top-level paragraph when `pos` is at its start or end, between its
 * halves when in the middle; inside a list, quote, table or FAQ (which keep their shape),
 * after that whole block. Returns the transaction and where the block went.
 */
export function placeBlock(tr, pos, node) {
  const $pos = tr.doc.resolve(pos);
  if ($pos.depth === 0) return { tr: tr.insert(pos, node), at: pos };
  if ($pos.depth > 1 || !$pos.parent.isTextblock) {
    const at = $pos.after(1);
    return { tr: tr.insert(at, node), at };
  }
  const block = $pos.parent;
  if (block.content.size === 0) {
    const at = $pos.before();
    return { tr: tr.replaceWith(at, $pos.after(), node), at };
  }
  if ($pos.parentOffset === 0) return { tr: tr.insert($pos.before(), node), at: $pos.before() };
  if ($pos.parentOffset === block.content.size) return { tr: tr.insert($pos.after(), node), at: $pos.after() };
  // Splitting at pos closes the paragraph and opens another: the boundary is one further.
  tr.split(pos);
  return { tr: tr.insert(pos + 1, node), at: pos + 1 };
}

/** Inserts a block where the writer is (see `placeBlock`), in place of any selected text. */
function insertBlock(state, node) {
  const { $from } = state.selection;
  const tr = state.tr;
  if ($from.depth === 1 && $from.parent.isTextblock) tr.deleteSelection();
  return placeBlock(tr, tr.selection.from, node);
}

/** Makes sure text can be typed after `node` at `at`: adds an empty paragraph when no textblock follows. */
export function roomAfter(tr, at, node, schema) {
  const after = at + node.nodeSize;
  if (!tr.doc.nodeAt(after)?.isTextblock) tr.insert(after, schema.nodes.paragraph.create());
  return after + 1;
}

/** The cursor goes to the start of the text after `node` at `at`. */
export function cursorAfter(tr, at, node, schema) {
  const pos = roomAfter(tr, at, node, schema);
  return tr.setSelection(TextSelection.create(tr.doc, pos));
}

export function insertCommand(schema, make) {
  return (state, dispatch) => {
    if (!dispatch) return true;
    const node = make(state);
    if (!node) return false;
    const { tr, at } = insertBlock(state, node);
    dispatch(cursorAfter(tr, at, node, schema).scrollIntoView());
    return true;
  };
}

export const insertSeparator = (schema) => insertCommand(schema, () => schema.nodes.horizontal_rule.create());

/** A 3 × 3 table whose first row is the header. */
export function insertTable(schema) {
  const { table, table_row, table_header, table_cell, paragraph } = schema.nodes;
  const row = (cell) => table_row.create(null, [0, 1, 2].map(() => cell.create(null, paragraph.create())));
  return (state, dispatch) => {
    if (!dispatch) return true;
    const node = table.create(null, [row(table_header), row(table_cell), row(table_cell)]);
    const { tr, at } = insertBlock(state, node);
    roomAfter(tr, at, node, schema);
    // The cursor goes into the first header cell: table, row, cell, paragraph.
    tr.setSelection(TextSelection.create(tr.doc, at + 4));
    dispatch(tr.scrollIntoView());
    return true;
  };
}

export function selectedNode(state, type) {
  const { selection } = state;
  return selection instanceof NodeSelection && selection.node.type === type ? selection : null;
}

/**
 * Inserts an image (asking for its address, alt text, caption and credit), or edits the
 * selected one. An answer's `media` (the newsroom's id of an uploaded file) is kept; an
 * edited image keeps its own while its address stays the same.
 */
export function editImage(schema, ask) {
  const type = schema.nodes.image;
  return (state, dispatch) => {
    if (!dispatch) return true;
    const selected = selectedNode(state, type);
    const now = selected ? selected.node.attrs : {};
    const answer = ask([
      { name: "src", label: "Image address", value: now.src, required: true },
      { name: "alt", label: "Describe the image for readers who cannot see it", value: now.alt },
      { name: "caption", label: "Caption", value: now.caption },
      { name: "credit", label: "Credit (photographer or agency)", value: now.credit },
    ]);
    const src = answer && safeImageSrc(answer.src);
    if (!src) return false;
    const attrs = { src, alt: answer.alt, caption: answer.caption, credit: answer.credit, media: answer.media ?? (now.src === src ? (now.media ?? null) : null) };
    if (selected) dispatch(state.tr.setNodeMarkup(selected.from, null, attrs));
    else return insertCommand(schema, () => type.create(attrs))(state, dispatch);
    return true;
  };
}

/** Inserts a "Read more" card (asking for the article's address and headline), or edits the selected one. */
export function editReadMore(schema, ask) {
  const type = schema.nodes.read_more;
  return (state, dispatch) => {
    if (!dispatch) return true;
    const selected = selectedNode(state, type);
    const now = selected ? selected.node.attrs : {};
    const answer = ask([
      { name: "href", label: "Address of the article to read (such as /news/slug)", value: now.href, required: true },
      { name: "headline", label: "Its headline", value: now.headline, required: true },
    ]);
    const href = answer && hrefFromInput(answer.href);
    if (!href) return false;
    const attrs = { href, headline: answer.headline.trim() };
    if (selected) dispatch(state.tr.setNodeMarkup(selected.from, null, attrs));
    else return insertCommand(schema, () => type.create(attrs))(state, dispatch);
    return true;
  };
}

/** An empty question and answer; the stylesheet shows what goes in each until it is typed. */
function faqItem(schema) {
  const { faq_item, faq_question, faq_answer, paragraph } = schema.nodes;
  return faq_item.create(null, [faq_question.create(), faq_answer.create(null, paragraph.create())]);
}

/** Puts the cursor in the question of the faq_item at `pos`. */
function toQuestion(tr, pos) {
  return tr.setSelection(TextSelection.create(tr.doc, pos + 2));
}

/** A new FAQ block with one question and answer; inside one, another question after the current one. */
export function insertFaq(schema) {
  return (state, dispatch) => {
    if (!dispatch) return true;
    const item = ancestor(state, [schema.nodes.faq_item]);
    if (item) {
      const at = item.pos + item.node.nodeSize;
      const tr = state.tr.insert(at, faqItem(schema));
      dispatch(toQuestion(tr, at).scrollIntoView());
      return true;
    }
    const node = schema.nodes.faq.create(null, faqItem(schema));
    const { tr, at } = insertBlock(state, node);
    roomAfter(tr, at, node, schema);
    dispatch(toQuestion(tr, at + 1).scrollIntoView());
    return true;
  };
}

/**
 * Enter in a FAQ: from a question to its answer; on an empty last line of an answer, a new
 * question; on an empty question with an empty answer at the end, out of the FAQ.
 */
export function faqEnter(schema) {
  const { faq, faq_item, faq_question, faq_answer, paragraph } = schema.nodes;
  return (state, dispatch) => {
    const { $from, empty } = state.selection;
    const item = ancestor(state, [faq_item]);
    if (!empty || !item) return false;
    const [question, answer] = [item.node.child(0), item.node.child(1)];
    const answerEmpty = answer.childCount === 1 && answer.firstChild.content.size === 0;
    const holder = ancestor(state, [faq]);
    const last = item.pos + item.node.nodeSize === holder.pos + holder.node.nodeSize - 1;

    if ($from.parent.type === faq_question) {
      if (question.content.size === 0 && answerEmpty && last) {
        if (!dispatch) return true;
        const whole = holder.node.childCount === 1;
        const tr = whole
          ? state.tr.replaceWith(holder.pos, holder.pos + holder.node.nodeSize, paragraph.create())
          : state.tr.delete(item.pos, item.pos + item.node.nodeSize).insert(holder.pos + holder.node.nodeSize - item.node.nodeSize, paragraph.create());
        const at = whole ? holder.pos + 1 : holder.pos + holder.node.nodeSize - item.node.nodeSize + 1;
        dispatch(tr.setSelection(TextSelection.create(tr.doc, at)).scrollIntoView());
        return true;
      }
      if (dispatch) {
        const answerStart = item.pos + 1 + question.nodeSize + 1;
        dispatch(state.tr.setSelection(TextSelection.near(state.doc.resolve(answerStart + 1))).scrollIntoView());
      }
      return true;
    }

    const inAnswer = $from.depth >= 2 && $from.node(-1).type === faq_answer;
    if (!inAnswer || $from.parent.content.size !== 0 || $from.index(-1) !== answer.childCount - 1) return false;
    if (!dispatch) return true;
    let tr = state.tr;
    if (answer.childCount > 1) tr = tr.delete($from.before(), $from.after());
    const at = tr.mapping.map(item.pos + item.node.nodeSize);
    dispatch(toQuestion(tr.insert(at, faqItem(schema)), at).scrollIntoView());
    return true;
  };
}

export function insertHardBreak(schema) {
  return (state, dispatch) => {
    if (!state.selection.$from.parent.inlineContent) return false;
    if (dispatch) dispatch(state.tr.replaceSelectionWith(schema.nodes.hard_break.create()).scrollIntoView());
    return true;
  };
}
