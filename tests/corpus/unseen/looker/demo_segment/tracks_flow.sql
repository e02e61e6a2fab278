-- llooker/demo_segment tracks_flow.view.lkml, view tracks_flow: the derived table's SQL, as Looker builds the persistent derived table (see README)
CREATE TABLE looker_scratch.tracks_flow DISTKEY(looker_visitor_id) SORTKEY(event_id, looker_visitor_id, session_id) AS
select a.event_id
      , a.session_id
      , a.track_sequence_number
      , a.event
      , a.looker_visitor_id
      , a.received_at
      , b.event as event_2
      , c.event as event_3
      , d.event as event_4
      , e.event as event_5
from looker_scratch.track_facts a
left join looker_scratch.track_facts b
on a.track_sequence_number + 1 = b.track_sequence_number
and a.session_id = b.session_id
left join looker_scratch.track_facts c
on a.track_sequence_number + 2 = c.track_sequence_number
and a.session_id = c.session_id
left join looker_scratch.track_facts d
on a.track_sequence_number + 3 = d.track_sequence_number
and a.session_id = d.session_id
left join looker_scratch.track_facts e
on a.track_sequence_number + 4 = e.track_sequence_number
and a.session_id = e.session_id
order by a.session_id, a.track_sequence_number
;
