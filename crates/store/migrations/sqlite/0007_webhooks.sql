-- Webhooks, second part: what dispatching them from the change log needs.

-- Changes up to this sequence number happened before the webhook existed;
-- it is sent none of them.
ALTER TABLE webhooks ADD COLUMN from_seq INTEGER NOT NULL DEFAULT 0;

-- What an article was called when webhooks last looked, so that its
-- deletion can still say which article went.
ALTER TABLE webhook_article_state ADD COLUMN slug TEXT NOT NULL DEFAULT '';
ALTER TABLE webhook_article_state ADD COLUMN headline TEXT NOT NULL DEFAULT '';

-- Comments whose approval webhooks have announced: a later edit of an
-- approved comment is not announced again.
CREATE TABLE webhook_comment_state (
    comment_id INTEGER PRIMARY KEY
);

-- Webhooks start from here: nothing written before this migration is sent,
-- and what is public now is known as such.
INSERT INTO change_cursors (name, seq)
SELECT 'webhooks', COALESCE(MAX(seq), 0) FROM changes WHERE true
ON CONFLICT (name) DO NOTHING;
INSERT INTO webhook_article_state (article_id, published, slug, headline)
SELECT id, status = 'published', slug, headline FROM articles WHERE true
ON CONFLICT (article_id) DO NOTHING;
INSERT INTO webhook_comment_state (comment_id)
SELECT id FROM comments WHERE status = 'approved'
ON CONFLICT (comment_id) DO NOTHING;
