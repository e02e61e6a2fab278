-- clean
-- The ten customers with the highest order value in a quarter: a sort key range, an
-- equi-join to a small table, named columns, ORDER BY with LIMIT.
SELECT
    c.c_custkey,
    c.c_name,
    COUNT(*) AS order_count,
    SUM(o.o_totalprice) AS order_value
FROM tpch.orders AS o
JOIN tpch.customer AS c ON c.c_custkey = o.o_custkey
WHERE o.o_orderdate >= DATE %(start)s
  AND o.o_orderdate < DATE %(end)s
GROUP BY c.c_custkey, c.c_name
ORDER BY order_value DESC, c.c_custkey
LIMIT 10;
