, COUNT({{ column }}) AS a{{ index }}
