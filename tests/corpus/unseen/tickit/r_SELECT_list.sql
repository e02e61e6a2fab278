select clicks / impressions as probability, round(100 * probability, 1) as percentage from raw_data;

select top 10 *
from sales;

select *
from sales
limit 10;

select top 10 qtysold, sellerid
from sales
order by qtysold desc, sellerid;

select top 2 qtysold, sellerid
from sales
order by qtysold desc, sellerid;

select distinct catgroup from category
order by 1;

--the same query, run without distinct
select catgroup from category
order by 1;

select distinct week, month, year
from date
where month='DEC' and year=2008
order by 1, 2, 3;
