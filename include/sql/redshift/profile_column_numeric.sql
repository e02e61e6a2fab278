, COUNT({{ column }}) AS c{{ index }}_non_null
, {{ distinct }} AS c{{ index }}_distinct
, CAST(MIN({{ column }}) AS VARCHAR(256)) AS c{{ index }}_min
, CAST(MAX({{ column }}) AS VARCHAR(256)) AS c{{ index }}_max
, AVG(CAST({{ column }} AS DOUBLE PRECISION)) AS c{{ index }}_avg
