-- What an import left each article and page at: an article's revision, a
-- page's modified_at. A later import of the same source compares it with
-- the record as it is now; when they differ, someone edited the record in
-- bbn since, and the import keeps that edit instead of overwriting it.
-- NULL for other kinds and for rows written before this column existed.
ALTER TABLE import_ids ADD COLUMN local_version BIGINT;
