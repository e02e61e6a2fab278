-- anti-patterns: Q009 Q017
-- "Show me some suppliers' revenue": the whole fact table is aggregated, then an arbitrary
-- handful of groups is returned (LIMIT without ORDER BY).
SELECT
    l_suppkey,
    SUM(l_extendedprice) AS gross_revenue
FROM tpch.lineitem
GROUP BY l_suppkey
LIMIT %(rows)s;
