-- The learning spam filter: in how many spam and ham comments each token
-- appeared, and how many decisions it learned from. Moderators teach it.

CREATE TABLE spam_tokens (
    token TEXT PRIMARY KEY,
    spam INTEGER NOT NULL DEFAULT 0,
    ham INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE spam_corpus (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    spam INTEGER NOT NULL DEFAULT 0,
    ham INTEGER NOT NULL DEFAULT 0
);
INSERT INTO spam_corpus (id) VALUES (1);

-- What the filter said when the comment came in (NULL: not yet trained),
-- why a comment went to spam on arrival, and what the filter learned from it
-- ('spam', 'ham' or NULL) so that a changed decision is learned once.
ALTER TABLE comments ADD COLUMN spam_score REAL;
ALTER TABLE comments ADD COLUMN spam_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN trained_as TEXT;

-- Finding the same text posted again, and counting an article's recent
-- comments, without reading every comment of the day. (Comments stored
-- before this version have no hash; they are a day old soon enough.)
ALTER TABLE comments ADD COLUMN body_hash TEXT NOT NULL DEFAULT '';
CREATE INDEX comments_body_hash ON comments (body_hash, created_at);
CREATE INDEX comments_article_recent ON comments (article_id, created_at);

ALTER TABLE site_settings ADD COLUMN comment_filter_after INTEGER NOT NULL DEFAULT 50;
ALTER TABLE site_settings ADD COLUMN comment_filter_threshold INTEGER NOT NULL DEFAULT 90;
