-- tpch.supplier: 10,000 x SF rows.
-- Design: sensible placement (DISTSTYLE ALL: small, joined to partsupp and lineitem on
-- s_suppkey, which no large table is distributed on).
-- Deliberate flaw: s_comment was declared VARCHAR(MAX) (65,535 bytes, a common default of
-- migration tools) although no comment is longer than 101 characters (T008). Redshift sizes
-- intermediate results by the declared width, so this costs memory in every query reading it.
-- Its nightly refresh deletes and re-inserts every row, with no VACUUM or ANALYZE after it; the
-- loader replays one such refresh, so half the stored rows are deleted ones (T011) and the
-- statistics predate the change (T006).
CREATE TABLE tpch.supplier (
    s_suppkey   INTEGER       NOT NULL ENCODE raw,
    s_name      CHAR(25)      NOT NULL ENCODE zstd,
    s_address   VARCHAR(40)   NOT NULL ENCODE zstd,
    s_nationkey INTEGER       NOT NULL ENCODE az64,
    s_phone     CHAR(15)      NOT NULL ENCODE zstd,
    s_acctbal   DECIMAL(15,2) NOT NULL ENCODE az64,
    s_comment   VARCHAR(MAX)  NOT NULL ENCODE zstd,
    PRIMARY KEY (s_suppkey)
)
DISTSTYLE ALL
COMPOUND SORTKEY (s_suppkey);
