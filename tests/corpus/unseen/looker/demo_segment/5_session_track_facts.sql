-- llooker/demo_segment 5_session_track_facts.view.lkml, view session_trk_facts: the derived table's SQL, as Looker builds the persistent derived table (see README)
CREATE TABLE looker_scratch.session_trk_facts DISTKEY(session_id) SORTKEY(session_id) AS
SELECT s.session_id
        , MAX(map.received_at) AS ended_at
        , count(distinct map.event_id) AS num_pvs
        , count(case when map.event = 'app_loaded' then event_id else null end) as cnt_app_loaded
        , count(case when map.event = 'login' then event_id else null end) as cnt_login
        , count(case when map.event = 'subscribed_to_blog' then event_id else null end) as cnt_subscribed_to_blog
        , count(case when map.event = 'signup' then event_id else null end) as cnt_signup
      FROM looker_scratch.sessions_trk AS s
      LEFT JOIN looker_scratch.track_facts as map on map.session_id = s.session_id
      GROUP BY 1
;
