-- llooker/heap event_flow.view.lkml, view event_flow: the derived table's SQL, as Looker builds the persistent derived table (see README)
CREATE TABLE looker_scratch.event_flow DISTKEY(unique_event_id) SORTKEY(sequence_number_for_event_flow) AS
select      a.unique_event_id
            , a.event_id
            , a.session_id
            , a.sequence_number_for_event_flow
            , a.event_name
            , a.user_id
            , b.event_name as event_2
            , c.event_name as event_3
            , d.event_name as event_4
            , e.event_name as event_5

from looker_scratch.event_facts a
left join looker_scratch.event_facts b
on a.sequence_number_for_event_flow + 1 = b.sequence_number_for_event_flow
and a.user_id = b.user_id
and a.session_id = b.session_id
left join looker_scratch.event_facts c
on a.sequence_number_for_event_flow + 2 = c.sequence_number_for_event_flow
and a.user_id = c.user_id
and a.session_id = c.session_id
left join looker_scratch.event_facts d
on a.sequence_number_for_event_flow + 3 = d.sequence_number_for_event_flow
and a.user_id = d.user_id
and a.session_id = d.session_id
left join looker_scratch.event_facts e
on a.sequence_number_for_event_flow + 4 = e.sequence_number_for_event_flow
and a.user_id = e.user_id
and a.session_id = e.session_id
;
