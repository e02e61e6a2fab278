-- dbt-labs/jaffle-shop-classic models/staging/stg_customers.sql, compiled by hand (see README)
with source as (

        select * from analytics.raw_customers

),

renamed as (

    select
        id as customer_id,
        first_name,
        last_name

    from source

)

select * from renamed
