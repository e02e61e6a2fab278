-- anti-patterns: Q015
-- Customers a supplier of a nation could serve locally: same nation, or the same phone country
-- code for records whose nation is stale. The OR in the join condition rules out a hash join.
SELECT
    s.s_suppkey,
    s.s_name,
    COUNT(*) AS local_customers
FROM tpch.supplier AS s
JOIN tpch.customer AS c
    ON c.c_nationkey = s.s_nationkey
    OR SUBSTRING(c.c_phone FROM 1 FOR 2) = SUBSTRING(s.s_phone FROM 1 FOR 2)
WHERE s.s_nationkey = %(nation)s
  AND c.c_mktsegment = %(segment)s
GROUP BY s.s_suppkey, s.s_name
ORDER BY local_customers DESC, s.s_suppkey
LIMIT 10;
