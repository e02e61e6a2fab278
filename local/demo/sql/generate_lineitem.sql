-- 1 to 7 lines per order of order_seed, with TPC-H's date, flag and price rules (4.2.3),
-- physically ordered by the sort key. Random streams 800-899.
INSERT INTO tpch.lineitem (
    l_orderkey, l_partkey, l_suppkey, l_linenumber, l_quantity, l_extendedprice, l_discount,
    l_tax, l_returnflag, l_linestatus, l_shipdate, l_commitdate, l_receiptdate, l_shipinstruct,
    l_shipmode, l_comment)
SELECT
    s.orderkey,
    d.partkey,
    -- One of the part's four suppliers, by the formula that generate_partsupp uses.
    mod(d.partkey + d.slot * (%(suppliers)s / 4), %(suppliers)s) + 1,
    n.linenumber,
    d.quantity,
    d.quantity * p.p_retailprice,
    pg_temp.rand(d.k, 804, 0, 10) / 100.0,
    pg_temp.rand(d.k, 805, 0, 8) / 100.0,
    -- TPC-H's "current date" is 1995-06-17: lines received by then are returned (R) or
    -- accepted (A), later ones not yet (N); lines shipped after it are still open (O).
    CASE WHEN d.receiptdate <= DATE '1995-06-17' THEN pg_temp.pick(d.k, 806, ARRAY['R', 'A']) ELSE 'N' END,
    CASE WHEN d.shipdate > DATE '1995-06-17' THEN 'O' ELSE 'F' END,
    d.shipdate,
    s.orderdate + pg_temp.rand(d.k, 807, 30, 90)::integer,
    d.receiptdate,
    pg_temp.pick(d.k, 808, ARRAY['DELIVER IN PERSON', 'COLLECT COD', 'NONE', 'TAKE BACK RETURN']),
    pg_temp.pick(d.k, 809, ARRAY['REG AIR', 'AIR', 'RAIL', 'SHIP', 'TRUCK', 'MAIL', 'FOB']),
    pg_temp.words(d.k, 810, pg_temp.rand(d.k, 811, 10, 43)::integer)
FROM order_seed AS s
CROSS JOIN LATERAL generate_series(1, s.line_count) AS n (linenumber)
CROSS JOIN LATERAL (
    SELECT k,
           pg_temp.rand(k, 801, 1, %(parts)s) AS partkey,
           pg_temp.rand(k, 802, 0, 3) AS slot,
           pg_temp.rand(k, 803, 1, 50)::numeric AS quantity,
           shipdate,
           shipdate + pg_temp.rand(k, 812, 1, 30)::integer AS receiptdate
    FROM (SELECT s.orderkey * 8 + n.linenumber AS k) AS line_key
    CROSS JOIN LATERAL (SELECT s.orderdate + pg_temp.rand(k, 813, 1, 121)::integer AS shipdate) AS ship
) AS d
JOIN tpch.part AS p ON p.p_partkey = d.partkey
ORDER BY d.shipdate, s.orderkey, n.linenumber
