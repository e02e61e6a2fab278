-- Order-independent of the heap: rows are sorted by their text before hashing.
SELECT count(*) AS row_count, md5(string_agg(t::text, E'\n' ORDER BY t::text)) AS checksum
FROM {table} AS t
