-- anti-patterns: Q013
-- Suppliers who share orders with another supplier in a quarter: the CTE returns lineitem's rows unaggregated and is referenced twice.
WITH quarter_lines AS (
    SELECT l_orderkey, l_suppkey, l_extendedprice * (1 - l_discount) AS revenue
    FROM tpch.lineitem
    WHERE l_shipdate >= DATE %(start)s
      AND l_shipdate < DATE %(end)s
)
SELECT s.s_suppkey, s.s_name, SUM(mine.revenue) AS shared_order_revenue
FROM quarter_lines AS mine
JOIN tpch.supplier AS s ON s.s_suppkey = mine.l_suppkey
WHERE EXISTS (SELECT 1 FROM quarter_lines AS other
              WHERE other.l_orderkey = mine.l_orderkey AND other.l_suppkey <> mine.l_suppkey)
GROUP BY s.s_suppkey, s.s_name
ORDER BY shared_order_revenue DESC, s.s_suppkey;
