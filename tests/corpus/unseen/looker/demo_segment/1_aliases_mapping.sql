-- llooker/demo_segment 1_aliases_mapping.view.lkml, view aliases_mapping: the derived table's SQL, as Looker builds the persistent derived table (see README)
CREATE TABLE looker_scratch.aliases_mapping DISTKEY(alias) SORTKEY(looker_visitor_id, alias) AS
with
      all_mappings as (
        select anonymous_id
        , user_id
        , received_at as received_at
        from segment.tracks

        union

        select user_id
          , null
          , received_at
        from segment.tracks
      )

      select
        distinct anonymous_id as alias
        , first_value(user_id ignore nulls) OVER ()

        , coalesce(first_value(user_id ignore nulls)
        over(
          partition by anonymous_id
          order by received_at
          rows between unbounded preceding and unbounded following),anonymous_id) as looker_visitor_id
      from all_mappings
;
