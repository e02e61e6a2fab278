-- V001 / V006 when the table has no load-id column: the whole table's row count and the
-- manifest's checksum aggregates (one fragment per checksum). Only aggregates come back.
SELECT COUNT(*) AS row_count{{ aggregates }}
FROM {{ table }}
