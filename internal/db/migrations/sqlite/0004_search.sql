-- Full-text search (SQLite). Keep search_docs in step with postgres/0004_search.sql.
--
-- The text is analysed in Go (internal/search: NFKC, folding, CJK bigrams);
-- FTS5 stores the resulting terms, space-separated, and its tokenizer is set
-- up to give them back unchanged. The FTS5 tables are contentless (the text
-- lives in tickets/messages/supporters), with contentless_delete so a
-- document can be replaced.
--
-- search_docs maps an FTS5 rowid (seq) to the ticket or supporter it
-- indexes. A document gets a new, higher seq every time it is indexed, so
-- "ORDER BY rowid DESC" walks the index from the most recently changed
-- document: that is the recency order of search results, and the order in
-- which very large result sets are cut before ranking (see docs/search.md).
-- AUTOINCREMENT lets `steward reindex` reserve a range of seqs while the
-- server keeps indexing changes above it.
CREATE TABLE search_docs (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT   NOT NULL CHECK (kind IN ('ticket', 'supporter')),
    ref_id     BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (kind, ref_id)
);

-- Tickets: subject (with number and tags), body (messages in and out),
-- notes (internal notes: staff only), people (the supporter's name and
-- addresses, for from:), meta (filter terms, see internal/search/index_doc.go).
CREATE VIRTUAL TABLE search_tickets_fts USING fts5(
    subject, body, notes, people, meta,
    content = '', contentless_delete = 1,
    tokenize = "unicode61 remove_diacritics 0 categories 'L* N* Co M*' tokenchars '@._%+-'"
);

-- Supporters: name, contact (e-mail addresses, phones, handles), notes (staff only).
CREATE VIRTUAL TABLE search_supporters_fts USING fts5(
    name, contact, notes,
    content = '', contentless_delete = 1,
    tokenize = "unicode61 remove_diacritics 0 categories 'L* N* Co M*' tokenchars '@._%+-'"
);

-- Each write transaction adds a small segment to an FTS5 index; automerge
-- merges segments once this many share a level. The default, 4, spends about
-- a third of an indexing transaction merging; 8 keeps up with 500 messages/s
-- (docs/search.md) and leaves queries a few more segments to read.
INSERT INTO search_tickets_fts (search_tickets_fts, rank) VALUES ('automerge', 8);
INSERT INTO search_supporters_fts (search_supporters_fts, rank) VALUES ('automerge', 8);
