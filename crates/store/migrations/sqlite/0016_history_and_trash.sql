-- What a revision marks, when it is more than a save: 'submitted',
-- 'published', 'scheduled', 'unpublished', 'published-on-schedule',
-- 'restored:<revision>'. NULL for a plain save (and for every revision kept
-- before this migration).
ALTER TABLE article_revisions ADD COLUMN label TEXT;

-- The live editor's working copy as it stood every few minutes of live
-- activity: the whole draft the article would be if saved then (the shared
-- document's body and fields over the saved article), with the staff who
-- wrote since the snapshot before. Restoring one saves it as a new revision.
CREATE TABLE live_snapshots (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    -- the writers' user ids, comma-separated
    writers TEXT NOT NULL,
    snapshot TEXT NOT NULL
);
CREATE INDEX live_snapshots_article ON live_snapshots (article_id, created_at);

-- Articles in the trash: out of every newsroom list but the trash's, never
-- live (a published article is unpublished on its way in), restorable until
-- deleted for good 30 days after (or when an editor empties the trash).
CREATE TABLE article_trash (
    article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    trashed_at INTEGER NOT NULL,
    trashed_by INTEGER REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX article_trash_at ON article_trash (trashed_at);

-- Author profiles, edited by editors and by each author for their own:
-- a job title ("Diplomatic correspondent"), links (one address a line:
-- their pages elsewhere) and a photo from the media library.
ALTER TABLE authors ADD COLUMN job_title TEXT;
ALTER TABLE authors ADD COLUMN links TEXT;
ALTER TABLE authors ADD COLUMN photo_id INTEGER REFERENCES media (id) ON DELETE SET NULL;

-- Who has each article open in the live editor, per instance, refreshed
-- every few seconds while they do: the article list names them whichever
-- instance served it. A row not refreshed for a while is stale (its
-- instance stopped) and not shown.
CREATE TABLE live_presence (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    instance TEXT NOT NULL,
    names TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (article_id, instance)
);
