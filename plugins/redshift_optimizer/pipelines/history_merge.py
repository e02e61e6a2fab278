"""Storing a run's results: the merge policy (what a new result may replace in the history
record of its fingerprint and day) and the write to DynamoDB and the S3 archive."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any, Mapping

from redshift_optimizer.history.archive import RecommendationArchive
from redshift_optimizer.history.store import HistoryStore
from redshift_optimizer.models.agents import AGENT_NAMES, AgentResult, AgentStatus, AnalysisRecord, QueryInfo
from redshift_optimizer.models.lake import Lake, utc_timestamp
from redshift_optimizer.models.runs import RunPlan
from redshift_optimizer.pipelines.alerts import alert_entry
from redshift_optimizer.pipelines.plans import read_plan, read_sources, slow_by_hash
from redshift_optimizer.settings import Settings
from redshift_optimizer.work_area import WorkArea

log = logging.getLogger(__name__)

NOT_RUN = "the agent's task did not run (an upstream task failed)"


def merge_results(stored: Mapping[str, AgentResult], new: Mapping[str, AgentResult]
                  ) -> tuple[dict[str, AgentResult], bool]:
    """(merged agents, whether anything changed). A succeeded result already stored is never
    replaced; the same failure again is nothing new."""
    merged = dict(stored)
    changed = False
    for agent, result in new.items():
        old = merged.get(agent)
        if old is not None and old.succeeded:
            continue
        if old is not None and not result.succeeded and old.error == result.error:
            continue  # the same failure again: nothing new to write
        merged[agent] = result
        changed = True
    return merged, changed


def new_results(lake: Lake, area: WorkArea, plan: RunPlan, query_hash: str) -> dict[str, AgentResult]:
    """The run's result of each pending agent on ``query_hash``; an agent that left none is failed."""
    new: dict[str, AgentResult] = {}
    for agent in plan.pending_agents(query_hash):
        data = lake.read_json(area.result(query_hash, agent))
        new[agent] = AgentResult.model_validate(data) if data is not None else AgentResult(
            agent_name=agent, query_hash=query_hash, status=AgentStatus.FAILED, engine=plan.engine,
            prompt_version=plan.prompt_version, error=NOT_RUN)
    return new


def persist_results(lake: Lake, history: HistoryStore, settings: Settings, area: WorkArea) -> dict[str, Any]:
    """Merge every fingerprint's new results into its history record and archive it.

    Runs whatever happened upstream: an agent that left no result is recorded as failed,
    the others are kept. A record is written only when it changed (so re-running a day
    writes nothing)."""
    plan = read_plan(lake, area)
    _, _, slow = read_sources(lake, plan)
    by_hash = slow_by_hash(slow)
    archive = RecommendationArchive(lake)
    stored, alerts, failed = [], [], 0
    for entry in plan.queries:
        query_hash = entry.query_hash
        if not plan.pending_agents(query_hash):
            continue
        new = new_results(lake, area, plan, query_hash)
        failed += sum(1 for result in new.values() if result.status is not AgentStatus.SUCCEEDED)
        existing = history.find(query_hash, entry.analysis_timestamp)
        merged, changed = merge_results(existing.agents if existing else {}, new)
        if not changed:
            continue
        stats = by_hash[query_hash]
        record = AnalysisRecord(
            query_hash=query_hash, analysis_timestamp=entry.analysis_timestamp, run_date=plan.run_date,
            analyzed_at=utc_timestamp(datetime.now(timezone.utc)), engine=plan.engine,
            prompt_version=plan.prompt_version, schema_version=plan.schema_version,
            rules_version=plan.rules_version, model_id=plan.model_id,
            query=QueryInfo(query_hash=query_hash, fingerprint=stats.fingerprint, query_text=stats.query_text,
                            database=stats.database, user=stats.user, executions=stats.executions,
                            total_elapsed_ms=stats.total_elapsed_ms, mean_elapsed_ms=stats.mean_elapsed_ms,
                            rank=entry.rank),
            agents={name: merged[name] for name in AGENT_NAMES if name in merged},
            archive_uri=archive.uri(plan.run_date, query_hash),
            revision=(existing.revision + 1) if existing else 1,
        )
        archive.store(record)
        if history.put(record):
            stored.append(query_hash)
            alert = alert_entry(record, new, settings)
            if alert:
                alerts.append(alert)
    log.info("%d record(s) stored, %d alerting, %d agent run(s) without a result", len(stored), len(alerts), failed)
    return {"run_date": plan.run_date, "stored": stored, "alerts": alerts, "failed_agents": failed}


__all__ = ["NOT_RUN", "merge_results", "new_results", "persist_results"]
