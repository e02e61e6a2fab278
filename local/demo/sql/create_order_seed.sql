-- What lineitem and orders both need to know about each order, drawn once.
-- Random streams 700-799 belong to orders.
CREATE TEMPORARY TABLE order_seed ON COMMIT DROP AS
SELECT
    o.key AS orderkey,
    -- Only customers whose key is not a multiple of three place orders (TPC-H 4.2.3): the
    -- k-th such key is 3 * (k / 2) + mod(k, 2) + 1.
    3 * (c.k / 2) + mod(c.k, 2) + 1 AS custkey,
    -- 1992-01-01 to 1998-08-02, so that every line ships and arrives by the end of 1998.
    DATE '1992-01-01' + pg_temp.rand(o.key, 701, 0, 2405)::integer AS orderdate,
    pg_temp.lines_in_order(o.key) AS line_count
FROM generate_series(1, %(orders)s) AS o (key)
CROSS JOIN LATERAL (SELECT pg_temp.rand(o.key, 700, 0, %(customers)s * 2 / 3 - 1) AS k) AS c
