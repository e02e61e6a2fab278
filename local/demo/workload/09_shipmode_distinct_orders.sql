-- anti-patterns: Q008
-- Distinct orders and suppliers per ship mode over a year: exact COUNT(DISTINCT) on the
-- fact table where an approximate count would do.
SELECT
    l_shipmode,
    COUNT(DISTINCT l_orderkey) AS orders,
    COUNT(DISTINCT l_suppkey) AS suppliers
FROM tpch.lineitem
WHERE l_shipdate >= DATE %(start)s
  AND l_shipdate < DATE %(end)s
GROUP BY l_shipmode
ORDER BY l_shipmode;
