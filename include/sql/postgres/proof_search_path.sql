-- The scratch schema alone on the search path, for this transaction only.
SELECT set_config('search_path', :search_path, true) AS search_path
