-- llooker/heap session_facts.view.lkml, view session_facts: the derived table's SQL, as Looker builds the persistent derived table (see README)
CREATE TABLE looker_scratch.session_facts DISTKEY(session_unique_id) SORTKEY(session_start_time) AS
SELECT
        all_events.session_id || '-' || all_events.user_id AS session_unique_id,
        user_id,
        row_number() over( partition by user_id order by min(all_events.time)) as session_sequence_number,
        min(all_events.time) AS session_start_time,
        max(all_events.time) AS session_end_time,
        COUNT(*) AS "all_events.count"
      FROM main_production.all_events AS all_events

      GROUP BY 1,2
;
