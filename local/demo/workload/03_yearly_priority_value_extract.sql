-- anti-patterns: Q003 Q008 Q011
-- Orders and value by priority for one year: the year is extracted from the sort key column,
-- orders are counted exactly with COUNT(DISTINCT), and lineitem and orders are joined on
-- l_orderkey / o_orderkey, the dist key of neither.
SELECT
    o.o_orderpriority,
    COUNT(DISTINCT o.o_orderkey) AS order_count,
    SUM(l.l_extendedprice * (1 - l.l_discount)) AS revenue
FROM tpch.orders AS o
JOIN tpch.lineitem AS l ON l.l_orderkey = o.o_orderkey
WHERE EXTRACT(YEAR FROM o.o_orderdate) = %(year)s
GROUP BY o.o_orderpriority
ORDER BY o.o_orderpriority;
