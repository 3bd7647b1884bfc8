// Markdown as one types it: `## ` makes a heading, `- ` a list, `**bold**` bold, and so on.
// Backspace straight after a rule fired puts back what was typed.
import { InputRule, inputRules, textblockTypeInputRule, wrappingInputRule } from "prosemirror-inputrules";
import { TextSelection } from "prosemirror-state";

/** Whether `pos` sits after an opening backtick that is not yet closed (code being typed). */
function inOpenCode(state, pos) {
  const $pos = state.doc.resolve(pos);
  const before = $pos.parent.textBetween(0, $pos.parentOffset, null, "\ufffc");
  return (before.match(/`/g) || []).length % 2 === 1;
}

/**
 * A mark from delimiters typed around text (`**bold**`, `*italic*`, `` `code` ``). `pattern`'s
 * group 1 is the delimited run, group 2 the text inside it.
 */
function markRule(pattern, markType) {
  return new InputRule(
    pattern,
    (state, match, start, end) => {
      const from = start + match[0].length - match[1].length;
      if (!markType.spec.code && inOpenCode(state, from)) return null;
      const marks = markType.create().addToSet(state.doc.resolve(end).marks());
      return state.tr.replaceWith(from, end, state.schema.text(match[2], marks)).removeStoredMark(markType);
    },
    { inCodeMark: false },
  );
}

/** `---` alone in a top-level paragraph becomes a separator, with a paragraph after it to go on in. */
function separatorRule(schema) {
  return new InputRule(/^---$/, (state, match, start, end) => {
    const $start = state.doc.resolve(start);
    const paragraph = $start.parent;
    if ($start.depth !== 1 || paragraph.type !== schema.nodes.paragraph || paragraph.content.size !== end - start) return null;
    const from = $start.before();
    const tr = state.tr.replaceWith(from, $start.after(), [schema.nodes.horizontal_rule.create(), schema.nodes.paragraph.create()]);
    return tr.setSelection(TextSelection.create(tr.doc, from + 2)).scrollIntoView();
  });
}

export function buildInputRules(schema) {
  const { nodes, marks } = schema;
  return inputRules({
    rules: [
      textblockTypeInputRule(/^(#{2,4})\s$/, nodes.heading, (match) => ({ level: match[1].length })),
      wrappingInputRule(/^\s*>\s$/, nodes.blockquote),
      wrappingInputRule(/^\s*[-*]\s$/, nodes.bullet_list),
      wrappingInputRule(
        /^(\d+)\.\s$/,
        nodes.ordered_list,
        (match) => ({ start: Number(match[1]) }),
        (match, list) => list.childCount + list.attrs.start === Number(match[1]),
      ),
      separatorRule(schema),
      markRule(/(?:^|[^*\\])(\*\*([^*\s\ufffc](?:[^*\ufffc]*[^*\s\ufffc])?)\*\*)$/, marks.strong),
      markRule(/(?:^|[^*\\])(\*([^*\s\ufffc](?:[^*\ufffc]*[^*\s\ufffc])?)\*)$/, marks.em),
      markRule(/(?:^|[^`])(`([^`\ufffc]+)`)$/, marks.code),
    ],
  });
}
