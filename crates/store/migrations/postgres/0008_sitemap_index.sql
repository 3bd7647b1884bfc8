-- Article sitemaps read published articles by ranges of ids. This index
-- holds everything such a line needs, so the read never touches the rows
-- themselves (on SQLite a row's later columns sit behind its long body).
CREATE INDEX articles_sitemap ON articles (id, status, published_at, updated_at, image_id, slug);
