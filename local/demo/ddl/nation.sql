-- tpch.nation: 25 rows, joined to supplier and customer by most reports.
-- Deliberate flaws: DISTSTYLE EVEN on a 25-row dimension that every supplier and customer
-- query joins, so each join redistributes or broadcasts it (T003: should be ALL), and no
-- declared primary key (T014), as happens when a table is created by hand in a hurry.
CREATE TABLE tpch.nation (
    n_nationkey INTEGER      NOT NULL ENCODE raw,
    n_name      CHAR(25)     NOT NULL ENCODE bytedict,
    n_regionkey INTEGER      NOT NULL ENCODE az64,
    n_comment   VARCHAR(152)          ENCODE zstd
)
DISTSTYLE EVEN
COMPOUND SORTKEY (n_nationkey);
