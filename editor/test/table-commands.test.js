// The table commands the toolbar asks before offering, on a selection of several cells
// (dragged over in the browser), which the toolbar tests in jsdom cannot make.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CellSelection } from "prosemirror-tables";
import { insertTable } from "../src/commands.js";
import { schema } from "../src/schema.js";
import { deleteColumns, deleteRows, headerRowActive, toggleHeaderRow } from "../src/table-commands.js";
import { n, run, stateAt } from "./support/editing.js";

/** A 3 × 3 table (first row header) with the cells from (row, col) to (row, col) selected. */
function selecting([r1, c1], [r2, c2]) {
  const state = run(insertTable(schema), stateAt(n.doc(n.paragraph())));
  const cellPos = (r, c) => {
    let pos = 1; // inside the table
    for (let i = 0; i < r; i++) pos += state.doc.firstChild.child(i).nodeSize;
    pos += 1; // inside the row
    for (let i = 0; i < c; i++) pos += state.doc.firstChild.child(r).child(i).nodeSize;
    return pos;
  };
  return state.apply(state.tr.setSelection(CellSelection.create(state.doc, cellPos(r1, c1), cellPos(r2, c2))));
}

const size = (state) => [state.doc.firstChild.childCount, state.doc.firstChild.firstChild.childCount];

test("Delete row and Delete column take every row or column of the selected cells", () => {
  assert.deepEqual(size(run(deleteRows, selecting([1, 0], [2, 1]))), [1, 3]);
  assert.deepEqual(size(run(deleteColumns, selecting([1, 0], [2, 1]))), [3, 1]);
});

test("Delete row refuses a selection over every row, Delete column one over every column, before being run", () => {
  const column = selecting([0, 1], [2, 1]);
  assert.equal(deleteRows(column), false);
  assert.equal(deleteColumns(column), true);
  const row = selecting([1, 0], [1, 2]);
  assert.equal(deleteColumns(row), false);
  assert.equal(deleteRows(row), true);
});

test("Header row acts on the first row whatever cells are selected, and says when it is a header", () => {
  const state = selecting([2, 0], [2, 2]);
  assert.equal(headerRowActive(state), true);
  const off = run(toggleHeaderRow, state);
  assert.deepEqual([0, 1, 2].map((r) => off.doc.firstChild.child(r).firstChild.type.name), ["table_cell", "table_cell", "table_cell"]);
  assert.equal(headerRowActive(off), false);
  assert.equal(headerRowActive(stateAt(n.doc(n.paragraph("x")))), false, "outside a table");
});
