-- The table design of aws-samples/amazon-redshift-query-patterns-and-optimizations
-- (sql_scripts/schema_setup.sql, its CREATE TABLE statements from "Create tables without
-- compression" on, unchanged; the users, groups, grants and demo_local.schema_creation before
-- them are left out).
/**************Create tables without compression, distribution style or sort keys: *****/
	
CREATE TABLE demo_local.orders_nocomp
(
	o_orderkey BIGINT NOT NULL ENCODE RAW,
	o_custkey BIGINT NOT NULL ENCODE RAW,
	o_orderstatus CHAR(1) NOT NULL ENCODE RAW,
	o_totalprice NUMERIC(12, 2) NOT NULL ENCODE RAW,
	o_orderdate DATE NOT NULL ENCODE RAW,
	o_orderpriority CHAR(15) NOT NULL ENCODE RAW,
	o_clerk CHAR(15) NOT NULL ENCODE RAW,
	o_shippriority INTEGER NOT NULL ENCODE RAW,
	o_comment VARCHAR(79) NOT NULL ENCODE RAW
);

--DROP TABLE lineitem_nocomp;
CREATE TABLE demo_local.lineitem_nocomp
(
	l_orderkey BIGINT NOT NULL ENCODE RAW,
	l_partkey BIGINT NOT NULL ENCODE RAW,
	l_suppkey INTEGER NOT NULL ENCODE RAW,
	l_linenumber INTEGER NOT NULL ENCODE RAW,
	l_quantity NUMERIC(12, 2) NOT NULL ENCODE RAW,
	l_extendedprice NUMERIC(12, 2) NOT NULL ENCODE RAW,
	l_discount NUMERIC(12, 2) NOT NULL ENCODE RAW,
	l_tax NUMERIC(12, 2) NOT NULL ENCODE RAW,
	l_returnflag CHAR(1) NOT NULL ENCODE RAW,
	l_linestatus CHAR(1) NOT NULL ENCODE RAW,
	l_shipdate DATE NOT NULL ENCODE RAW,
	l_commitdate DATE NOT NULL ENCODE RAW,
	l_receiptdate DATE NOT NULL ENCODE RAW,
	l_shipinstruct CHAR(25) NOT NULL ENCODE RAW,
	l_shipmode CHAR(10) NOT NULL ENCODE RAW,
	l_comment VARCHAR(44) NOT NULL ENCODE RAW
);	

/********** Create tables WITH compression, NO distribution style or sort keys: ******/

--DROP TABLE demo_master.orders_comp;

CREATE TABLE demo_local.orders_comp
(
	o_orderkey BIGINT NOT NULL ENCODE RAW,
	o_custkey BIGINT NOT NULL ENCODE RAW,
	o_orderstatus CHAR(1) NOT NULL ENCODE RAW,
	o_totalprice NUMERIC(12, 2) NOT NULL ENCODE RAW,
	o_orderdate DATE NOT NULL ENCODE RAW,
	o_orderpriority CHAR(15) NOT NULL ENCODE RAW,
	o_clerk CHAR(15) NOT NULL ENCODE RAW,
	o_shippriority INTEGER NOT NULL ENCODE RAW,
	o_comment VARCHAR(79) NOT NULL ENCODE RAW);

--DROP TABLE demo_master.lineitem_comp;
CREATE TABLE demo_local.lineitem_comp
(
	l_orderkey BIGINT NOT NULL ENCODE RAW,
	l_partkey BIGINT NOT NULL ENCODE RAW,
	l_suppkey INTEGER NOT NULL ENCODE RAW,
	l_linenumber INTEGER NOT NULL ENCODE RAW,
	l_quantity NUMERIC(12, 2) NOT NULL ENCODE RAW,
	l_extendedprice NUMERIC(12, 2) NOT NULL ENCODE RAW,
	l_discount NUMERIC(12, 2) NOT NULL ENCODE RAW,
	l_tax NUMERIC(12, 2) NOT NULL ENCODE RAW,
	l_returnflag CHAR(1) NOT NULL ENCODE RAW,
	l_linestatus CHAR(1) NOT NULL ENCODE RAW,
	l_shipdate DATE NOT NULL ENCODE RAW,
	l_commitdate DATE NOT NULL ENCODE RAW,
	l_receiptdate DATE NOT NULL ENCODE RAW,
	l_shipinstruct CHAR(25) NOT NULL ENCODE RAW,
	l_shipmode CHAR(10) NOT NULL ENCODE RAW,
	l_comment VARCHAR(44) NOT NULL ENCODE RAW);
	
