-- llooker/demo_segment 6_user_session_facts.view.lkml, view user_session_facts: the derived table's SQL, as Looker builds the persistent derived table (see README)
CREATE TABLE looker_scratch.user_session_facts DISTKEY(looker_visitor_id) SORTKEY(looker_visitor_id) AS
SELECT
        looker_visitor_id
        , MIN(DATE(s.session_start_at)) as first_date
        , MAX(DATE(s.session_start_at)) as last_date
        , COUNT(*) as number_of_sessions
      FROM looker_scratch.sessions_trk as s
      LEFT JOIN looker_scratch.session_trk_facts as sf
      ON s.session_id = sf.session_id
      GROUP BY 1
;
