delete from event using sales where event.eventid=sales.eventid;

delete from t1
where col1 in(select col2 from t2);

delete from category;

delete from category
where catid between 0 and 9;

delete from listing
where listing.sellerid not in(select sales.sellerid from sales);

delete from category
using event
where event.catid=category.catid and category.catid=9;

delete from category
where catid in
(select category.catid from category, event
where category.catid=event.catid and category.catid=9);
