select * from category order by 2, length(catdesc), 1, 3;

select salesid, qtysold, pricepaid, commission, saletime from sales
order by qtysold, pricepaid, commission, salesid, saletime desc
limit 10;

select * from venue limit 0;
