-- tpch.part: 200,000 x SF rows.
-- Design: distributed on p_partkey, the same dist key as partsupp, so part-partsupp joins are
-- co-located. The first sort key column stays RAW and every other column is compressed.
-- Deliberate flaw: an INTERLEAVED sort key over brand, container and size (T010), chosen
-- because the catalogue screens filter on any of the three. Interleaved keys need expensive
-- VACUUM REINDEX runs and rarely beat a compound key on a table this size. The rows are stored
-- in key order, as after many small appends, so the table also reads as unsorted (T007).
-- sqlglot returns INTERLEAVED SORTKEY as an opaque Command: the loader reads it with a regex.
CREATE TABLE tpch.part (
    p_partkey     INTEGER       NOT NULL ENCODE az64,
    p_name        VARCHAR(55)   NOT NULL ENCODE zstd,
    p_mfgr        CHAR(25)      NOT NULL ENCODE bytedict,
    p_brand       CHAR(10)      NOT NULL ENCODE raw,
    p_type        VARCHAR(25)   NOT NULL ENCODE bytedict,
    p_size        INTEGER       NOT NULL ENCODE az64,
    p_container   CHAR(10)      NOT NULL ENCODE bytedict,
    p_retailprice DECIMAL(15,2) NOT NULL ENCODE az64,
    p_comment     VARCHAR(23)   NOT NULL ENCODE zstd,
    PRIMARY KEY (p_partkey)
)
DISTSTYLE KEY
DISTKEY (p_partkey)
INTERLEAVED SORTKEY (p_brand, p_container, p_size);
