-- llooker/demo_segment funnel_explorer.view.lkml, view funnel_explorer: the derived table's SQL (not persisted; see README)
SELECT tracks_sessions_map.session_id as session_id
        , MIN(
            CASE WHEN
              1=1
              THEN tracks_sessions_map.received_at
              ELSE NULL END
            ) as event1_time
        , MIN(
            CASE WHEN
              1=1
              THEN tracks_sessions_map.received_at
              ELSE NULL END
            ) as event2_time
        , MIN(
            CASE WHEN
              1=1
              THEN tracks_sessions_map.received_at
              ELSE NULL END
            ) as event3_time
      FROM looker_scratch.track_facts as tracks_sessions_map
      GROUP BY 1
;
