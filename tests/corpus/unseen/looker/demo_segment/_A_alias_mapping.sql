-- llooker/demo_segment _A_alias_mapping.view.lkml, view page_aliases_mapping: the derived table's SQL, as Looker builds the persistent derived table (see README)
CREATE TABLE looker_scratch.page_aliases_mapping DISTKEY(alias) SORTKEY(looker_visitor_id, alias) AS
with

      -- Establish all child-to-parent edges from tables (tracks, pages, aliases)
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

        union

        select anonymous_id
          , user_id
          , received_at
        from segment.pages

        union

        select user_id
        , null
        , received_at
        from segment.pages
      )

      select
                  distinct anonymous_id as alias
                  , coalesce(first_value(user_id ignore nulls)
                  over(
                    partition by anonymous_id
                    order by received_at
                    rows between unbounded preceding and unbounded following),anonymous_id) as looker_visitor_id
      from all_mappings
;
