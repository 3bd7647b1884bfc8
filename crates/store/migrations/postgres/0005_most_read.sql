-- "Most Read": article page views counted per hour, nothing else (no
-- cookies, no addresses, no readers), and the window the list covers.

CREATE TABLE article_views (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    -- Unix time / 3600
    hour BIGINT NOT NULL,
    views BIGINT NOT NULL,
    PRIMARY KEY (article_id, hour)
);
CREATE INDEX article_views_hour ON article_views (hour);

ALTER TABLE site_settings ADD COLUMN most_read_days BIGINT NOT NULL DEFAULT 2;
