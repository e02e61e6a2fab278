-- No CASCADE: a view someone built on the demo tables should stop the rebuild, not vanish.
DROP TABLE IF EXISTS {table}
