-- dbt-labs/segment models/base/segment_web_page_views.sql, compiled by hand for Redshift (see README)
with source as (

    select * from segment.pages

),

row_numbering as (

    select
        *,
        row_number() over (partition by id order by received_at asc) as row_num
    from source

),

deduped as (

    select
        *
    from row_numbering
    where row_num = 1

),

renamed as (

    select

        id as page_view_id,
        anonymous_id,
        user_id,

        received_at as received_at_tstamp,
        sent_at as sent_at_tstamp,
        timestamp as tstamp,

        url as page_url,
        cast(split_part(split_part(replace(replace(replace(url, 'android-app://', ''), 'http://', ''), 'https://', ''), '/', 1), '?', 1) as varchar) as page_url_host,
        path as page_url_path,
        title as page_title,
        search as page_url_query,

        referrer,
        replace(
            cast(split_part(split_part(replace(replace(replace(referrer, 'android-app://', ''), 'http://', ''), 'https://', ''), '/', 1), '?', 1) as varchar),
            'www.',
            ''
        ) as referrer_host,

        context_campaign_source as utm_source,
        context_campaign_medium as utm_medium,
        context_campaign_name as utm_campaign,
        context_campaign_term as utm_term,
        context_campaign_content as utm_content,
        nullif(split_part(split_part(url, 'gclid=', 2), '&', 1), '') as gclid,
        context_ip as ip,
        context_user_agent as user_agent,
        case
            when lower(context_user_agent) like '%android%' then 'Android'
            else replace(
                split_part(split_part(context_user_agent, '(', 2), ' ', 1),
                ';', '')
        end as device

    from deduped

),

final as (

    select
        *,
        case
            when device = 'iPhone' then 'iPhone'
            when device = 'Android' then 'Android'
            when device in ('iPad', 'iPod') then 'Tablet'
            when device in ('Windows', 'Macintosh', 'X11') then 'Desktop'
            else 'Uncategorized'
        end as device_category
    from renamed

)

select * from final
