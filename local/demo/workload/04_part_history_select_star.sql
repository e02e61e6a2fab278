-- anti-patterns: Q001 Q010
-- The part-history screen: every column of every line of one part, filtered on l_partkey,
-- which is not lineitem's sort key, so the whole table is read to find a few dozen rows.
SELECT *
FROM tpch.lineitem
WHERE l_partkey = %(partkey)s
ORDER BY l_shipdate, l_orderkey;
