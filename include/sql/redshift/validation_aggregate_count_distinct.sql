, COUNT(DISTINCT {{ column }}) AS a{{ index }}
