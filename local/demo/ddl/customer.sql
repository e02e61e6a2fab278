-- tpch.customer: 150,000 x SF rows; only two customers in three ever order (TPC-H 4.2.3).
-- Design: distributed on c_custkey, the join column to orders, and sorted on the market
-- segment that the marketing reports filter on, then the key.
-- Deliberate flaw: the leading sort key column c_mktsegment is BYTEDICT-compressed (T005):
-- a compressed first sort key column makes Redshift read more blocks per range-restricted
-- scan than the raw column would. At the demo's scales the table is also small enough that
-- DISTSTYLE ALL would serve its joins better (T003). The demo workload filters customer on
-- c_nationkey more often than on c_mktsegment (T013 once the table counts as large).
CREATE TABLE tpch.customer (
    c_custkey    INTEGER       NOT NULL ENCODE az64,
    c_name       VARCHAR(25)   NOT NULL ENCODE zstd,
    c_address    VARCHAR(40)   NOT NULL ENCODE zstd,
    c_nationkey  INTEGER       NOT NULL ENCODE az64,
    c_phone      CHAR(15)      NOT NULL ENCODE zstd,
    c_acctbal    DECIMAL(15,2) NOT NULL ENCODE az64,
    c_mktsegment CHAR(10)      NOT NULL ENCODE bytedict,
    c_comment    VARCHAR(117)  NOT NULL ENCODE zstd,
    PRIMARY KEY (c_custkey)
)
DISTSTYLE KEY
DISTKEY (c_custkey)
COMPOUND SORTKEY (c_mktsegment, c_custkey);
