-- Four suppliers per part, a quarter of the supplier range apart, so that the supplier of
-- every lineitem can be one of its part's suppliers. TPC-H's formula (4.2.3) adds a spreading
-- term (ps_partkey - 1) / S to the step, which repeats a supplier below about SF 0.025.
-- Random streams 600-699.
INSERT INTO tpch.partsupp (ps_partkey, ps_suppkey, ps_availqty, ps_supplycost, ps_comment)
SELECT
    p.key,
    mod(p.key + s.slot * (%(suppliers)s / 4), %(suppliers)s) + 1,
    pg_temp.rand(p.key * 4 + s.slot, 600, 1, 9999)::integer,
    pg_temp.rand(p.key * 4 + s.slot, 601, 100, 100000) / 100.0,
    left(pg_temp.words(p.key * 4 + s.slot, 602, 90) || ' ' || pg_temp.words(p.key * 4 + s.slot, 603, 90)
             || ' ' || pg_temp.words(p.key * 4 + s.slot, 604, 90),
         pg_temp.rand(p.key * 4 + s.slot, 605, 49, 198)::integer)
FROM generate_series(1, %(parts)s) AS p (key)
CROSS JOIN generate_series(0, 3) AS s (slot)
ORDER BY p.key, s.slot
