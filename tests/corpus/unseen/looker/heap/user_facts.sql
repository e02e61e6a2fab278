-- llooker/heap user_facts.view.lkml, view user_facts: the derived table's SQL, as Looker builds the persistent derived table (see README)
CREATE TABLE looker_scratch.user_facts DISTKEY(user_id) SORTKEY(first_session) AS
SELECT
        sessions.user_id AS user_id,
        min(sessions.time) AS first_session,
        max(sessions.time) as latest_session,
        COUNT(*) AS session_count
      FROM main_production.sessions AS sessions
      GROUP BY 1
;
