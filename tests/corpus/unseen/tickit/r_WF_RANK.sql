select salesid, qty,
rank() over (order by qty) as rnk
from winsales
order by 2,1;

select salesid, qty,
rank() over (order by qty desc) as rank
from winsales
order by 2,1;

select salesid, sellerid, qty, rank() over
(partition by sellerid
order by qty desc) as rank
from winsales
order by 2,3,1;
