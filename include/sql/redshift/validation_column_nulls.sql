, COUNT({{ column }}) AS c{{ index }}_non_null
