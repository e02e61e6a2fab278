select * from category_stage
except
select * from category;

select * from category_stage
minus
select * from category;
