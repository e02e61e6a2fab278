-- One table the query reads, recreated in the scratch schema with the snapshot's column types
-- (columns: quoted names and PostgreSQL types rendered by sqlglot from the snapshot).
CREATE TABLE {{ table }} ({{ columns }})
