-- Moving a site in: static pages, bodies written in HTML as well as
-- Markdown, nested sections, old addresses that redirect, and a record of
-- what each import made from which source record.

-- About, Contact, Terms: pages outside the news flow, each at /{slug}.
CREATE TABLE pages (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    -- 'markdown' or 'html'; body_html is the sanitized rendering either way
    body_format TEXT NOT NULL DEFAULT 'markdown',
    body TEXT NOT NULL,
    body_html TEXT NOT NULL,
    -- 'draft' or 'published'
    status TEXT NOT NULL,
    -- place in the footer navigation; NULL keeps a page out of it
    footer_position INTEGER,
    seo_description TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    published_at INTEGER,
    modified_at INTEGER NOT NULL
);
CREATE INDEX pages_footer ON pages (footer_position);

-- 'markdown' or 'html' (imported bodies): how body_markdown is read.
ALTER TABLE articles ADD COLUMN body_format TEXT NOT NULL DEFAULT 'markdown';

ALTER TABLE sections ADD COLUMN parent_id INTEGER REFERENCES sections (id) ON DELETE SET NULL;

-- Addresses a site had before (an imported site's permalinks, /?p=ID) that
-- answer with a permanent redirect to what they named, wherever it is now.
CREATE TABLE redirects (
    -- the path, with the query when it matters ('/?p=12'), as requested
    path TEXT PRIMARY KEY,
    -- 'article', 'page', 'section', 'topic', 'author' or 'url'
    target_kind TEXT NOT NULL,
    target_id INTEGER,
    target_url TEXT,
    created_at INTEGER NOT NULL
);

-- What an import made of each record of its source, so that running the
-- same import again updates those things instead of adding them twice.
CREATE TABLE import_ids (
    -- e.g. 'wordpress https://example.com'
    source TEXT NOT NULL,
    -- 'author', 'category', 'tag', 'post', 'page', 'attachment', 'comment'
    kind TEXT NOT NULL,
    external_id TEXT NOT NULL,
    local_id INTEGER NOT NULL,
    PRIMARY KEY (source, kind, external_id)
);
