select count(*)
  from event a, event b
  where a.eventid(+)=b.catid;

select count(*)
from sales, listing
where sales.listid = listing.listid(+);

select count(*)
from sales left outer join listing on sales.listid = listing.listid;

select listing.listid, sum(pricepaid) as price,
sum(commission) as comm
from listing, sales
where sales.listid(+) = listing.listid and listing.listid between 1 and 5
group by 1 order by 1;

select catname, catgroup, eventid
from category, event
where category.catid=event.catid(+) and eventid(+)=796;

select catname, catgroup, eventid
from category left join event
on category.catid=event.catid and eventid=796;

select catname, catgroup, eventid
from category, event
where category.catid=event.catid(+) and eventid=796;
