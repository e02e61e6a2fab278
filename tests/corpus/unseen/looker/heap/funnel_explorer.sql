-- llooker/heap funnel_explorer.view.lkml, view funnel_explorer: the derived table's SQL (not persisted; see README)
SELECT all_events.session_id || '-' || all_events.user_id as session_unique_id
        , MIN(all_events.time) as session_time
        , MIN(
            CASE WHEN
              1=1
              THEN all_events.time
              ELSE NULL END
            ) as event1_time
        , MIN(
            CASE WHEN
              1=1
              THEN all_events.time
              ELSE NULL END
            ) as event2_time
        , MIN(
            CASE WHEN
              1=1
              THEN all_events.time
              ELSE NULL END
            ) as event3_time
      FROM main_production.all_events as all_events
      WHERE 1=1
      GROUP BY 1
;
