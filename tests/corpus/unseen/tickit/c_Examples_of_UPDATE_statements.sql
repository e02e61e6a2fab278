update category
set catgroup='Theatre'
where catid between 6 and 8;

select * from category
where catid between 6 and 8;

update category
set catdesc=default, catname='Shows'
where catgroup='Theatre';

select * from category
where catname='Shows';

update category
set catdesc='Broadway Musical'
where category.catid in
(select category.catid from category
join event on category.catid = event.catid
join venue on venue.venueid = event.venueid
join sales on sales.eventid = event.eventid
where venuecity='New York City' and catname='Musicals');

select * from category order by 1;

update category set catid=100
from event
where event.catid=category.catid;

select * from category order by 1;

select distinct catid from event;

update category set catid=100
from event
where event.catid=category.catid
and catgroup='Concerts';

select * from category where catid=100;

update category set catid=100
from event join category cat on event.catid=cat.catid
where cat.catgroup='Concerts';

update category set catid=100
from
(select event.catid from event left join category cat on event.catid=cat.catid) eventcat
where category.catid=eventcat.catid
and catgroup='Concerts';
