-- llooker/demo_segment 2_mapped_tracks.view.lkml, view mapped_tracks: the derived table's SQL, as Looker builds the persistent derived table (see README)
CREATE TABLE looker_scratch.mapped_tracks DISTKEY(looker_visitor_id) SORTKEY(event_id) AS
select *
        , datediff(minutes, lag(received_at) over(partition by looker_visitor_id order by received_at), received_at) as idle_time_minutes
        from (
          select CONCAT(t.received_at, t.uuid) as event_id
          , t.anonymous_id
          , a2v.looker_visitor_id
          , t.received_at
          , t.event as event
          , t.uuid
          from segment.tracks as t
          inner join looker_scratch.aliases_mapping as a2v
          on a2v.alias = coalesce(t.user_id, t.anonymous_id)
        )
;
