-- llooker/demo_segment _E_session_pg_track_facts.view.lkml, view session_pg_trk_facts: the derived table's SQL, as Looker builds the persistent derived table (see README)
CREATE TABLE looker_scratch.session_pg_trk_facts DISTKEY(session_id) SORTKEY(session_id) AS
select s.session_id
        , first_referrer
        , max(t2s.received_at) as end_at
        , count(case when t2s.event_source = 'tracks' then 1 else null end) as tracks_count
      from looker_scratch.sessions_pg_trk as s
        inner join looker_scratch.event_facts as t2s
          using(session_id)
      group by 1,2
;
