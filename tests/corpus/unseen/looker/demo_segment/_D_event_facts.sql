-- llooker/demo_segment _D_event_facts.view.lkml, view event_facts: the derived table's SQL, as Looker builds the persistent derived table (see README)
CREATE TABLE looker_scratch.event_facts DISTKEY(event_id) SORTKEY(event_id) AS
select t.received_at
        , t.anonymous_id
        , t.event_id
        , t.uuid as uuid
        , t.event_source
        , s.session_id
        , t.looker_visitor_id
        , t.referrer as referrer
        , row_number() over(partition by s.session_id order by t.received_at) as track_sequence_number
        , row_number() over(partition by s.session_id, t.event_source order by t.received_at) as source_sequence_number
        , first_value(t.referrer ignore nulls) over (partition by s.session_id order by t.received_at rows between unbounded preceding and unbounded following) as first_referrer
      from looker_scratch.mapped_events as t
      left join looker_scratch.sessions_pg_trk as s
      on t.looker_visitor_id = s.looker_visitor_id
        and t.received_at >= s.session_start_at
        and (t.received_at < s.next_session_start_at or s.next_session_start_at is null)
;
