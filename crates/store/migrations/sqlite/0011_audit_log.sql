-- What staff did, for admins to look back on: who (the account, and its
-- name then), what (the route and the address it was asked of), the
-- answer's status, when, and a salted hash of the address it came from.
-- Rows are only ever added; an account's removal keeps its rows.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    status INTEGER NOT NULL,
    address_hash TEXT NOT NULL
);
CREATE INDEX audit_log_user ON audit_log (user_id, id);
