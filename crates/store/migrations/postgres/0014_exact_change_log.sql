-- Which transaction wrote each change. PostgreSQL numbers a change when it
-- is written, not when it commits, so a follower that has read up to number
-- N may still see an older number commit later; it keeps the transactions
-- that were running when it read N and reads their changes again once
-- they end (see changes.rs). Rows from before this migration were committed
-- long ago: 0.
ALTER TABLE changes ADD COLUMN xid BIGINT NOT NULL DEFAULT 0;
ALTER TABLE changes ALTER COLUMN xid SET DEFAULT (pg_current_xact_id()::text::bigint);
CREATE INDEX changes_xid ON changes (xid);

-- The running transactions (space-separated ids) that may still commit
-- changes numbered at or below the cursor's seq.
ALTER TABLE change_cursors ADD COLUMN open TEXT NOT NULL DEFAULT '';
