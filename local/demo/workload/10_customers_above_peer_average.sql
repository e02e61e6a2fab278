-- anti-patterns: Q012
-- Customers of a nation and segment whose balance beats their peer group's average, with a
-- correlated subquery evaluated once per customer.
SELECT
    c.c_custkey,
    c.c_name,
    c.c_acctbal
FROM tpch.customer AS c
WHERE c.c_nationkey = %(nation)s
  AND c.c_mktsegment = %(segment)s
  AND c.c_acctbal > (
      SELECT AVG(peer.c_acctbal)
      FROM tpch.customer AS peer
      WHERE peer.c_nationkey = c.c_nationkey
        AND peer.c_mktsegment = c.c_mktsegment
  )
ORDER BY c.c_acctbal DESC
LIMIT 20;
