"""
### Redshift query optimization: the four agents

Runs when the metadata refresh has written a day's snapshot, profile and slow queries (the
`redshift_metadata_refreshed` asset, whose event names the day), and daily at 06:00 UTC as a
safety net and for backfills. For the day's most expensive fingerprints (setting
`top_queries`, by total elapsed time):

1. **plan_day**: read the day's objects from the lake, review schema and workload once,
   list the agent runs not yet done for this engine, prompt version and snapshot
2. **check_data**: the data-validation checks (V codes) as SQL in the warehouse
3. **build_contexts**: per agent and query, the rule findings and only the touched tables
4. **redshift-query-optimizer**, **schema-normalizer**, **cost-saver**,
   **data-validation-agent**: one mapped instance per query, named `agent · query_hash`
5. **persist_results** (runs whatever the agents did): DynamoDB `query-optimization-history`
   and `s3://<bucket>/recommendations/YYYY/MM/DD/<query_hash>.json`
6. **send_alert**: one SNS message (`redshift-optimization-alerts`) when a result is HIGH or
   above or a validation check failed; optional Slack webhook

Engine: `rules` (offline, the default) or `bedrock` (setting `bedrock_model_id`). Model
calls share the `redshift_optimizer_agents` pool; create it with as many slots as your
Bedrock quota allows (`airflow pools set redshift_optimizer_agents 4 "Bedrock calls"`).

The day: params `run_date`, else the triggering asset event's `run_date`, else the data
interval start. Re-running a day writes nothing twice; a new engine or prompt version
stores a new result beside the old one. Backfill past days from the archived lake objects:
`airflow backfill create --dag-id redshift_query_optimization --from-date 2026-05-01 --to-date 2026-05-03`.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import Param, dag, get_current_context, task
from airflow.task.trigger_rule import TriggerRule
from redshift_optimizer import runtime
from redshift_optimizer.assets import METADATA_REFRESHED
from redshift_optimizer.models.agents import AGENT_NAMES, agent_task_id
from redshift_optimizer.work_area import WorkArea

try:  # Airflow >= 3.1 exports these from the SDK; 3.0.x (MWAA) from core
    from airflow.sdk import AssetOrTimeSchedule, CronDataIntervalTimetable
except ImportError:  # pragma: no cover
    from airflow.timetables.assets import AssetOrTimeSchedule
    from airflow.timetables.interval import CronDataIntervalTimetable

AGENT_POOL = "redshift_optimizer_agents"
MAX_PARALLEL_AGENTS = 8

default_args = {
    "owner": "data-platform",
    "retries": 2,
    "retry_delay": timedelta(minutes=2),
}


@dag(
    dag_id="redshift_query_optimization",
    doc_md=__doc__,
    schedule=AssetOrTimeSchedule(
        timetable=CronDataIntervalTimetable("0 6 * * *", timezone="UTC"), assets=METADATA_REFRESHED,
    ),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=default_args,
    tags=["redshift", "optimizer", "agents"],
    params={
        "run_date": Param(None, type=["null", "string"], format="date",
                          description="Day to analyse (YYYY-MM-DD); default: the refreshed day or the data interval"),
        "settings": Param({}, type="object", description="Setting overrides for this run"),
    },
)
def redshift_query_optimization():
    @task
    def plan_day() -> dict:
        """Choose the day's top fingerprints and list the agent runs still to do."""
        from redshift_optimizer.pipelines import query_optimization as step

        with runtime.task(runtime.optimization_day) as env:
            return step.plan_day(env.lake, env.history, env.settings, env.day, env.run_id)

    @task
    def check_data(plan: dict) -> dict:
        """Run the V-code validation checks in the warehouse for the touched tables."""
        from redshift_optimizer.pipelines import query_optimization as step

        with runtime.task() as env:
            return step.check_data(env.warehouse(), env.lake, env.settings, env.daily_area)

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def build_contexts() -> list:
        """Build each pending agent's context; returns the fingerprints to map the agents over.
        Runs when the data checks failed too: only the validation agent then fails."""
        from redshift_optimizer.pipelines import query_optimization as step

        with runtime.task() as env:
            return step.build_contexts(env.lake, env.settings, env.daily_area, env.rewrite_checkers())

    def agent_task(agent: str):
        @task(
            task_id=agent_task_id(agent),
            pool=AGENT_POOL,
            max_active_tis_per_dagrun=MAX_PARALLEL_AGENTS,
            map_index_template="{{ agent_label }}",
        )
        def run(work_prefix: str, query_hash: str) -> dict:
            """Run one agent on one fingerprint with the run's engine (skipped when done)."""
            from redshift_optimizer.pipelines import query_optimization as step

            get_current_context()["agent_label"] = f"{agent} · {query_hash}"
            with runtime.task() as env:
                return step.run_agent(env.lake, WorkArea(work_prefix), agent, query_hash, env.engine)

        run.__doc__ = f"{agent} on one fingerprint."
        return run

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def persist_results() -> dict:
        """Store every result there is in DynamoDB and the S3 archive, whatever failed."""
        from redshift_optimizer.pipelines import query_optimization as step

        with runtime.task() as env:
            return step.persist_results(env.lake, env.history, env.settings, env.daily_area)

    @task
    def send_alert(persisted: dict) -> dict:
        """One SNS message (and Slack) when a new result is HIGH or above or a check failed;
        then fails the run (without a retry) if an agent failed, so it shows."""
        from redshift_optimizer.pipelines import query_optimization as step

        with runtime.task() as env:
            sent = step.send_alert(env.alert_sender, env.lake, env.settings, persisted)
            step.fail_if_agents_failed(persisted)
        return sent

    plan = plan_day()
    contexts = build_contexts()
    [plan, check_data(plan)] >> contexts
    agents = [
        agent_task(agent).partial(work_prefix=plan["work_prefix"]).expand(query_hash=contexts)
        for agent in AGENT_NAMES
    ]
    persisted = persist_results()
    agents >> persisted
    send_alert(persisted)


redshift_query_optimization()
