-- tpch.orders: 1,500,000 x SF rows, plus one column TPC-H does not have: o_salesrep_id, the
-- sales representative credited with the order, NULL for web orders (about 35% of rows).
-- Design: sorted on o_orderdate, the filter of nearly every report; the sort key column RAW.
-- Deliberate flaw: distributed on o_salesrep_id, because the commission report groups by it.
-- Every NULL lands on the same slice (T015, and T002 where skew is measured), and the joins
-- to lineitem and customer on o_orderkey / o_custkey are never co-located (T012 and Q011 once
-- the table counts as large: from SF 0.34 with the demo's 500,000-row threshold).
-- lineitem is deliberately not co-located with orders either (see lineitem.sql).
CREATE TABLE tpch.orders (
    o_orderkey      BIGINT        NOT NULL ENCODE az64,
    o_custkey       INTEGER       NOT NULL ENCODE az64,
    o_orderstatus   CHAR(1)       NOT NULL ENCODE bytedict,
    o_totalprice    DECIMAL(15,2) NOT NULL ENCODE az64,
    o_orderdate     DATE          NOT NULL ENCODE raw,
    o_orderpriority CHAR(15)      NOT NULL ENCODE bytedict,
    o_clerk         CHAR(15)      NOT NULL ENCODE zstd,
    o_shippriority  INTEGER       NOT NULL ENCODE az64,
    o_comment       VARCHAR(79)   NOT NULL ENCODE zstd,
    o_salesrep_id   INTEGER                ENCODE az64,
    PRIMARY KEY (o_orderkey)
)
DISTSTYLE KEY
DISTKEY (o_salesrep_id)
COMPOUND SORTKEY (o_orderdate);
