-- clean
-- Suppliers within ten percent of the best revenue of a quarter: the CTE, an aggregate, is referenced twice and reused (no finding).
WITH supplier_revenue AS (
    SELECT l_suppkey, SUM(l_extendedprice * (1 - l_discount)) AS revenue
    FROM tpch.lineitem
    WHERE l_shipdate >= DATE %(start)s
      AND l_shipdate < DATE %(end)s
    GROUP BY l_suppkey
)
SELECT s.s_suppkey, s.s_name, r.revenue
FROM supplier_revenue AS r
JOIN tpch.supplier AS s ON s.s_suppkey = r.l_suppkey
WHERE r.revenue >= (SELECT 0.9 * MAX(revenue) FROM supplier_revenue)
ORDER BY r.revenue DESC;
