-- V001 / V006 for one ETL load: the rows the load wrote (its load-id column) and the
-- manifest's checksum aggregates over them. Only aggregates come back.
SELECT COUNT(*) AS row_count{{ aggregates }}
FROM {{ table }}
WHERE CAST({{ load_column }} AS VARCHAR(256)) = :load_id
