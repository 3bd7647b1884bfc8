// Building documents and typing into an editor state without a browser.
import { TextSelection } from "prosemirror-state";
import { schema } from "../../src/schema.js";
import { editorState } from "../../src/editor.js";

const content = (items) => items.map((item) => (typeof item === "string" ? schema.text(item) : item));

/** `n.paragraph("text", n.hard_break())`, `n.heading({ level: 3 }, "text")` … */
export const n = new Proxy(
  {},
  {
    get: (_, name) =>
      (...args) => {
        const attrs = args[0] && typeof args[0] === "object" && !args[0].type ? args.shift() : null;
        return schema.node(name, attrs, content(args));
      },
  },
);

/** Marked text: `marked("bold", "strong")`, `marked("x", ["link", { href }])`. */
export function marked(text, ...marks) {
  return schema.text(
    text,
    marks.map((m) => (Array.isArray(m) ? schema.mark(m[0], m[1]) : schema.mark(m))),
  );
}

/** An editor state over `doc` with the cursor at `pos` (default: the end of the first textblock). */
export function stateAt(doc, pos) {
  const state = editorState(doc);
  let at = pos;
  if (at === undefined) {
    doc.descendants((node, p) => {
      if (at === undefined && node.isTextblock) at = p + 1 + node.content.size;
      return at === undefined;
    });
  }
  return state.apply(state.tr.setSelection(TextSelection.create(state.doc, at)));
}

/** A stand-in for the view that commands and input rules dispatch to. */
export function fakeView(state) {
  const view = {
    state,
    composing: false,
    dispatch(tr) {
      view.state = view.state.apply(tr);
    },
  };
  return view;
}

/** Types `text` character by character, as the browser would, giving input rules their chance. */
export function typeText(state, text) {
  const view = fakeView(state);
  const rules = view.state.plugins.filter((p) => p.props.handleTextInput);
  for (const ch of text) {
    const { from, to } = view.state.selection;
    if (!rules.some((p) => p.props.handleTextInput(view, from, to, ch))) view.dispatch(view.state.tr.insertText(ch, from, to));
  }
  return view.state;
}

/** Runs a command the way a key or button would; returns the new state (or null when it did not apply). */
export function run(command, state) {
  const view = fakeView(state);
  return command(view.state, view.dispatch, view) ? view.state : null;
}
