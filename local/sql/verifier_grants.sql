-- What the verification identity may read: the demo schema's tables, nothing else (run after
-- the demo load, which recreates the tables). On Redshift the same two grants per schema.
GRANT USAGE ON SCHEMA tpch TO optimizer_verifier;
GRANT SELECT ON ALL TABLES IN SCHEMA tpch TO optimizer_verifier;
