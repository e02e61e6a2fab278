"""What the DAG tasks need from Airflow: settings, the run's day, and the adapters.

Settings come from the DAG run's params (``settings`` object), then the Airflow Variable
``redshift_optimizer`` (JSON), then ``REDSHIFT_OPTIMIZER_*`` environment variables, then
defaults. Called inside tasks only: nothing here runs when a DAG file is parsed.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, Iterator, Mapping

from redshift_optimizer.adapters.lake import MetadataLake
from redshift_optimizer.adapters.notifications import Metrics, Notifier
from redshift_optimizer.errors import ConfigurationError, NotRetryable
from redshift_optimizer.settings import Settings, load_settings
from redshift_optimizer.warehouse import Warehouse, warehouse_from_connection

SETTINGS_VARIABLE = "redshift_optimizer"


def settings_for_run(params: Mapping[str, Any] | None = None) -> Settings:
    """The settings of this run: params' ``settings`` over the Variable over the environment."""
    from airflow.sdk import Variable

    try:
        stored = Variable.get(SETTINGS_VARIABLE, default=None, deserialize_json=True) or {}
    except ValueError as exc:
        raise ConfigurationError(f"Airflow Variable '{SETTINGS_VARIABLE}' is not valid JSON: {exc}") from None
    if not isinstance(stored, dict):
        raise ConfigurationError(f"Airflow Variable '{SETTINGS_VARIABLE}' must be a JSON object")
    return load_settings(stored, (params or {}).get("settings"))


def run_day(context: Mapping[str, Any]) -> date:
    """The day a run covers: params ``run_date``, else the data interval's start, else the
    logical date, else the day the run was scheduled for. Never the wall clock."""
    run_date = (context.get("params") or {}).get("run_date")
    if run_date:
        try:
            return date.fromisoformat(str(run_date))
        except ValueError:
            raise ConfigurationError(f"param run_date {run_date!r} is not a date (YYYY-MM-DD)") from None
    for key in ("data_interval_start", "logical_date"):
        value = context.get(key)
        if isinstance(value, datetime):
            return value.date()
    dag_run = context.get("dag_run")
    run_after = getattr(dag_run, "run_after", None)
    if isinstance(run_after, datetime):
        return run_after.date()
    raise ConfigurationError("this run has no date: pass params run_date (YYYY-MM-DD)")


def open_warehouse(settings: Settings) -> Warehouse:
    return warehouse_from_connection(settings.warehouse_conn_id, settings.resolved_include_dir())


def open_verifier(settings: Settings) -> Warehouse:
    """The warehouse as the verification identity (setting ``verification_conn_id``): the
    user that runs callers' SQL in rewrite checks, with SELECT on the tables and nothing else."""
    return warehouse_from_connection(settings.verification_conn_id, settings.resolved_include_dir(),
                                     setting="verification_conn_id")


def open_proof_engine(settings: Settings) -> Warehouse:
    """The PostgreSQL of setting ``proof_conn_id``, where rewrites are proved on generated data."""
    return warehouse_from_connection(settings.proof_conn_id, settings.resolved_include_dir(),
                                     setting="proof_conn_id")


def open_lake(settings: Settings) -> MetadataLake:
    return MetadataLake(settings.bucket, settings.key_prefix, aws_conn_id=settings.aws_conn_id)


def open_notifier(settings: Settings) -> Notifier:
    return Notifier(settings.schema_change_topic, aws_conn_id=settings.aws_conn_id)


def open_metrics(settings: Settings) -> Metrics:
    return Metrics(settings.cloudwatch_namespace, aws_conn_id=settings.aws_conn_id)


@contextmanager
def task_step() -> Iterator[tuple[Settings, date]]:
    """The running task's settings and day. An error retrying cannot fix (a configuration
    error, missing input) fails the task at once, with its message, which names the cause."""
    from airflow.exceptions import AirflowFailException
    from airflow.sdk import get_current_context

    try:
        context = get_current_context()
        yield settings_for_run(context["params"]), run_day(context)
    except ConfigurationError as exc:
        raise AirflowFailException(f"configuration error: {exc}") from None
    except NotRetryable as exc:
        raise AirflowFailException(str(exc)) from None
