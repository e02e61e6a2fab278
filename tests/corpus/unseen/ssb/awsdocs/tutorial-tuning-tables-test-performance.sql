select stv_tbl_perm.name as table, count(*) as mb
   from stv_blocklist, stv_tbl_perm
   where stv_blocklist.tbl = stv_tbl_perm.id
   and stv_blocklist.slice = stv_tbl_perm.slice
   and stv_tbl_perm.name in ('lineorder','part','customer','dwdate','supplier')
   group by stv_tbl_perm.name
   order by 1 asc;

-- Query 1
   -- Restrictions on only one dimension. 
   select sum(lo_extendedprice*lo_discount) as revenue
   from lineorder, dwdate
   where lo_orderdate = d_datekey
   and d_year = 1997 
   and lo_discount between 1 and 3 
   and lo_quantity < 24;
   
   -- Query 2
   -- Restrictions on two dimensions 
   
   select sum(lo_revenue), d_year, p_brand1
   from lineorder, dwdate, part, supplier
   where lo_orderdate = d_datekey
   and lo_partkey = p_partkey
   and lo_suppkey = s_suppkey
   and p_category = 'MFGR#12'
   and s_region = 'AMERICA'
   group by d_year, p_brand1
   order by d_year, p_brand1;
   
   -- Query 3
   -- Drill down in time to just one month 
   
   select c_city, s_city, d_year, sum(lo_revenue) as revenue 
   from customer, lineorder, supplier, dwdate
   where lo_custkey = c_custkey
   and lo_suppkey = s_suppkey
   and lo_orderdate = d_datekey
   and (c_city='UNITED KI1' or
   c_city='UNITED KI5')
   and (s_city='UNITED KI1' or
   s_city='UNITED KI5')
   and d_yearmonth = 'Dec1997'
   group by c_city, s_city, d_year
   order by d_year asc, revenue desc;
