// The table controls whose prosemirror-tables command does not fit the toolbar as it is (the
// others run its commands directly). Its row and column deletions answer "yes" to the
// toolbar's question even when they would take every row or column (they only refuse once
// asked to run), so a button would look usable and do nothing; here they say no, and the
// table's own delete button is the way to remove it all. Its header-row toggle acts on the
// cursor's row; here on the first.
import { deleteColumn, deleteRow, isInTable, rowIsHeader, selectedRect, toggleHeader } from "prosemirror-tables";

/** Whether the selected cells span every row (`"row"`) or every column of their table. */
function spansWhole(state, axis) {
  const { top, bottom, left, right, map } = selectedRect(state);
  return axis === "row" ? top === 0 && bottom === map.height : left === 0 && right === map.width;
}

const unlessWhole = (axis, command) => (state, dispatch) => isInTable(state) && !spansWhole(state, axis) && command(state, dispatch);

/** Deletes the rows of the selected cells, unless they are all the table has. */
export const deleteRows = unlessWhole("row", deleteRow);

/** Deletes the columns of the selected cells, unless they are all the table has. */
export const deleteColumns = unlessWhole("column", deleteColumn);

/**
 * Makes the table's first row header cells, or ordinary cells again, wherever in the table
 * the cursor is: a reader's table has its header on top, so the toolbar never makes another
 * row one. (prosemirror-tables' own `toggleHeaderRow` toggles the row with the cursor.)
 */
export const toggleHeaderRow = toggleHeader("row");

/** Whether every cell of the table's first row is a header cell. */
export function headerRowActive(state) {
  if (!isInTable(state)) return false;
  const { map, table } = selectedRect(state);
  return rowIsHeader(map, table, 0);
}
