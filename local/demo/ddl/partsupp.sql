-- tpch.partsupp: 800,000 x SF rows, four suppliers per part.
-- Design: distributed on ps_partkey, co-located with part.
-- Deliberate flaws, as a table copied over from an older cluster would carry: no sort key
-- at all (T001 once the table reaches the rule's row threshold: 5,000,000 rows by default,
-- i.e. SF >= 6.25, or a lowered threshold on the demo) and only one column in five
-- compressed (T004: under 80% encoded).
CREATE TABLE tpch.partsupp (
    ps_partkey    INTEGER       NOT NULL ENCODE raw,
    ps_suppkey    INTEGER       NOT NULL ENCODE raw,
    ps_availqty   INTEGER       NOT NULL ENCODE raw,
    ps_supplycost DECIMAL(15,2) NOT NULL ENCODE raw,
    ps_comment    VARCHAR(199)  NOT NULL ENCODE zstd,
    PRIMARY KEY (ps_partkey, ps_suppkey)
)
DISTSTYLE KEY
DISTKEY (ps_partkey);
