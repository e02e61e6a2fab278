-- How many lines order `orderkey` has: 1 to 7 (TPC-H 4.2.3), so lineitem is about 4 x orders.
-- One function, because both the generator and the row-count check need it.
CREATE OR REPLACE FUNCTION pg_temp.lines_in_order(orderkey bigint)
RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN pg_temp.rand(orderkey, 800, 1, 7)::integer
