select "column", type, encoding, distkey, sortkey
from pg_table_def where tablename = 'event_backup';

select "column", type, encoding, distkey, sortkey
from pg_table_def where tablename = 'eventdistsort';

select "column", type, encoding, distkey, sortkey
from pg_table_def where tablename = 'eventdisteven';

select "column", type, encoding, distkey, sortkey
from pg_table_def where tablename = 'eventdistevensort';

select "column", type, encoding, distkey, sortkey
from pg_table_def where tablename = 'venuedistevent';
