-- anti-patterns: Q005
-- Customers of a nation with no order since a date, per market segment, written with NOT IN.
SELECT
    c_mktsegment,
    COUNT(*) AS idle_customers
FROM tpch.customer
WHERE c_nationkey = %(nation)s
  AND c_custkey NOT IN (
      SELECT o_custkey
      FROM tpch.orders
      WHERE o_orderdate >= DATE %(since)s
  )
GROUP BY c_mktsegment
ORDER BY c_mktsegment;
