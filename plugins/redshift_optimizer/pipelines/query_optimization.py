"""The daily query optimization: the four agents over the day's most expensive fingerprints.

Steps (one DAG task each; they pass only lake keys and small summaries):

1. :func:`plan_day`: the day's snapshot, profile and slow queries become the plan's sources;
   pick the top N fingerprints by total elapsed time, review the schema and workload once
   (T and C findings), and list the (agent, fingerprint) pairs not yet analysed with this
   engine, prompt version and snapshot on this day (``plan.json``, a :class:`RunPlan`).
2. :func:`~.data_checks.check_data`: the V checks, as SQL in the warehouse.
3. :func:`~.contexts.build_contexts`: one context per pending pair.
4. :func:`~.agent_runs.run_agent`: one agent on one fingerprint with the run's engine.
5. :func:`~.history_merge.persist_results`: merge each fingerprint's results with what the
   history already has, store the record in DynamoDB and the S3 archive.
6. :func:`~.alerts.send_alert`: one SNS message (and Slack) when a new result is HIGH or
   above or a validation check failed.

The work area is ``optimizer-runs/<run_id>/`` in the lake (:class:`WorkArea`), one per DAG run.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from redshift_optimizer import lake_keys
from redshift_optimizer.history.store import HistoryStore
from redshift_optimizer.models.agents import AGENT_NAMES, analysis_timestamp
from redshift_optimizer.models.lake import Lake
from redshift_optimizer.models.runs import PlannedQuery, RunPlan, RunSources
from redshift_optimizer.pipelines.agent_runs import AgentNotPending, run_agent
from redshift_optimizer.pipelines.alerts import alert_message, fail_if_agents_failed, send_alert
from redshift_optimizer.pipelines.contexts import agent_contexts, build_contexts, cost_findings, schema_findings
from redshift_optimizer.pipelines.data_checks import check_data
from redshift_optimizer.pipelines.history_merge import persist_results
from redshift_optimizer.pipelines.plans import (
    MissingMetadata,
    MissingPlan,
    analysis_settings,
    engine_identity,
    load_sources,
    top_queries,
    window_days,
    write_plan,
)
from redshift_optimizer.rules.settings import AnalysisSettings
from redshift_optimizer.settings import Settings
from redshift_optimizer.work_area import WORK_PREFIX, WorkArea

log = logging.getLogger(__name__)


def day_sources(day: date) -> RunSources:
    """The day's objects of the metadata refresh."""
    return RunSources(snapshot=lake_keys.schema_dated(day), profile=lake_keys.profile(day),
                      slow_queries=lake_keys.slow_queries(day))


def plan_day(lake: Lake, history: HistoryStore, settings: Settings, day: date, run_id: str) -> dict[str, Any]:
    """Choose the fingerprints, review the schema once, and list the pending agents."""
    from redshift_optimizer.analysis import review_schema

    sources = day_sources(day)
    snapshot, profile, slow = load_sources(lake, sources, day.isoformat())
    engine, prompt_version = engine_identity(settings)
    area = WorkArea.daily(run_id)
    chosen = top_queries(slow, settings.top_queries)
    review = review_schema(snapshot, profile, slow, settings=analysis_settings(settings))
    lake.write_json(area.review, review)

    pending: dict[str, list[str]] = {agent: [] for agent in AGENT_NAMES}
    queries = []
    for rank, query in enumerate(chosen, 1):
        timestamp = analysis_timestamp(day.isoformat(), engine, prompt_version, snapshot.schema_version)
        existing = history.find(query.query_hash, timestamp)
        done = {name for name, result in (existing.agents.items() if existing else []) if result.succeeded}
        for agent in AGENT_NAMES:
            if agent not in done:
                pending[agent].append(query.query_hash)
        queries.append(PlannedQuery(query_hash=query.query_hash, rank=rank, analysis_timestamp=timestamp,
                                    already_done=sorted(done)))
    plan = RunPlan(
        kind="daily", run_date=day.isoformat(), run_id=run_id, work_prefix=area.prefix, engine=engine,
        prompt_version=prompt_version, model_id=settings.bedrock_model_id if engine == "bedrock" else None,
        schema_version=snapshot.schema_version, rules_version=review.rules_version,
        queries=queries, pending=pending, window_days=window_days(slow), sources=sources,
    )
    log.info("%s: %d of %d fingerprints chosen", day, len(chosen), len(slow.queries))
    return write_plan(lake, area, plan)


def work_prefix(run_id: str) -> str:
    """The daily run's work area in the lake (expire ``optimizer-runs/`` with a lifecycle rule)."""
    return WorkArea.daily(run_id).prefix


def result_key(prefix: str, query_hash: str, agent: str) -> str:
    return WorkArea(prefix).result(query_hash, agent)


__all__ = [
    "WORK_PREFIX",
    "AgentNotPending",
    "MissingMetadata",
    "MissingPlan",
    "agent_contexts",
    "alert_message",
    "analysis_settings",
    "build_contexts",
    "check_data",
    "cost_findings",
    "day_sources",
    "engine_identity",
    "fail_if_agents_failed",
    "persist_results",
    "plan_day",
    "result_key",
    "run_agent",
    "schema_findings",
    "send_alert",
    "top_queries",
    "work_prefix",
]
