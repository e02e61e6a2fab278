-- One row per order of order_seed; status and total price follow from its lines, as in TPC-H
-- (4.2.3), and the extra o_salesrep_id is NULL for the about 35 in 100 orders placed on the web.
-- Random streams 700-799.
INSERT INTO tpch.orders (
    o_orderkey, o_custkey, o_orderstatus, o_totalprice, o_orderdate, o_orderpriority, o_clerk,
    o_shippriority, o_comment, o_salesrep_id)
SELECT
    s.orderkey,
    s.custkey,
    CASE WHEN l.open_lines = 0 THEN 'F' WHEN l.open_lines = l.lines THEN 'O' ELSE 'P' END,
    l.totalprice,
    s.orderdate,
    pg_temp.pick(s.orderkey, 702, ARRAY['1-URGENT', '2-HIGH', '3-MEDIUM', '4-NOT SPECIFIED', '5-LOW']),
    'Clerk#' || lpad(pg_temp.rand(s.orderkey, 703, 1, %(clerks)s)::text, 9, '0'),
    0,
    pg_temp.words(s.orderkey, 704, pg_temp.rand(s.orderkey, 705, 19, 78)::integer),
    CASE WHEN pg_temp.rand(s.orderkey, 706, 1, 100) <= 35 THEN NULL
         ELSE pg_temp.rand(s.orderkey, 707, 1, %(sales_reps)s)::integer
    END
FROM order_seed AS s
JOIN (
    SELECT l_orderkey,
           count(*) AS lines,
           count(*) FILTER (WHERE l_linestatus = 'O') AS open_lines,
           sum(l_extendedprice * (1 + l_tax) * (1 - l_discount)) AS totalprice
    FROM tpch.lineitem
    GROUP BY l_orderkey
) AS l ON l.l_orderkey = s.orderkey
ORDER BY s.orderdate, s.orderkey
