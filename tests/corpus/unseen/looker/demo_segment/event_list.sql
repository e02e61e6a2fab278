-- llooker/demo_segment event_list.view.lkml, view event_list: the derived table's SQL, as Looker builds the persistent derived table (see README)
CREATE TABLE looker_scratch.event_list DISTSTYLE ALL SORTKEY(event_types) AS
SELECT
        event as event_types
      FROM segment.tracks
      GROUP BY 1
;
