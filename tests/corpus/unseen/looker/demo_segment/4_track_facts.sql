-- llooker/demo_segment 4_track_facts.view.lkml, view track_facts: the derived table's SQL, as Looker builds the persistent derived table (see README)
CREATE TABLE looker_scratch.track_facts DISTKEY(looker_visitor_id) SORTKEY(event_id) AS
select t.anonymous_id
          , t.received_at
          , t.event_id
          , t.uuid
          , t.event
          , s.session_id
          , t.looker_visitor_id
          , row_number() over(partition by s.session_id order by t.received_at) as track_sequence_number
        from looker_scratch.mapped_tracks as t
        inner join looker_scratch.sessions_trk as s
        on t.looker_visitor_id = s.looker_visitor_id
          and t.received_at >= s.session_start_at
          and (t.received_at < s.next_session_start_at or s.next_session_start_at is null)
;
