"""
### Redshift metadata refresh

Every day at 02:00 UTC, read the warehouse and fill the metadata lake in S3 that the agents
and the API read (see `metadata-contract.md`):

1. **snapshot_schema**: tables, columns and physical design (three catalog statements,
   whatever the number of tables) -> `metadata/schema/schema-YYYYMMDD.json`
2. **profile_data**: one aggregate statement per table, run in the warehouse
   -> `metadata/data_profile/profile-YYYYMMDD.json`
3. **gather_slow_queries**: the day's statements over the threshold, grouped by fingerprint
   -> `metadata/query_history/YYYY/MM/DD/slow_queries.json`
4. **publish_schema**: diff against the previous snapshot, `diff-YYYYMMDD.json`, the latest
   `schema.json`, one SNS message when something changed
5. **publish_metrics**: CloudWatch `MetadataTablesProcessed`, `SchemaChangesDetected`

The day is the run's data interval start (or the `run_date` param), never the wall clock:
re-running or backfilling a day overwrites that day's objects. Settings: the Airflow
Variable `redshift_optimizer` (JSON) or the `settings` param; see the README.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import Param, dag, task
from redshift_optimizer import runtime
from redshift_optimizer.assets import METADATA_REFRESHED

try:  # Airflow >= 3.1 exports it from the SDK; 3.0.x (MWAA) from core
    from airflow.sdk import CronDataIntervalTimetable
except ImportError:  # pragma: no cover
    from airflow.timetables.interval import CronDataIntervalTimetable


default_args = {
    "owner": "data-platform",
    "retries": 2,
    "retry_delay": timedelta(minutes=5),
}


@dag(
    dag_id="redshift_metadata_refresh",
    doc_md=__doc__,
    schedule=CronDataIntervalTimetable("0 2 * * *", timezone="UTC"),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=default_args,
    tags=["redshift", "metadata", "optimizer"],
    params={
        "run_date": Param(None, type=["null", "string"], format="date",
                          description="Day to refresh (YYYY-MM-DD); default: the run's data interval start"),
        "settings": Param({}, type="object", description="Setting overrides for this run"),
    },
)
def redshift_metadata_refresh():
    @task
    def snapshot_schema() -> dict:
        """Extract tables, columns and physical design; write the day's snapshot."""
        from redshift_optimizer.pipelines import metadata_refresh as step

        with runtime.task() as env:
            return step.snapshot_schema(env.warehouse(), env.lake, env.settings, env.day)

    @task
    def profile_data(snapshot: dict) -> dict:
        """Profile every table of the snapshot with aggregates run in the warehouse."""
        from redshift_optimizer.pipelines import metadata_refresh as step

        with runtime.task() as env:
            return step.profile_data(env.warehouse(), env.lake, env.settings, env.day)

    @task
    def gather_slow_queries() -> dict:
        """Collect the day's slow queries grouped by fingerprint."""
        from redshift_optimizer.pipelines import metadata_refresh as step

        with runtime.task() as env:
            return step.gather_slow_queries(env.warehouse(), env.lake, env.settings, env.day)

    @task
    def publish_schema(snapshot: dict) -> dict:
        """Diff against the previous snapshot, update schema.json, alert on a change."""
        from redshift_optimizer.pipelines import metadata_refresh as step

        with runtime.task() as env:
            return step.publish_schema(env.lake, env.notifier, env.day)

    @task(outlets=[METADATA_REFRESHED])
    def publish_metrics(snapshot: dict, changes: dict, profile: dict, slow: dict, *, outlet_events=None) -> None:
        """Send MetadataTablesProcessed and SchemaChangesDetected; announce the day's objects."""
        from redshift_optimizer.pipelines import metadata_refresh as step

        with runtime.task() as env:
            step.publish_metrics(env.metrics, env.day, snapshot["database"], snapshot["tables"], changes["changes"])
            outlet_events[METADATA_REFRESHED].extra = step.refreshed_event(env.day, snapshot, changes, profile, slow)

    snapshot = snapshot_schema()
    changes = publish_schema(snapshot)
    publish_metrics(snapshot, changes, profile_data(snapshot), gather_slow_queries())


redshift_metadata_refresh()
