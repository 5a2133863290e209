-- Saved searches (sqlite). Keep in step with postgres/0014_search_saved.sql
-- (which also shrinks PostgreSQL's search documents; FTS5's are unchanged).

-- A saved search is a query string an agent named; it opens as an inbox
-- view. shared: every member of staff sees it (supervisors and admins
-- share); otherwise only its owner.
CREATE TABLE saved_searches (
    id         INTEGER PRIMARY KEY,
    owner_id   BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    query      TEXT    NOT NULL,
    shared     INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL
);
CREATE INDEX saved_searches_owner ON saved_searches (owner_id, id);
CREATE INDEX saved_searches_shared ON saved_searches (shared, id);
