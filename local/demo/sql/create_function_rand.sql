-- A pseudo-random integer in [lo, hi], a pure function of (key, stream): the same scale always
-- gives the same data. hashint8extended is the seeded 64-bit hash behind PostgreSQL's hash
-- partitioning, which must be stable across platforms; the mask keeps it non-negative.
-- A one-expression SQL function is inlined by the planner, so it costs no function call.
CREATE OR REPLACE FUNCTION pg_temp.rand(key bigint, stream integer, lo bigint, hi bigint)
RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN lo + (hashint8extended(key, stream) & 9223372036854775807) % (hi - lo + 1)