/**************Create tables WITH compression, distribution style and sort keys: ************/
---drop table demo_master.orders;
CREATE TABLE demo_local.orders
(
	o_orderkey BIGINT NOT NULL DISTKEY,
	o_custkey BIGINT NOT NULL,
	o_orderstatus CHAR(1),
	o_totalprice NUMERIC(12, 2),
	o_orderdate DATE NOT NULL,
	o_orderpriority CHAR(15) NOT NULL,
	o_clerk CHAR(15) NOT NULL,
	o_shippriority INTEGER NOT NULL,
	o_comment VARCHAR(79) NOT NULL
)
SORTKEY
(
	o_orderdate
);

--drop table demo_master.lineitem;
CREATE TABLE demo_local.lineitem
(
	l_orderkey BIGINT NOT NULL DISTKEY,
	l_partkey BIGINT NOT NULL,
	l_suppkey INTEGER NOT NULL,
	l_linenumber INTEGER NOT NULL,
	l_quantity NUMERIC(12, 2) NOT NULL,
	l_extendedprice NUMERIC(12, 2) NOT NULL,
	l_discount NUMERIC(12, 2) NOT NULL,
	l_tax NUMERIC(12, 2) NOT NULL,
	l_returnflag CHAR(1) NOT NULL,
	l_linestatus CHAR(1) NOT NULL,
	l_shipdate DATE NOT NULL,
	l_commitdate DATE NOT NULL,
	l_receiptdate DATE NOT NULL,
	l_shipinstruct CHAR(25) NOT NULL,
	l_shipmode CHAR(10) NOT NULL,
	l_comment VARCHAR(44) NOT NULL
)
SORTKEY
(
	l_shipdate
);

/********************************************************************************************************
Create orders and lineitems tables with compression on, 
               distkey = orderkey which is the natural key as well as joining column 
               and sortkey != orderkey which is a different column for orders and lineitems table
********************************************************************************************************/
CREATE TABLE demo_local.orders_base
(
	o_orderkey BIGINT NOT NULL DISTKEY,
	o_custkey BIGINT NOT NULL,
	o_orderstatus CHAR(1),
	o_totalprice NUMERIC(12, 2),
	o_orderdate DATE NOT NULL,
	o_orderpriority CHAR(15) NOT NULL,
	o_clerk CHAR(15) NOT NULL,
	o_shippriority INTEGER NOT NULL,
	o_comment VARCHAR(79) NOT NULL
)
SORTKEY
(
	o_orderdate
);

CREATE TABLE demo_local.lineitem_base
(
	l_orderkey BIGINT NOT NULL DISTKEY,
	l_partkey BIGINT NOT NULL,
	l_suppkey INTEGER NOT NULL,
	l_linenumber INTEGER NOT NULL,
	l_quantity NUMERIC(12, 2) NOT NULL,
	l_extendedprice NUMERIC(12, 2) NOT NULL,
	l_discount NUMERIC(12, 2) NOT NULL,
	l_tax NUMERIC(12, 2) NOT NULL,
	l_returnflag CHAR(1) NOT NULL,
	l_linestatus CHAR(1) NOT NULL,
	l_shipdate DATE NOT NULL,
	l_commitdate DATE NOT NULL,
	l_receiptdate DATE NOT NULL,
	l_shipinstruct CHAR(25) NOT NULL,
	l_shipmode CHAR(10) NOT NULL,
	l_comment VARCHAR(44) NOT NULL
)
SORTKEY
(
	l_shipdate
);


