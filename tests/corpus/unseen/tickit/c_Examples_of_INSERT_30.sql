insert into category_stage
(select * from category);

insert into category_stage values
(12, 'Concerts', 'Comedy', 'All stand-up comedy performances');

insert into category_stage values
(13, 'Concerts', 'Other', default);

select * from category_stage
where catid in(12,13) order by 1;

insert into category_stage values
(14, default, default, default),
(15, default, default, default);

select * from category_stage where catid in(14,15) order by 1;

insert into category_stage values
(default, default, default, default),
(20, default, 'Country', default),
(21, 'Concerts', 'Rock', default);

select * from category_stage where catid in(0,20,21) order by 1;
