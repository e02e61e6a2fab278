, CAST(MIN({{ column }}) AS VARCHAR(256)) AS a{{ index }}
