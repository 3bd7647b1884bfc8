-- Readers' comments: where they came from (a salted hash, never the
-- address), moderation settings, and what the spam defence needs.

ALTER TABLE comments ADD COLUMN ip_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN staff_user_id BIGINT REFERENCES users (id);
CREATE INDEX comments_status ON comments (status, created_at);
CREATE INDEX comments_ip ON comments (ip_hash, created_at);
CREATE INDEX comments_email ON comments (author_email, status);
CREATE INDEX comments_recent ON comments (created_at);

-- hold | trusted | open
ALTER TABLE site_settings ADD COLUMN comment_moderation TEXT NOT NULL DEFAULT 'hold';
-- Comments close this many days after publication; NULL: never.
ALTER TABLE site_settings ADD COLUMN comments_close_days BIGINT;
ALTER TABLE site_settings ADD COLUMN comment_max_chars BIGINT NOT NULL DEFAULT 5000;
ALTER TABLE site_settings ADD COLUMN comment_max_depth BIGINT NOT NULL DEFAULT 3;
ALTER TABLE site_settings ADD COLUMN comment_max_links BIGINT NOT NULL DEFAULT 2;
-- One word or address per line; a comment containing one goes to spam.
ALTER TABLE site_settings ADD COLUMN comment_blocklist TEXT NOT NULL DEFAULT '';
-- Comments shown per page under an article.
ALTER TABLE site_settings ADD COLUMN comments_per_page BIGINT NOT NULL DEFAULT 50;
