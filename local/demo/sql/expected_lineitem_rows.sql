SELECT coalesce(sum(pg_temp.lines_in_order(o)), 0)
FROM generate_series(1, %(orders)s) AS o
