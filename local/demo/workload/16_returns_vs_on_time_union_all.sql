-- anti-patterns: Q018
-- Returned lines and on-time lines of a quarter, one UNION ALL branch each: the fact table is
-- scanned twice where one pass with conditional aggregation would do.
SELECT 'returned' AS kind, COUNT(*) AS line_count, SUM(l_extendedprice) AS value
FROM tpch.lineitem
WHERE l_shipdate >= DATE %(start)s
  AND l_shipdate < DATE %(end)s
  AND l_returnflag = 'R'
UNION ALL
SELECT 'on time' AS kind, COUNT(*) AS line_count, SUM(l_extendedprice) AS value
FROM tpch.lineitem
WHERE l_shipdate >= DATE %(start)s
  AND l_shipdate < DATE %(end)s
  AND l_receiptdate <= l_commitdate;
