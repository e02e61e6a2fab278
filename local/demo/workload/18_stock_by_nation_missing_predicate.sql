-- anti-patterns: Q002
-- Stock per nation of one region, in old comma-join style, where the predicate linking
-- nation to region was forgotten: region is joined to everything (cartesian), so the region
-- filter has no effect and every nation is reported.
SELECT
    n.n_name,
    COUNT(DISTINCT s.s_suppkey) AS suppliers,
    SUM(ps.ps_availqty) AS units_in_stock
FROM tpch.partsupp AS ps, tpch.supplier AS s, tpch.nation AS n, tpch.region AS r
WHERE ps.ps_suppkey = s.s_suppkey
  AND s.s_nationkey = n.n_nationkey
  AND r.r_name = %(region)s
GROUP BY n.n_name
ORDER BY n.n_name;
