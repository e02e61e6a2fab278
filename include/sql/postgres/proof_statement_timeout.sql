-- A time limit for each query of the proof, for this transaction only.
SELECT set_config('statement_timeout', :timeout_ms, true) AS statement_timeout
