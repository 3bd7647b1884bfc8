// The editor's keys. Mod is Cmd on a Mac and Ctrl elsewhere. Mod-s is deliberately not
// here: the article page saves with it. Undo and redo are given: prosemirror-history's on
// their own, Yjs's when several people edit live (there, undo must only take back one's own
// changes, which the history plugin cannot tell apart).
import { chainCommands, toggleMark } from "prosemirror-commands";
import { redo as historyRedo, undo as historyUndo } from "prosemirror-history";
import { undoInputRule } from "prosemirror-inputrules";
import { liftListItem, sinkListItem, splitListItem } from "prosemirror-schema-list";
import { addRowAfter, goToNextCell, isInTable } from "prosemirror-tables";
import { ancestor, faqEnter, insertHardBreak, toggleBold, toggleItalic } from "./commands.js";

/** Tab in the last cell adds a row and moves into it, as word processors do. */
function nextCellOrNewRow(state, dispatch, view) {
  if (goToNextCell(1)(state, dispatch)) return true;
  if (!isInTable(state)) return false;
  if (dispatch && view && addRowAfter(state, dispatch)) goToNextCell(1)(view.state, view.dispatch);
  return true;
}

/**
 * Tab inside a list nests the item when it can and otherwise stays in the editor, so the
 * focus does not jump out in the middle of a list; outside lists and tables it moves focus.
 */
function inList(schema) {
  return (state) => !!ancestor(state, [schema.nodes.list_item]);
}

export function buildKeymap(schema, { undo = historyUndo, redo = historyRedo } = {}) {
  const item = schema.nodes.list_item;
  const hardBreak = insertHardBreak(schema);
  return {
    "Mod-z": undo,
    "Mod-Shift-z": redo,
    "Mod-y": redo,
    Backspace: undoInputRule,
    "Mod-b": toggleBold(schema),
    "Mod-i": toggleItalic(schema),
    "Mod-`": toggleMark(schema.marks.code),
    Enter: chainCommands(faqEnter(schema), splitListItem(item)),
    "Shift-Enter": hardBreak,
    "Mod-Enter": hardBreak,
    Tab: chainCommands(nextCellOrNewRow, sinkListItem(item), inList(schema)),
    "Shift-Tab": chainCommands(goToNextCell(-1), liftListItem(item), inList(schema)),
  };
}
