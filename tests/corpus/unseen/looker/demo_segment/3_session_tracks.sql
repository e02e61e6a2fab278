-- llooker/demo_segment 3_session_tracks.view.lkml, view sessions_trk: the derived table's SQL, as Looker builds the persistent derived table (see README)
CREATE TABLE looker_scratch.sessions_trk DISTKEY(looker_visitor_id) SORTKEY(session_id) AS
select row_number() over(partition by looker_visitor_id order by received_at) || ' - ' || looker_visitor_id as session_id
      , looker_visitor_id
      , received_at as session_start_at
      , row_number() over(partition by looker_visitor_id order by received_at) as session_sequence_number
      , lead(received_at) over(partition by looker_visitor_id order by received_at) as next_session_start_at
from looker_scratch.mapped_tracks
where (idle_time_minutes > 30 or idle_time_minutes is null)
;
