"""The composition root: the only module besides the DAG files that knows Airflow.

Each DAG task opens one :class:`TaskEnv` (``with task() as env:``): the run's settings (the
DAG run's ``settings`` param over the Airflow Variable ``redshift_optimizer`` (JSON) over
``REDSHIFT_OPTIMIZER_*`` environment variables over defaults), the day the run covers, its
id, and the adapters built from them on first use: the lake, the history, the alert
sender, the agent engine, and the warehouse, verifier and proof engine opened on demand.
The pipelines take what they need as typed arguments and never import this module.

An error retrying cannot fix (a configuration error, missing input, a rejected query)
fails the task at once with its message; an agent already done skips its task. Called
inside tasks only: nothing here runs when a DAG file is parsed.
"""

from __future__ import annotations

import logging
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any, Callable, Iterator, Mapping

from redshift_optimizer.adapters.lake import MetadataLake
from redshift_optimizer.adapters.notifications import Metrics, Notifier
from redshift_optimizer.errors import ConfigurationError, NotRetryable
from redshift_optimizer.history.store import HistoryStore
from redshift_optimizer.settings import Settings, load_settings
from redshift_optimizer.warehouse import Warehouse, warehouse_from_connection
from redshift_optimizer.work_area import WorkArea

SETTINGS_VARIABLE = "redshift_optimizer"

log = logging.getLogger(__name__)


# ---------------------------------------------------------------- settings and day

def settings_for_run(params: Mapping[str, Any] | None = None) -> Settings:
    """The settings of this run: params' ``settings`` over the Variable over the environment."""
    from airflow.sdk import Variable

    try:
        stored = Variable.get(SETTINGS_VARIABLE, default=None, deserialize_json=True) or {}
    except ValueError as exc:
        raise ConfigurationError(f"Airflow Variable '{SETTINGS_VARIABLE}' is not valid JSON: {exc}") from None
    if not isinstance(stored, dict):
        raise ConfigurationError(f"Airflow Variable '{SETTINGS_VARIABLE}' must be a JSON object")
    overrides = (params or {}).get("settings") or {}
    if not isinstance(overrides, Mapping):
        raise ConfigurationError("the run's settings param must be a JSON object")
    return load_settings(stored, dict(overrides))


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


def optimization_day(context: Mapping[str, Any]) -> date:
    """The day a query-optimization run analyses: params ``run_date``; else the ``run_date``
    in the extra of the triggering METADATA_REFRESHED event (asset-triggered runs have no
    data interval); else the data interval's start (scheduled runs and backfills)."""
    if (context.get("params") or {}).get("run_date"):
        return run_day(context)
    days: list[date] = []
    events = context.get("triggering_asset_events") or {}
    try:
        for asset_events in events.values():
            for event in asset_events:
                value = (getattr(event, "extra", None) or {}).get("run_date")
                if value:
                    days.append(date.fromisoformat(str(value)))
    except (AttributeError, TypeError, ValueError) as exc:
        log.warning("cannot read the triggering asset events (%s); using the run's interval", exc)
    if days:
        if len(set(days)) > 1:
            log.warning("this run was triggered by refreshes of %s; it analyses the newest, %s. Run the "
                        "others with params run_date or `airflow backfill create`.",
                        ", ".join(sorted(map(str, set(days)))), max(days))
        return max(days)
    return run_day(context)


# ------------------------------------------------------------------------ adapters

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


def open_history(settings: Settings, lake: MetadataLake | None = None) -> HistoryStore:
    """The history table of the settings (records too big for an item are read from S3)."""
    from redshift_optimizer.history.archive import archive_reader
    from redshift_optimizer.history.dynamodb import DynamoHistoryStore

    return DynamoHistoryStore(settings.history_table, aws_conn_id=settings.aws_conn_id,
                              archive_reader=archive_reader(lake))


def open_alert_sender(settings: Settings) -> Any:
    from redshift_optimizer.adapters.alerts import AlertSender

    webhook = settings.slack_webhook_url.get_secret_value() if settings.slack_webhook_url else None
    return AlertSender(Notifier(settings.alerts_topic, aws_conn_id=settings.aws_conn_id, setting="alerts_topic"), webhook)


def open_engine(settings: Settings, lake: MetadataLake, plan: Any) -> Any:
    """The agent engine the plan recorded (settings changed mid-run do not mix engines)."""
    from redshift_optimizer.agents.engines import BedrockEngine, RulesEngine

    if plan.engine == "rules":
        return RulesEngine(plan.prompt_version)
    from redshift_optimizer.adapters.bedrock import ConverseClient
    from redshift_optimizer.agents.prompts import load_prompts

    prompts = load_prompts(settings.model_copy(update={"prompt_version": plan.prompt_version}), lake)
    client = ConverseClient(
        plan.model_id or settings.bedrock_model_id, aws_conn_id=settings.aws_conn_id,
        region_name=settings.bedrock_region, max_attempts=settings.bedrock_max_attempts,
        backoff_seconds=settings.bedrock_backoff_seconds, backoff_max_seconds=settings.bedrock_backoff_max_seconds,
        timeout_seconds=settings.bedrock_timeout_seconds,
    )
    return BedrockEngine(
        client, prompts, max_tokens=settings.bedrock_max_tokens, temperature=settings.bedrock_temperature,
        input_price_per_1k=settings.bedrock_input_price_per_1k, output_price_per_1k=settings.bedrock_output_price_per_1k,
    )


