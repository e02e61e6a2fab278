-- anti-patterns: Q007
-- Top brands by revenue over a quarter. The derived table is sorted although the outer query
-- groups it again: the inner ORDER BY is wasted work.
SELECT
    p.p_brand,
    SUM(r.revenue) AS revenue
FROM (
    SELECT l_partkey, SUM(l_extendedprice * (1 - l_discount)) AS revenue
    FROM tpch.lineitem
    WHERE l_shipdate >= DATE %(start)s
      AND l_shipdate < DATE %(end)s
    GROUP BY l_partkey
    ORDER BY revenue DESC
) AS r
JOIN tpch.part AS p ON p.p_partkey = r.l_partkey
GROUP BY p.p_brand
ORDER BY revenue DESC
LIMIT 10;
