, CAST(MIN({{ column }}) AS VARCHAR(64)) AS c{{ index }}_min
, CAST(MAX({{ column }}) AS VARCHAR(64)) AS c{{ index }}_max
