-- Empties a scratch table between two generated data sets.
DELETE FROM {{ table }}
