-- V004: the newest value of the table's freshness column.
SELECT CAST(MAX({{ column }}) AS VARCHAR(64)) AS newest, COUNT(*) AS row_count
FROM {{ table }}
