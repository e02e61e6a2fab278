-- anti-patterns: Q014
-- Orders of well-funded customers per nation and segment since a date. GROUP BY already
-- makes the rows unique, so DISTINCT only adds a step.
SELECT DISTINCT
    n.n_name,
    c.c_mktsegment,
    COUNT(*) AS order_count,
    SUM(o.o_totalprice) AS order_value
FROM tpch.orders AS o
JOIN tpch.customer AS c ON c.c_custkey = o.o_custkey
JOIN tpch.nation AS n ON n.n_nationkey = c.c_nationkey
WHERE c.c_acctbal > %(min_balance)s
  AND o.o_orderdate >= DATE %(since)s
GROUP BY n.n_name, c.c_mktsegment
ORDER BY n.n_name, c.c_mktsegment;
