-- V003 / V005: null counts and ranges of the columns the previous profile measured, in one
-- pass (a random sample of about :sample_fraction of the rows on large tables).
SELECT COUNT(*) AS sample_rows{{ column_aggregates }}
FROM {{ table }}
WHERE RANDOM() < CAST(:sample_fraction AS FLOAT)
