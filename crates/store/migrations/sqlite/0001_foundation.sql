-- The reader site's foundation: site settings, the taxonomy, articles with
-- their bylines, topics, FAQ and comments, and the change log.
-- Times are Unix seconds (UTC) on both backends.

CREATE TABLE site_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    copyright_holder TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    page_size INTEGER NOT NULL,
    language TEXT NOT NULL
);

CREATE TABLE sections (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    -- position in the navigation; NULL keeps a section out of it
    nav_position INTEGER
);
CREATE INDEX sections_nav ON sections (nav_position);

CREATE TABLE topics (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT ''
);

CREATE TABLE authors (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    bio TEXT NOT NULL DEFAULT ''
);

CREATE TABLE media (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    width INTEGER,
    height INTEGER,
    alt TEXT NOT NULL DEFAULT '',
    caption TEXT NOT NULL DEFAULT '',
    credit TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);

CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    headline TEXT NOT NULL,
    dek TEXT NOT NULL DEFAULT '',
    kicker TEXT NOT NULL DEFAULT '',
    body_markdown TEXT NOT NULL,
    body_html TEXT NOT NULL,
    section_id INTEGER NOT NULL REFERENCES sections (id),
    status TEXT NOT NULL,
    image_id INTEGER REFERENCES media (id),
    seo_title TEXT NOT NULL DEFAULT '',
    seo_description TEXT NOT NULL DEFAULT '',
    comments_open BOOLEAN NOT NULL DEFAULT TRUE,
    created_at INTEGER NOT NULL,
    -- set when first published; kept through later edits
    published_at INTEGER,
    -- the reader-visible "updated" time (corrections, substantive edits)
    updated_at INTEGER,
    -- any change at all; used for optimistic concurrency and caches
    revision INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX articles_live ON articles (status, published_at DESC, id DESC);
CREATE INDEX articles_section_live ON articles (section_id, status, published_at DESC, id DESC);

-- Bylines and topics repeat the article's publication time (NULL while it is
-- not live) so that author and topic pages read one index range, newest first.
CREATE TABLE article_authors (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    author_id INTEGER NOT NULL REFERENCES authors (id),
    position INTEGER NOT NULL,
    live_at INTEGER,
    PRIMARY KEY (article_id, author_id)
);
CREATE INDEX article_authors_live ON article_authors (author_id, live_at DESC, article_id DESC);

CREATE TABLE article_topics (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    topic_id INTEGER NOT NULL REFERENCES topics (id),
    position INTEGER NOT NULL,
    live_at INTEGER,
    PRIMARY KEY (article_id, topic_id)
);
CREATE INDEX article_topics_live ON article_topics (topic_id, live_at DESC, article_id DESC);

CREATE TABLE faq_items (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    PRIMARY KEY (article_id, position)
);

-- Every slug an article had before its current one answers with a redirect.
CREATE TABLE slug_history (
    slug TEXT PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE
);

CREATE TABLE editors_picks (
    article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    position INTEGER NOT NULL
);

CREATE TABLE comments (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    parent_id INTEGER REFERENCES comments (id) ON DELETE CASCADE,
    author_name TEXT NOT NULL,
    author_email TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX comments_article ON comments (article_id, status, created_at);

CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    entity TEXT NOT NULL,
    entity_id INTEGER NOT NULL,
    op TEXT NOT NULL,
    at INTEGER NOT NULL
);
