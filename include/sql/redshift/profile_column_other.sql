, COUNT({{ column }}) AS c{{ index }}_non_null
, {{ distinct }} AS c{{ index }}_distinct
