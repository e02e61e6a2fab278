select col, max(blocknum)
   from stv_blocklist b, stv_tbl_perm p
   where (b.tbl=p.id) and name ='lineorder'
   and col < 17
   group by name, col
   order by col;

select col, max(blocknum)
      from stv_blocklist b, stv_tbl_perm p
      where (b.tbl=p.id) and name = 'encodingshipmode'
      and col < 6
      group by name, col
      order by col;
