-- Added after the data is in: building the index once is faster than maintaining it per row.
ALTER TABLE {table} ADD PRIMARY KEY ({columns})
