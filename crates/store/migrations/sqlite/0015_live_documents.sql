-- Live co-editing. An article being edited together is a shared document
-- (the editor's Yjs document); every change to it is kept here as it
-- arrives, which is the editor's autosave. `base_digest` is the digest of
-- the article body the document was last reconciled with: a save from the
-- live editor moves it along with the body, so when the two differ the body
-- was changed by another path (the API, the form without JavaScript, a
-- restored revision) and the document starts again from the article.
CREATE TABLE live_documents (
    article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    base_digest TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- The document's updates, in the order the server applied them. Compaction
-- replaces a run of them by one update holding the same state.
CREATE TABLE live_updates (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES live_documents (article_id) ON DELETE CASCADE,
    data BLOB NOT NULL,
    -- who wrote it (NULL: the server, seeding or compacting)
    user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    at INTEGER NOT NULL
);
CREATE INDEX live_updates_article ON live_updates (article_id, id);
