select count(*) from LINEORDER;
   select count(*) from PART;
   select count(*) from  CUSTOMER;
   select count(*) from  SUPPLIER;
   select count(*) from  DWDATE;
