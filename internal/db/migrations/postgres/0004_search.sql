-- Full-text search (PostgreSQL). Keep search_docs in step with sqlite/0004_search.sql.
--
-- The text is analysed in Go (internal/search: NFKC, folding, CJK bigrams);
-- PostgreSQL stores the result compactly (the run form, below) and a GIN
-- index holds its terms. PostgreSQL never tokenises the text itself. Why not
-- a stored tsvector: see internal/search/engine_postgres.go.
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

-- terms holds the document in the analyzer's run form (internal/search/runs.go):
-- its terms with every Chinese/Japanese/Korean run written once, whole,
-- after U+0003, instead of as overlapping bigrams; fields separated by
-- U+0001 (subject, messages, notes, supporter, filter terms), segments by a
-- newline, tokens by spaces. It is about the size of the text. Like SQLite's
-- FTS5 tables it is engine-specific, so it is left out of TestSchemasMatch's
-- column comparison (written as ADD, not ADD COLUMN, on purpose).
ALTER TABLE search_docs ADD terms TEXT NOT NULL;

-- search_vector expands the run form into the analyzer's terms: every
-- token that does not start with U+0003 is a term as it is; a run (U+0003
-- then its characters) becomes its overlapping bigrams and its last
-- character, which are exactly internal/search.Analyze's terms for it, plus
-- its first character (a harmless extra: single-character queries match as
-- prefixes, and the first character already starts the first bigram). The
-- bigrams come from pairing characters from the start of the runs and from
-- the second character (search_pairs), with the regex engine doing the
-- work. Notes (field 3) become U+E001+term, so that a search without notes
-- cannot reach them; the supporter's fields (field 4) are there plain and as
-- U+E002+term, for from:. No positions: phrases are checked on the run form
-- itself with strpos (internal/search/engine_postgres.go).
CREATE FUNCTION search_pairs(runs text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN regexp_replace(runs, '(..)', '\1 ', 'g') || ' ' || regexp_replace(substr(runs, 2), '(..)', '\1 ', 'g');

-- One field: its words, then the pairs of its runs (words removed, runs
-- separated by spaces).
CREATE FUNCTION search_field(block text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN regexp_replace(block, '\x03[^ ]*', ' ', 'g') || ' ' ||
    search_pairs(translate(regexp_replace(block, '(^| )[^ \x03][^ ]*', ' ', 'g'), chr(3), ''));

CREATE FUNCTION search_vector(terms text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN array_to_tsvector(array_remove(array_remove(array_remove(string_to_array(
    search_field(translate(split_part(terms, chr(1), 1), chr(10), ' ')) || ' ' ||
    search_field(translate(split_part(terms, chr(1), 2), chr(10), ' ')) || ' ' ||
    replace(' ' || search_field(translate(split_part(terms, chr(1), 3), chr(10), ' ')), ' ', ' ' || U&'\E001') || ' ' ||
    search_field(translate(split_part(terms, chr(1), 4), chr(10), ' ')) || ' ' ||
    replace(' ' || search_field(translate(split_part(terms, chr(1), 4), chr(10), ' ')), ' ', ' ' || U&'\E002') || ' ' ||
    split_part(terms, chr(1), 5),
    ' '), ''), U&'\E001'), U&'\E002'));

-- search_count counts the occurrences of needle in haystack (for ranking).
CREATE FUNCTION search_count(haystack text, needle text) RETURNS integer
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT (length(haystack) - length(replace(haystack, needle, ''))) / GREATEST(length(needle), 1) $$;

-- New entries wait in the GIN index's pending list (every search reads
-- through it) until it reaches gin_pending_list_limit, 4 MB by default, and
-- is merged into the index. Measured at 1M tickets: a full 3.5 MB list adds
-- ~1 ms to a search; a 512 kB limit made indexing fall to 400 messages/s
-- (frequent merges), the default keeps up with 500/s.
CREATE INDEX search_docs_terms ON search_docs USING gin (search_vector(terms));
