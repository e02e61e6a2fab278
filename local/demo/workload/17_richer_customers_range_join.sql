-- anti-patterns: Q019
-- For each supplier, the customers of a nation whose balance is just above the supplier's:
-- a join on inequalities only, so every pair is compared (nested loop).
SELECT
    s.s_suppkey,
    s.s_name,
    COUNT(*) AS close_customers
FROM tpch.supplier AS s
JOIN tpch.customer AS c
    ON c.c_acctbal > s.s_acctbal
    AND c.c_acctbal < s.s_acctbal + %(band)s
WHERE c.c_nationkey = %(nation)s
GROUP BY s.s_suppkey, s.s_name
ORDER BY close_customers DESC, s.s_suppkey
LIMIT 20;
