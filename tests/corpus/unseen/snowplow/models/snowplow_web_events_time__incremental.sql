-- dbt-labs/snowplow models/page_views/default/snowplow_web_events_time.sql, compiled by hand for Redshift (incremental run; see README)
with __dbt__cte__snowplow_base_events as (
with source as (

    select * from atomic.events

),

filtered as (

    select *
    from source


    where true

    

    --these fields should never be null -- there's a quirk where small numbers of
    --events have made it through without these fields -- ignore these events
    --so as not to throw off downstream models.
        and domain_sessionid is not null
        and domain_sessionidx is not null
        and domain_userid is not null

)

select * from filtered
),
 all_events as (

    select * from __dbt__cte__snowplow_base_events

),

events as (

    select * from all_events
    
    
        where collector_tstamp > (select
        
        coalesce(
            max(max_tstamp), 
            '0001-01-01'    -- a long, long time ago
        ) as start_ts
        
    from analytics.snowplow_web_events_time)
    

),

web_page_context as (

    select * from analytics.snowplow_web_page_context

),


prep as (

    select

        wp.page_view_id,

        min(ev.derived_tstamp) as min_tstamp,
        max(ev.derived_tstamp) as max_tstamp,

        sum(case when ev.event_name = 'page_view' then 1 else 0 end) as pv_count,
        sum(case when ev.event_name = 'page_ping' then 1 else 0 end) as pp_count,
        (sum(case when ev.event_name = 'page_ping' then 1 else 0 end) * 30) as time_engaged_in_s

    from events as ev
        inner join web_page_context as wp on ev.event_id = wp.root_id

    where ev.event_name in ('page_view', 'page_ping')
    group by 1

),




relevant_existing as (

    select
        page_view_id,
        min_tstamp,
        max_tstamp,
        pv_count,
        pp_count,
        time_engaged_in_s

    from analytics.snowplow_web_events_time
    where page_view_id in (select page_view_id from prep)

),

unioned_cte as (

    select
        page_view_id,
        min_tstamp,
        max_tstamp,
        pv_count,
        pp_count,
        time_engaged_in_s
    from prep

    union all

    select
        page_view_id,
        min_tstamp, 
        max_tstamp,
        pv_count,
        pp_count,
        time_engaged_in_s
    from relevant_existing

),

merged as (

    select
        page_view_id,
        min(min_tstamp) as min_tstamp,
        max(max_tstamp) as max_tstamp,
        sum(pv_count) as pv_count,
        sum(pp_count) as pp_count,
        sum(time_engaged_in_s) as time_engaged_in_s

    from unioned_cte
    group by 1


)




select * from merged
