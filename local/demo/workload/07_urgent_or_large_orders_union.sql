-- anti-patterns: Q006 Q018
-- The day's orders to watch: urgent ones and very large ones. UNION removes duplicates with a
-- sort, and orders is read twice for branches that differ only in their filter.
SELECT o_orderkey, o_custkey, o_totalprice, o_orderpriority
FROM tpch.orders
WHERE o_orderdate = DATE %(day)s
  AND o_orderpriority = '1-URGENT'
UNION
SELECT o_orderkey, o_custkey, o_totalprice, o_orderpriority
FROM tpch.orders
WHERE o_orderdate = DATE %(day)s
  AND o_totalprice > %(min_total)s
ORDER BY o_totalprice DESC;
