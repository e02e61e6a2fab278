-- llooker/demo_segment _Bb_page_facts.view.lkml, view page_facts: the derived table's SQL, as Looker builds the persistent derived table (see README)
CREATE TABLE looker_scratch.page_facts DISTKEY(looker_visitor_id) SORTKEY(received_at) AS
SELECT e.event_id AS event_id
      , e.looker_visitor_id
      , e.received_at
      , CASE
          WHEN DATEDIFF(seconds, e.received_at, LEAD(e.received_at) OVER(PARTITION BY e.looker_visitor_id ORDER BY e.received_at)) > 30*60 THEN NULL
          ELSE DATEDIFF(seconds, e.received_at, LEAD(e.received_at) OVER(PARTITION BY e.looker_visitor_id ORDER BY e.received_at)) END AS lead_idle_time_condition
FROM looker_scratch.mapped_events AS e
;
