-- The five TPC-H regions. Random streams 100-199 belong to region.
INSERT INTO tpch.region (r_regionkey, r_name, r_comment)
SELECT r.key, r.name, pg_temp.words(r.key, 100, pg_temp.rand(r.key, 101, 31, 115)::integer)
FROM (VALUES (0, 'AFRICA'), (1, 'AMERICA'), (2, 'ASIA'), (3, 'EUROPE'), (4, 'MIDDLE EAST'))
    AS r (key, name)
ORDER BY r.key
