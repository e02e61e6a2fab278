-- anti-patterns: Q008 Q011
-- Distinct orders and customers per ship mode over a year: exact COUNT(DISTINCT) on the fact
-- table where an approximate count would do, and a join on l_orderkey / o_orderkey, the dist
-- key of neither table.
SELECT
    l.l_shipmode,
    COUNT(DISTINCT l.l_orderkey) AS orders,
    COUNT(DISTINCT o.o_custkey) AS customers
FROM tpch.lineitem AS l
JOIN tpch.orders AS o ON o.o_orderkey = l.l_orderkey
WHERE l.l_shipdate >= DATE %(start)s
  AND l.l_shipdate < DATE %(end)s
GROUP BY l.l_shipmode
ORDER BY l.l_shipmode;
