GROUPING({{ column }}) AS g{{ index }}, CAST({{ column }} AS VARCHAR(256)) AS v{{ index }}
