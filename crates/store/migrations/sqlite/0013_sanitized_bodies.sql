-- The sanitizer version each body_html was cleaned by. Reads trust a body
-- cleaned by the running version and clean any other again; 0 (every row
-- before this migration, and rows an import or a restore brought in) means
-- "not cleaned by a known version". `bbn serve` rewrites those at start.
ALTER TABLE articles ADD COLUMN body_sanitizer BIGINT NOT NULL DEFAULT 0;
ALTER TABLE pages ADD COLUMN body_sanitizer BIGINT NOT NULL DEFAULT 0;
