-- dbt-labs/jaffle-shop-classic models/staging/stg_orders.sql, compiled by hand (see README)
with source as (

        select * from analytics.raw_orders

),

renamed as (

    select
        id as order_id,
        user_id as customer_id,
        order_date,
        status

    from source

)

select * from renamed
