-- One aggregate pass over one table for every profiled column (one column fragment each).
-- Only aggregates leave the warehouse. Above the configured row count the pass reads a
-- random sample of about :sample_fraction of the rows.
SELECT COUNT(*) AS sample_rows{{ column_aggregates }}
FROM {{ table }}
WHERE RANDOM() < CAST(:sample_fraction AS FLOAT)
