-- clean
-- Revenue by ship mode over a quarter: a range on the bare sort key, a small grouped result.
SELECT
    l_shipmode,
    COUNT(*) AS line_count,
    SUM(l_extendedprice * (1 - l_discount)) AS revenue
FROM tpch.lineitem
WHERE l_shipdate >= DATE %(start)s
  AND l_shipdate < DATE %(end)s
GROUP BY l_shipmode
ORDER BY revenue DESC;
