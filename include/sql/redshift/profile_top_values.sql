-- The most frequent values of a table's low-cardinality columns, one pass for all of them:
-- GROUPING(col) = 0 marks the rows that count values of that column.
SELECT {{ grouping_columns }}, COUNT(*) AS value_count
FROM {{ table }}
WHERE RANDOM() < CAST(:sample_fraction AS FLOAT)
GROUP BY GROUPING SETS ({{ grouping_sets }})
