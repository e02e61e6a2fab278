-- dbt-labs/segment models/sessionization/segment_web_sessions.sql, compiled by hand for Redshift (first run / full refresh; see README)
with sessions as (

    select * from analytics.segment_web_sessions__stitched

    

),



windowed as (

    select

        *,

        row_number() over (
            partition by blended_user_id
            order by sessions.session_start_tstamp
            )
            
            as session_number

    from sessions

    


)

select * from windowed
