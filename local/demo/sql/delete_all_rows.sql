-- A refresh written as DELETE + INSERT instead of TRUNCATE: every old row stays behind as a
-- deleted row until someone runs VACUUM.
DELETE FROM {table}
