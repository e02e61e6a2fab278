COUNT(DISTINCT {{ column }})
