-- The 25 TPC-H nations and their regions (TPC-H 4.2.3). Random streams 200-299.
INSERT INTO tpch.nation (n_nationkey, n_name, n_regionkey, n_comment)
SELECT n.key, n.name, n.region, pg_temp.words(n.key, 200, pg_temp.rand(n.key, 201, 31, 114)::integer)
FROM (VALUES
    (0, 'ALGERIA', 0), (1, 'ARGENTINA', 1), (2, 'BRAZIL', 1), (3, 'CANADA', 1),
    (4, 'EGYPT', 4), (5, 'ETHIOPIA', 0), (6, 'FRANCE', 3), (7, 'GERMANY', 3),
    (8, 'INDIA', 2), (9, 'INDONESIA', 2), (10, 'IRAN', 4), (11, 'IRAQ', 4),
    (12, 'JAPAN', 2), (13, 'JORDAN', 4), (14, 'KENYA', 0), (15, 'MOROCCO', 0),
    (16, 'MOZAMBIQUE', 0), (17, 'PERU', 1), (18, 'CHINA', 2), (19, 'ROMANIA', 3),
    (20, 'SAUDI ARABIA', 4), (21, 'VIETNAM', 2), (22, 'RUSSIA', 3), (23, 'UNITED KINGDOM', 3),
    (24, 'UNITED STATES', 1)
) AS n (key, name, region)
ORDER BY n.key
