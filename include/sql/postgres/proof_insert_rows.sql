-- Generated rows of one scratch table, passed as one JSON array of objects.
INSERT INTO {{ table }} SELECT * FROM json_populate_recordset(NULL::{{ table }}, :rows)
