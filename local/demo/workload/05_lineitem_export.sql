-- clean
-- The nightly export to the data science team: over a million rows returned to the client
-- (C005: large result extraction; UNLOAD to S3 is the better tool).
SELECT
    l_orderkey,
    l_linenumber,
    l_shipdate,
    l_quantity,
    l_extendedprice
FROM tpch.lineitem
WHERE l_shipdate >= DATE %(since)s;
