-- The newsroom: staff accounts, their sessions, article revisions and
-- corrections, and server secrets shared by every instance.

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    -- stored lowercased; the sign-in name
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    -- Argon2id PHC string; NULL until a password is set
    password_hash TEXT,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    -- the byline this person writes under
    author_id INTEGER REFERENCES authors (id),
    created_at INTEGER NOT NULL
);

CREATE TABLE sessions (
    -- SHA-256 of the cookie's token: a leaked table cannot be replayed
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE article_revisions (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    -- the article's revision number this snapshot was saved as
    revision INTEGER NOT NULL,
    user_id INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL,
    -- the whole draft as JSON, restorable as it was
    snapshot TEXT NOT NULL,
    UNIQUE (article_id, revision)
);

CREATE TABLE corrections (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    user_id INTEGER REFERENCES users (id)
);
CREATE INDEX corrections_article ON corrections (article_id, created_at);

-- Scheduled articles waiting for their time.
ALTER TABLE articles ADD COLUMN scheduled_at INTEGER;
CREATE INDEX articles_scheduled ON articles (status, scheduled_at);
-- Who started the article: contributors may edit their own drafts.
ALTER TABLE articles ADD COLUMN created_by INTEGER REFERENCES users (id);
CREATE INDEX articles_created_by ON articles (created_by);
-- Newsroom lists: by last change, newest first.
ALTER TABLE articles ADD COLUMN modified_at INTEGER;
CREATE INDEX articles_modified ON articles (modified_at DESC, id DESC);

-- Pre-publish checks that block publishing (comma-separated check names).
ALTER TABLE site_settings ADD COLUMN blocking_checks TEXT NOT NULL DEFAULT '';

-- Resized copies of an image for srcset: "URL WIDTHw, URL WIDTHw".
ALTER TABLE media ADD COLUMN srcset TEXT NOT NULL DEFAULT '';
-- The site's logo, shown in the masthead instead of its name in type.
ALTER TABLE site_settings ADD COLUMN logo_id INTEGER REFERENCES media (id);
