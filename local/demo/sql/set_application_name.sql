-- The query-history views tell the demo workload apart from everything else by this name.
SELECT set_config('application_name', %(application_name)s, false)
