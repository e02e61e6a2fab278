-- dbt-labs/segment analysis/mode_queries/audience_overview.sql, compiled by hand (see README): ref() resolved,
-- the Mode parameters rendered with their defaults (date_part day, 2018-11-01 .. 2018-12-01), the trailing
-- Mode form definition (not SQL) left out
with source as (

    select * from analytics.segment_web_sessions

)

, final as (

    select
        date_trunc('day', session_start_tstamp)::date as period,

        count(*) as sessions,
        count(distinct blended_user_id) as distinct_users,
        sum(page_views) as page_views,
        1.0 * sum(page_views) / nullif(count(*), 0) as pages_per_session,
        avg(duration_in_s) as avg_session_duration,
        1.0 * sum(case when page_views = 1 then 1 else 0 end) /
            nullif(count(*), 0) as bounce_rate,
        sum(case when session_number = 1 then 1 else 0 end) as new_sessions,
        sum(case when session_number > 1 then 1 else 0 end) as repeat_sessions

    from source

    where session_start_tstamp >= '2018-11-01'
      and session_start_tstamp <  '2018-12-01'

    group by 1

)

select * from final
