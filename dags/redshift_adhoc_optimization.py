"""
### Redshift ad-hoc optimization: the four agents on one submitted query

Triggered by the API (`POST /optimize/redshift`) or by hand with the params `sql`
(required), `database`, `schema` and `requested_by`. The same steps as the daily
`redshift_query_optimization`, on one query:

1. **plan_query**: fingerprint the query; take the latest snapshot (`schema` first on the
   search path), profile and slow-query window from the lake; list the agents not yet run
   for this fingerprint, engine, prompt version and snapshot today
2. **check_data**: the data-validation checks (V codes) in the warehouse for the touched tables
3. **build_contexts**: each agent's context: rule findings, the touched tables only
4. **verify_rewrite**: the rule engine's rewrite run against the original on the warehouse,
   up to `equivalent`: only what the SQL guard allows, as the low-privilege user of
   connection `verification_conn_id`, read-only transaction, cancelled past its time
   budget, row budget (settings `adhoc_verify_rewrites`, `adhoc_statement_timeout_seconds`,
   `adhoc_max_rows`)
5. **redshift-query-optimizer**, **schema-normalizer**, **cost-saver**, **data-validation-agent**
6. **persist_results** (runs whatever the agents did): DynamoDB `query-optimization-history`
   and `s3://<bucket>/recommendations/YYYY/MM/DD/<query_hash>.json`, like the daily runs;
   when the history holds the same shape with other literals (another caller's), this run's
   results stay in its work area and that record is left alone. Then the run fails if an
   agent failed or did not run, so the job shows it.

The history answers a submission only when it holds the same text: the same shape with
other literals is analysed again on the caller's own text.

No alert: the person who asked is watching the job. The run id is the API's job id; the
work area is `optimizer-runs/adhoc/<run_id>/` in the lake.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import Param, dag, task
from airflow.task.trigger_rule import TriggerRule
from redshift_optimizer import runtime
from redshift_optimizer.models.agents import AGENT_NAMES, agent_task_id

MAX_ACTIVE_RUNS = 4

default_args = {
    "owner": "data-platform",
    # Someone is waiting for the answer: retry once, quickly.
    "retries": 1,
    "retry_delay": timedelta(seconds=10),
}


@dag(
    dag_id="redshift_adhoc_optimization",
    doc_md=__doc__,
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=MAX_ACTIVE_RUNS,
    # Only ever triggered on request: a paused DAG would keep every job queued.
    is_paused_upon_creation=False,
    default_args=default_args,
    tags=["redshift", "optimizer", "agents", "adhoc"],
    params={
        "sql": Param(type="string", minLength=1, description="The query to optimize (Redshift SQL)"),
        "database": Param(None, type=["null", "string"], description="Database the query runs in"),
        "schema": Param(None, type=["null", "string"], description="Schema of its unqualified table names"),
        "requested_by": Param(None, type=["null", "string"], description="Who asked (recorded with the job)"),
        "settings": Param({}, type="object", description="Setting overrides for this run"),
    },
)
def redshift_adhoc_optimization():
    @task
    def plan_query() -> dict:
        """Check the query once, fingerprint it, choose the metadata and list the agent runs still to do."""
        from redshift_optimizer.errors import OptimizerError
        from redshift_optimizer.pipelines import adhoc_optimization as adhoc

        with runtime.task(no_retry=(OptimizerError,)) as env:  # a query that does not parse: no retry
            request = adhoc.QueryRequest.model_validate(env.params)
            return adhoc.plan_query(env.lake, env.history, env.settings, request, env.day, env.run_id)

    @task
    def check_data(plan: dict) -> dict:
        """Run the V-code validation checks in the warehouse for the touched tables."""
        from redshift_optimizer.pipelines import query_optimization as step

        with runtime.task() as env:
            return step.check_data(env.warehouse(), env.lake, env.settings, env.adhoc_area)

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def build_contexts(plan: dict, checks: dict | None) -> list:
        """Build each pending agent's context (the rewrite checked by the next step)."""
        from redshift_optimizer.pipelines import query_optimization as step

        with runtime.task() as env:
            return step.build_contexts(env.lake, env.settings, env.adhoc_area)

    @task
    def verify_rewrite(plan: dict, contexts: list) -> dict:
        """Check the rewrite: each step proved on adversarial data (setting proof_conn_id) and costed,
        the whole run against the original as the verification user, read-only and budgeted."""
        from redshift_optimizer.pipelines import adhoc_optimization as adhoc

        with runtime.task() as env:
            return adhoc.verify_rewrite(env.lake, env.open_verifier, env.settings, env.adhoc_area, env.proof_engine())

    def agent_task(agent: str):
        @task(task_id=agent_task_id(agent))
        def run(plan: dict) -> dict:
            """Run one agent on the query with the run's engine (skipped when already stored)."""
            from redshift_optimizer.pipelines import query_optimization as step

            with runtime.task() as env:
                return step.run_agent(env.lake, env.adhoc_area, agent, plan["query_hash"], env.engine)

        run.__doc__ = f"{agent} on the submitted query."
        return run

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def persist_results(plan: dict) -> dict:
        """Store every result there is in DynamoDB and the S3 archive, whatever failed; then
        fail the run when an agent failed, so the job does not show a green run hiding it."""
        from redshift_optimizer.pipelines import adhoc_optimization as adhoc

        with runtime.task() as env:
            return adhoc.persist_job_results(env.lake, env.history, env.settings, env.adhoc_area)

    plan = plan_query()
    contexts = build_contexts(plan, check_data(plan))
    optimizer, *others = [agent_task(agent)(plan) for agent in AGENT_NAMES]
    verify_rewrite(plan, contexts) >> optimizer
    contexts >> others
    [optimizer, *others] >> persist_results(plan)


redshift_adhoc_optimization()
