-- search_count, unchanged in what it returns, no longer STRICT, so that
-- PostgreSQL inlines it into the queries that rank search results.
--
-- A SQL function is inlined only if its body is as strict as it is
-- declared; GREATEST is not strict, so search_count ran through the
-- SQL-function executor: ~20 µs a call, six calls a candidate for a
-- two-word search, ~10 ms for the 500 candidates PostgreSQL ranks
-- (docs/search.md). With a NULL argument the body is NULL anyway (length
-- and replace are strict), so the result is the same for every input.
ALTER FUNCTION search_count(text, text) CALLED ON NULL INPUT;
