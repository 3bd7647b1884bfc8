-- SQLite has one writer at a time and numbers changes in commit order, so
-- no change ever commits below one already seen: the transaction id and the
-- cursors' open transactions stay empty. The columns keep both backends'
-- tables alike.
ALTER TABLE changes ADD COLUMN xid INTEGER NOT NULL DEFAULT 0;
ALTER TABLE change_cursors ADD COLUMN open TEXT NOT NULL DEFAULT '';
