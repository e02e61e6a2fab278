-- The customers, physically ordered by the sort key. Random streams 400-499.
INSERT INTO tpch.customer (c_custkey, c_name, c_address, c_nationkey, c_phone, c_acctbal, c_mktsegment, c_comment)
SELECT
    c.key,
    'Customer#' || lpad(c.key::text, 9, '0'),
    left(md5(c.key::text || ':address') || md5(c.key::text || ':street'), pg_temp.rand(c.key, 401, 10, 40)::integer),
    a.nationkey,
    (a.nationkey + 10)::text || '-' || pg_temp.rand(c.key, 403, 100, 999)::text || '-'
        || pg_temp.rand(c.key, 404, 100, 999)::text || '-' || pg_temp.rand(c.key, 405, 1000, 9999)::text,
    pg_temp.rand(c.key, 406, -99999, 999999) / 100.0,
    a.segment,
    left(pg_temp.words(c.key, 408, 90) || ' ' || pg_temp.words(c.key, 409, 90), pg_temp.rand(c.key, 410, 29, 116)::integer)
FROM generate_series(1, %(customers)s) AS c (key)
CROSS JOIN LATERAL (
    SELECT pg_temp.rand(c.key, 402, 0, 24)::integer AS nationkey,
           pg_temp.pick(c.key, 407, ARRAY['AUTOMOBILE', 'BUILDING', 'FURNITURE', 'MACHINERY', 'HOUSEHOLD']) AS segment
) AS a
ORDER BY a.segment, c.key
