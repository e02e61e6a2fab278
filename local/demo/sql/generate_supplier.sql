-- The suppliers, physically ordered by the sort key. Random streams 300-399.
-- About one supplier in 200 has a comment mentioning customer complaints, which TPC-H Q16
-- looks for (dbgen plants them the same way).
INSERT INTO tpch.supplier (s_suppkey, s_name, s_address, s_nationkey, s_phone, s_acctbal, s_comment)
SELECT
    s.key,
    'Supplier#' || lpad(s.key::text, 9, '0'),
    left(md5(s.key::text || ':address') || md5(s.key::text || ':street'), pg_temp.rand(s.key, 301, 10, 40)::integer),
    a.nationkey,
    (a.nationkey + 10)::text || '-' || pg_temp.rand(s.key, 303, 100, 999)::text || '-'
        || pg_temp.rand(s.key, 304, 100, 999)::text || '-' || pg_temp.rand(s.key, 305, 1000, 9999)::text,
    pg_temp.rand(s.key, 306, -99999, 999999) / 100.0,
    left(CASE pg_temp.rand(s.key, 307, 1, 200)
             WHEN 1 THEN pg_temp.words(s.key, 308, 30) || ' Customer ' || pg_temp.words(s.key, 309, 20) || ' Complaints'
             WHEN 2 THEN pg_temp.words(s.key, 308, 30) || ' Customer ' || pg_temp.words(s.key, 309, 20) || ' Recommends'
             ELSE pg_temp.words(s.key, 308, pg_temp.rand(s.key, 310, 25, 100)::integer)
         END, 100)
FROM generate_series(1, %(suppliers)s) AS s (key)
CROSS JOIN LATERAL (SELECT pg_temp.rand(s.key, 302, 0, 24)::integer AS nationkey) AS a
ORDER BY s.key
