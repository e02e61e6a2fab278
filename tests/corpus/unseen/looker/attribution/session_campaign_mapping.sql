-- llooker/segment_marketing_attribution session_campaign_mapping.view.lkml, view session_campaign_mapping: the derived table's SQL, as Looker builds the persistent derived table (see README)
CREATE TABLE looker_scratch.session_campaign_mapping AS
SELECT
        event_facts.looker_visitor_id  AS looker_visitor_id,
        event_facts.session_id  AS "session_id",
        min(event_facts.timestamp) as "start_time",
        max(event_facts.campaign_name) "context_campaign_name",
        max(event_facts.campaign_source) AS "context_campaign_source",
        SUM(order_completed.revenue) AS session_revenue,
        ROW_NUMBER() OVER (PARTITION BY event_facts.looker_visitor_id ORDER BY event_facts.session_id ASC) AS session_sequence_number
      FROM looker_scratch.event_facts AS event_facts

      LEFT JOIN WEBSITE.ORDER_COMPLETED as order_completed
        ON event_facts.anonymous_id = order_completed.anonymous_id
        AND event_facts.timestamp = order_completed.timestamp
        AND event_facts.event = 'order_completed'

      GROUP BY 1,2
;
