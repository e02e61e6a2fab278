-- anti-patterns: Q003
-- Pricing summary of one month, with the month picked by truncating the sort key column, so no
-- block can be skipped.
SELECT
    l_returnflag,
    l_linestatus,
    SUM(l_quantity) AS sum_qty,
    SUM(l_extendedprice * (1 - l_discount)) AS sum_disc_price,
    AVG(l_discount) AS avg_disc,
    COUNT(*) AS count_order
FROM tpch.lineitem
WHERE DATE_TRUNC('month', l_shipdate) = DATE %(month)s
GROUP BY l_returnflag, l_linestatus
ORDER BY l_returnflag, l_linestatus;
