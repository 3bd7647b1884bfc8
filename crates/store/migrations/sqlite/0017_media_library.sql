-- The media library: every image (and, later, video and audio file) with
-- what the newsroom needs to find and reuse it. `kind` and `mime` come from
-- the file's content, never its name; `file_name` is the name it was
-- uploaded with (for search); `focal_x`/`focal_y` the point crops keep in
-- view, in percent of the width and height.
ALTER TABLE media ADD COLUMN kind TEXT NOT NULL DEFAULT 'image';
ALTER TABLE media ADD COLUMN mime TEXT NOT NULL DEFAULT '';
ALTER TABLE media ADD COLUMN file_name TEXT NOT NULL DEFAULT '';
ALTER TABLE media ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE media ADD COLUMN uploaded_by INTEGER REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE media ADD COLUMN focal_x INTEGER NOT NULL DEFAULT 50;
ALTER TABLE media ADD COLUMN focal_y INTEGER NOT NULL DEFAULT 50;
CREATE INDEX media_newest ON media (created_at, id);
-- Bodies name items by address: finding them must not read the whole library.
CREATE INDEX media_url ON media (url);

-- Which articles use which media item (featured image, images in the body,
-- by library id or by address), kept by every article write in its own
-- transaction: "used in N articles"; a used item cannot be deleted (the
-- reference refuses it even when a save races the deletion).
CREATE TABLE media_uses (
    media_id INTEGER NOT NULL REFERENCES media (id),
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    PRIMARY KEY (media_id, article_id)
);
CREATE INDEX media_uses_article ON media_uses (article_id);

-- Articles whose uses are not known yet (written before this migration, or
-- brought in by an import of the whole site): a pass at start reads their
-- bodies and sets the flag.
ALTER TABLE articles ADD COLUMN media_indexed INTEGER NOT NULL DEFAULT 0;
CREATE INDEX articles_media_unindexed ON articles (id) WHERE media_indexed = 0;
INSERT INTO media_uses (media_id, article_id)
    SELECT image_id, id FROM articles WHERE image_id IS NOT NULL;
