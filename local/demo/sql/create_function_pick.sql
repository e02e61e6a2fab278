-- One of `options`, chosen by pg_temp.rand.
CREATE OR REPLACE FUNCTION pg_temp.pick(key bigint, stream integer, options text[])
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN options[pg_temp.rand(key, stream, 1, cardinality(options))]
