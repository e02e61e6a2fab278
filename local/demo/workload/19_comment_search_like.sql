-- anti-patterns: Q004
-- Lines of a quarter whose free-text comment mentions a phrase: a pattern with a leading
-- wildcard cannot use zone maps and is matched against every row.
SELECT
    l_shipmode,
    COUNT(*) AS line_count,
    SUM(l_extendedprice) AS value
FROM tpch.lineitem
WHERE l_shipdate >= DATE %(start)s
  AND l_shipdate < DATE %(end)s
  AND l_comment LIKE %(pattern)s
GROUP BY l_shipmode
ORDER BY l_shipmode;
