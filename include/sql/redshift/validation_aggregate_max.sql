, CAST(MAX({{ column }}) AS VARCHAR(256)) AS a{{ index }}
