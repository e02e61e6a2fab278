, COUNT({{ column }}) AS c{{ index }}_non_null
, {{ distinct }} AS c{{ index }}_distinct
, LEFT(MIN({{ column }}), 256) AS c{{ index }}_min
, LEFT(MAX({{ column }}), 256) AS c{{ index }}_max
, MAX(LENGTH({{ column }})) AS c{{ index }}_max_length