/********************************************************************************************************
Create orders and lineitems tables with compression on, 
               distkey = orderkey which is the natural key as well as joining column 
               and sortkey = orderkey i.e the same column as the distkey as well as the joining column
********************************************************************************************************/
CREATE TABLE demo_local.orders_mergekey
(
	o_orderkey BIGINT NOT NULL DISTKEY,
	o_custkey BIGINT NOT NULL,
	o_orderstatus CHAR(1),
	o_totalprice NUMERIC(12, 2),
	o_orderdate DATE NOT NULL,
	o_orderpriority CHAR(15) NOT NULL,
	o_clerk CHAR(15) NOT NULL,
	o_shippriority INTEGER NOT NULL,
	o_comment VARCHAR(79) NOT NULL
)
SORTKEY
(
	o_orderkey
);

CREATE TABLE demo_local.lineitem_mergekey
(
	l_orderkey BIGINT NOT NULL DISTKEY,
	l_partkey BIGINT NOT NULL,
	l_suppkey INTEGER NOT NULL,
	l_linenumber INTEGER NOT NULL,
	l_quantity NUMERIC(12, 2) NOT NULL,
	l_extendedprice NUMERIC(12, 2) NOT NULL,
	l_discount NUMERIC(12, 2) NOT NULL,
	l_tax NUMERIC(12, 2) NOT NULL,
	l_returnflag CHAR(1) NOT NULL,
	l_linestatus CHAR(1) NOT NULL,
	l_shipdate DATE NOT NULL,
	l_commitdate DATE NOT NULL,
	l_receiptdate DATE NOT NULL,
	l_shipinstruct CHAR(25) NOT NULL,
	l_shipmode CHAR(10) NOT NULL,
	l_comment VARCHAR(44) NOT NULL
)
SORTKEY
(
	l_orderkey
);
	
/********************************************************************************************************
Customer table with dist_stype = KEY
********************************************************************************************************/
create table demo_local.customer_base(
C_CUSTKEY BIGINT ENCODE RAW DISTKEY SORTKEY,
C_NAME  VARCHAR(25) ENCODE RAW,
C_ADDRESS  VARCHAR(40) ENCODE RAW,
C_NATIONKEY BIGINT ENCODE RAW,
C_PHONE char(15) ENCODE RAW,
C_ACCTBAL DECIMAL(10,2) ENCODE RAW,
C_MKTSEGMENT char(10) ENCODE RAW,
C_COMMENT  VARCHAR(117) ENCODE RAW
)
;


/********************************************************************************************************
Customer table with dist_stype = ALL
********************************************************************************************************/

create table demo_local.customer_distall(
C_CUSTKEY BIGINT ENCODE RAW SORTKEY,
C_NAME  VARCHAR(25) ENCODE RAW,
C_ADDRESS  VARCHAR(40) ENCODE RAW,
C_NATIONKEY BIGINT ENCODE RAW,
C_PHONE char(15) ENCODE RAW,
C_ACCTBAL DECIMAL(10,2) ENCODE RAW,
C_MKTSEGMENT char(10) ENCODE RAW,
C_COMMENT  VARCHAR(117) ENCODE RAW
)
diststyle all
;

-- Row counts: sql_scripts/table_load.sql loads every table from the TPC-H 100 GB data set
-- (s3://tpcdhawspsa/100gb/...), except demo_local.lineitem_base, which it loads from the 10 GB
-- prefix (s3://tpcdhawspsa/10gb/...). The repository prints no counts; these are the TPC-H
-- generator's sizes at scale factor 100 (and 10 for lineitem_base).
select count(*) from demo_local.orders_nocomp; -- 150000000
select count(*) from demo_local.lineitem_nocomp; -- 600037902
select count(*) from demo_local.orders_comp; -- 150000000
select count(*) from demo_local.lineitem_comp; -- 600037902
select count(*) from demo_local.orders; -- 150000000
select count(*) from demo_local.lineitem; -- 600037902
select count(*) from demo_local.orders_base; -- 150000000
select count(*) from demo_local.lineitem_base; -- 59986052
select count(*) from demo_local.orders_mergekey; -- 150000000
select count(*) from demo_local.lineitem_mergekey; -- 600037902
select count(*) from demo_local.customer_base; -- 15000000
select count(*) from demo_local.customer_distall; -- 15000000
