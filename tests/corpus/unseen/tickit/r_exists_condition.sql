select dateid from date
where exists (
select 1 from sales
where date.dateid = sales.dateid
)
order by dateid;
