-- llooker/segment_marketing_attribution daily_campaign_spend.view.lkml, view daily_campaign_spend: the derived table's SQL (not persisted; see README)
-- raw sql results do not include filled-in values for 'adwords_campaign_performance_reports.start_date'


      SELECT
        'Google' AS source,
        adwords_campaign_performance_reports.date_start AS date,
        COALESCE(SUM((adwords_campaign_performance_reports.cost/1000000) ), 0) AS cost
      FROM GOOGLE.campaign_performance_reports  AS adwords_campaign_performance_reports

      GROUP BY 1,2

      UNION

      SELECT
        'Facebook',
        facebook_insights.date_start,
        COALESCE(SUM(facebook_insights.spend ), 0)
      FROM FACEBOOK_SANDBOX.insights  AS facebook_insights

      GROUP BY 1,2
;
