-- dbt-labs/segment models/sessionization/segment_web_sessions.sql, compiled by hand for Redshift (incremental run; see README)
with sessions as (

    select * from analytics.segment_web_sessions__stitched

    where session_start_tstamp > (
        select
            dateadd(
        hour,
        -3,
        max(session_start_tstamp)
        )
        from analytics.segment_web_sessions 
    )

),



agg as (

    select
        blended_user_id,
        count(*) as starting_session_number
    from analytics.segment_web_sessions

    -- only include sessions that are not going to be resessionized in this run
    where session_start_tstamp <= (
        select
            dateadd(
        hour,
        -3,
        max(session_start_tstamp)
        )
        from analytics.segment_web_sessions 
    )

    group by 1

),



windowed as (

    select

        *,

        row_number() over (
            partition by blended_user_id
            order by sessions.session_start_tstamp
            )
            + coalesce(agg.starting_session_number, 0) 
            as session_number

    from sessions

    
    left join agg using (blended_user_id)
    


)

select * from windowed
