-- The submitted query's schema first on the search path, for this transaction only.
-- :schema is a quoted identifier (resources.quote_identifier).
SELECT set_config('search_path', :schema || ', ' || current_setting('search_path'), true) AS search_path
