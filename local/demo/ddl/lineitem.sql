-- tpch.lineitem: about 6,000,000 x SF rows (1 to 7 lines per order), the fact table.
-- Design: sorted on l_shipdate (the date the revenue reports filter on), sort key column RAW,
-- every other column compressed, composite primary key declared.
-- Deliberate flaw: distributed on l_shipdate (T009). It spreads rows evenly, but a report on
-- one month reads from the few slices holding those dates, and the join to orders on
-- l_orderkey, the most frequent join of the workload, always moves data (T012, Q011).
-- The sensible design is DISTKEY (l_orderkey) here and DISTKEY (o_orderkey) on orders.
CREATE TABLE tpch.lineitem (
    l_orderkey      BIGINT        NOT NULL ENCODE az64,
    l_partkey       INTEGER       NOT NULL ENCODE az64,
    l_suppkey       INTEGER       NOT NULL ENCODE az64,
    l_linenumber    INTEGER       NOT NULL ENCODE az64,
    l_quantity      DECIMAL(15,2) NOT NULL ENCODE az64,
    l_extendedprice DECIMAL(15,2) NOT NULL ENCODE az64,
    l_discount      DECIMAL(15,2) NOT NULL ENCODE az64,
    l_tax           DECIMAL(15,2) NOT NULL ENCODE az64,
    l_returnflag    CHAR(1)       NOT NULL ENCODE bytedict,
    l_linestatus    CHAR(1)       NOT NULL ENCODE runlength,
    l_shipdate      DATE          NOT NULL ENCODE raw,
    l_commitdate    DATE          NOT NULL ENCODE az64,
    l_receiptdate   DATE          NOT NULL ENCODE az64,
    l_shipinstruct  CHAR(25)      NOT NULL ENCODE bytedict,
    l_shipmode      CHAR(10)      NOT NULL ENCODE bytedict,
    l_comment       VARCHAR(44)   NOT NULL ENCODE zstd,
    PRIMARY KEY (l_orderkey, l_linenumber)
)
DISTSTYLE KEY
DISTKEY (l_shipdate)
SORTKEY (l_shipdate);
