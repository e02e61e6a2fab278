-- anti-patterns: Q016
-- Large-quantity lines of a week for one ship mode. The BI tool sends the quantity as a
-- string, so a DECIMAL column is compared with a character literal.
SELECT
    l_orderkey,
    l_linenumber,
    l_partkey,
    l_quantity,
    l_extendedprice
FROM tpch.lineitem
WHERE l_shipdate >= DATE %(start)s
  AND l_shipdate < DATE %(end)s
  AND l_shipmode = %(shipmode)s
  AND l_quantity >= %(min_quantity)s
ORDER BY l_extendedprice DESC;
