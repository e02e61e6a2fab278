-- tpch.region: 5 rows, joined by every geography question.
-- Design: the reference small dimension. DISTSTYLE ALL keeps a copy on every node, so no join
-- to it moves data; the sort key column stays RAW (zone maps need the raw values) and every
-- other column is compressed. Expected on the demo: no T finding.
CREATE TABLE tpch.region (
    r_regionkey INTEGER      NOT NULL ENCODE raw,
    r_name      CHAR(25)     NOT NULL ENCODE bytedict,
    r_comment   VARCHAR(152)          ENCODE zstd,
    PRIMARY KEY (r_regionkey)
)
DISTSTYLE ALL
COMPOUND SORTKEY (r_regionkey);
