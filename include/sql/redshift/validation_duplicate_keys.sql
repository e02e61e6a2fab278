-- V002: primary-key values held by more than one row (Redshift does not enforce keys).
-- duplicated_keys: how many key values repeat; extra_rows: rows beyond the first of each.
SELECT COUNT(*) AS duplicated_keys, COALESCE(SUM(copies - 1), 0) AS extra_rows
FROM (
    SELECT COUNT(*) AS copies
    FROM {{ table }}
    GROUP BY {{ key_columns }}
    HAVING COUNT(*) > 1
) AS duplicated
