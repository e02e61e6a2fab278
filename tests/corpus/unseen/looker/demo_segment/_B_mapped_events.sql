-- llooker/demo_segment _B_mapped_events.view.lkml, view mapped_events: the derived table's SQL, as Looker builds the persistent derived table (see README)
CREATE TABLE looker_scratch.mapped_events DISTKEY(looker_visitor_id) SORTKEY(event_id) AS
select *
        , datediff(minutes, lag(received_at) over(partition by looker_visitor_id order by received_at), received_at) as idle_time_minutes
      from (
        select CONCAT(t.received_at, t.uuid) || '-t' as event_id
          , coalesce(a2v.looker_visitor_id,a2v.alias) as looker_visitor_id
          , t.anonymous_id
          , t.uuid
          , t.received_at
          , NULL as referrer
          , 'tracks' as event_source
        from segment.tracks as t
        inner join looker_scratch.page_aliases_mapping as a2v
          on a2v.alias = coalesce(t.user_id, t.anonymous_id)

        union all

        select CONCAT(t.received_at, t.uuid) || '-p' as event_id
          , coalesce(a2v.looker_visitor_id,a2v.alias)
          , t.anonymous_id
          , t.uuid
          , t.received_at
          , t.referrer as referrer
          , 'pages' as event_source
        from segment.pages as t
        inner join looker_scratch.page_aliases_mapping as a2v
          on a2v.alias = coalesce(t.user_id, t.anonymous_id)
      ) as e
;