# ---------------------------------------------------------------------- the task env

@dataclass
class TaskEnv:
    """What one task works with; every adapter is built on first use, once."""

    settings: Settings
    day: date
    run_id: str
    params: Mapping[str, Any] = field(default_factory=dict)
    context: Mapping[str, Any] = field(default_factory=dict, repr=False)
    opened: ExitStack = field(default_factory=ExitStack, repr=False)

    @cached_property
    def lake(self) -> MetadataLake:
        return open_lake(self.settings)

    @cached_property
    def history(self) -> HistoryStore:
        return open_history(self.settings, self.lake)

    @cached_property
    def alert_sender(self) -> Any:
        return open_alert_sender(self.settings)

    @cached_property
    def notifier(self) -> Notifier:
        return open_notifier(self.settings)

    @cached_property
    def metrics(self) -> Metrics:
        return open_metrics(self.settings)

    @property
    def daily_area(self) -> WorkArea:
        return WorkArea.daily(self.run_id)

    @property
    def adhoc_area(self) -> WorkArea:
        return WorkArea.adhoc(self.run_id)

    def engine(self, plan: Any) -> Any:
        """The engine of ``plan`` (a RunPlan): what :func:`run_agent` calls per agent run."""
        return open_engine(self.settings, self.lake, plan)

    def warehouse(self) -> Warehouse:
        """The warehouse as the product's user, open until the task ends."""
        return self.opened.enter_context(open_warehouse(self.settings))

    def verifier(self) -> Warehouse:
        """The warehouse as the verification identity, open until the task ends."""
        return self.opened.enter_context(self.open_verifier())

    def open_verifier(self) -> Warehouse:
        """The warehouse as the verification identity, not yet opened (the caller opens it)."""
        return open_verifier(self.settings)

    def proof_engine(self) -> Warehouse | None:
        """The proof engine of setting ``proof_conn_id`` (None without it), open until the task ends."""
        return self.opened.enter_context(open_proof_engine(self.settings)) if self.settings.proof_conn_id else None

    def rewrite_checkers(self) -> Any:
        """What the daily run checks its rewrites with: the proof engine (setting
        ``proof_conn_id``) and, with setting ``verify_rewrites_in_warehouse``, the warehouse as
        the verification identity (rewrites are never run as the profiling user)."""
        from redshift_optimizer.pipelines.rewrite_checks import RewriteCheckers

        verifier = self.verifier() if self.settings.verify_rewrites_in_warehouse else None
        return RewriteCheckers(warehouse=verifier, proof_engine=self.proof_engine())


@contextmanager
def task(day_of: Callable[[Mapping[str, Any]], date] = run_day,
         no_retry: tuple[type[BaseException], ...] = ()) -> Iterator[TaskEnv]:
    """The running task's environment. NotRetryable errors (and ``no_retry``) fail the task
    at once with their message; an agent run already done skips the task."""
    from airflow.sdk import get_current_context

    try:  # Airflow >= 3.1 exports these from the SDK; 3.0.x (MWAA) from core
        from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException
    except ImportError:  # pragma: no cover
        from airflow.exceptions import AirflowFailException, AirflowSkipException
    from redshift_optimizer.pipelines.agent_runs import AgentNotPending

    try:
        context = get_current_context()
        params = context.get("params") or {}
        env = TaskEnv(settings_for_run(params), day_of(context), str(context.get("run_id") or ""), params, context)
        with env.opened:
            yield env
    except ConfigurationError as exc:
        raise AirflowFailException(f"configuration error: {exc}") from None
    except AgentNotPending as done:
        raise AirflowSkipException(str(done)) from None
    except NotRetryable as exc:
        raise AirflowFailException(str(exc)) from None
    except no_retry as exc:
        raise AirflowFailException(str(exc)) from None


@contextmanager
def task_step() -> Iterator[tuple[Settings, date]]:
    """The running task's settings and day (for callers that need no adapters)."""
    with task() as env:
        yield env.settings, env.day


__all__ = [
    "SETTINGS_VARIABLE",
    "TaskEnv",
    "open_alert_sender",
    "open_engine",
    "open_history",
    "open_lake",
    "open_metrics",
    "open_notifier",
    "open_proof_engine",
    "open_verifier",
    "open_warehouse",
    "optimization_day",
    "run_day",
    "settings_for_run",
    "task",
    "task_step",
]
