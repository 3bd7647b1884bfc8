-- Distribution: what feeds carry, the editable robots.txt, keys for the
-- APIs, and webhooks with their delivery log.

ALTER TABLE site_settings ADD COLUMN feed_items INTEGER NOT NULL DEFAULT 20;
ALTER TABLE site_settings ADD COLUMN feed_full_text BOOLEAN NOT NULL DEFAULT TRUE;
-- Empty: bbn's own robots.txt, which names the sitemaps.
ALTER TABLE site_settings ADD COLUMN robots_txt TEXT NOT NULL DEFAULT '';

-- Keys for the APIs. Only a hash of each key is kept; `hint` is its last
-- characters, so that staff can tell keys apart.
-- kind 'content': read-only public content (the Ghost-compatible Content API).
-- kind 'staff': bbn's API, acting for `user_id` with at most `role`.
CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    hint TEXT NOT NULL,
    role TEXT,
    user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER
);

CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    -- comma-separated event names, e.g. "article.published,comment.approved"
    events TEXT NOT NULL,
    -- the HMAC-SHA256 key receivers check signatures with
    secret TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at INTEGER NOT NULL
);

-- One row per event per webhook, made from the change log; retried until
-- delivered or given up.
CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY,
    webhook_id INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    change_seq INTEGER NOT NULL,
    event TEXT NOT NULL,
    payload TEXT NOT NULL,
    -- 'pending', 'delivered' or 'failed' (given up)
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_status INTEGER,
    last_error TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    delivered_at INTEGER,
    UNIQUE (webhook_id, change_seq, event)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
CREATE INDEX webhook_deliveries_recent ON webhook_deliveries (webhook_id, id);

-- Where followers of the change log that act once for the whole site (not
-- once per instance) have got to, e.g. webhook dispatch.
CREATE TABLE change_cursors (
    name TEXT PRIMARY KEY,
    seq INTEGER NOT NULL
);

-- Whether each article was public when webhooks last looked, so that a
-- change can be told apart as published, updated, unpublished or deleted.
CREATE TABLE webhook_article_state (
    article_id INTEGER PRIMARY KEY,
    published BOOLEAN NOT NULL
);
