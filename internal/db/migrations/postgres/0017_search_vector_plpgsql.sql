-- search_vector, unchanged in what it returns, in PL/pgSQL instead of SQL.
--
-- A SQL function is either inlined into the expression that calls it or
-- run by the SQL-function executor, which parses and plans its body again
-- in every statement that calls it. search_vector is not inlined (it is
-- STRICT and array_remove and string_to_array are not), and the GIN index
-- calls it once for every document written: its parse and plan were about a
-- tenth of the database's CPU per indexing write at 500 messages a second
-- (0.27 ms a statement; docs/search.md). PL/pgSQL plans the expression once
-- per connection. Letting PostgreSQL inline it instead (dropping STRICT)
-- saved as much on writes but made every search ~3 ms slower: each query
-- then plans the whole expanded expression and matches it against the
-- index's.
--
-- Same result for every input (compared on 26,000 documents at 1,000,000
-- tickets), so the index stays valid and nothing is rebuilt; the
-- function's name, arguments and flags are as before (migration 0004).
CREATE OR REPLACE FUNCTION search_vector(terms text) RETURNS tsvector
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
BEGIN
    RETURN array_to_tsvector(array_remove(array_remove(array_remove(string_to_array(
        search_field(translate(split_part(terms, chr(1), 1), chr(10), ' ')) || ' ' ||
        search_field(translate(split_part(terms, chr(1), 2), chr(10), ' ')) || ' ' ||
        replace(' ' || search_field(translate(split_part(terms, chr(1), 3), chr(10), ' ')), ' ', ' ' || U&'\E001') || ' ' ||
        search_field(translate(split_part(terms, chr(1), 4), chr(10), ' ')) || ' ' ||
        replace(' ' || search_field(translate(split_part(terms, chr(1), 4), chr(10), ' ')), ' ', ' ' || U&'\E002') || ' ' ||
        split_part(terms, chr(1), 5),
        ' '), ''), U&'\E001'), U&'\E002'));
END
$$;
