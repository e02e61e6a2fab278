, SUM({{ column }}) AS a{{ index }}
