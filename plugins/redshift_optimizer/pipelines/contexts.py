"""Each pending agent's context for one run: the rule findings, the touched tables only, the
citable metrics (``contexts/<hash>/<agent>.json`` in the work area)."""

from __future__ import annotations

import logging
from typing import Any, Mapping

from redshift_optimizer.agents.context import (
    AgentContext,
    query_metrics,
    table_metadata,
    table_metrics,
    touched_tables,
)
from redshift_optimizer.agents.cost_saver import cost_findings, workload_summary
from redshift_optimizer.agents.query_optimizer import RewriteCheckers
from redshift_optimizer.agents.registry import agent
from redshift_optimizer.agents.schema_normalizer import schema_findings
from redshift_optimizer.agents.unit import ContextInputs
from redshift_optimizer.agents.validation import TableValidation
from redshift_optimizer.models.agents import QueryInfo
from redshift_optimizer.models.findings import SchemaReview
from redshift_optimizer.models.lake import DataProfile, Lake, SchemaSnapshot, SlowQueries, SlowQuery
from redshift_optimizer.pipelines.plans import analysis_settings, read_plan, read_sources, slow_by_hash
from redshift_optimizer.settings import Settings
from redshift_optimizer.work_area import WorkArea

log = logging.getLogger(__name__)

def build_contexts(lake: Lake, settings: Settings, area: WorkArea, checkers: RewriteCheckers | None = None
                   ) -> list[str]:
    """One context per pending (agent, fingerprint), from the plan's sources; returns the
    fingerprints with at least one pending agent (what the agent tasks map over). The
    rewrites are checked with ``checkers`` (none: up to their signature)."""
    plan = read_plan(lake, area)
    snapshot, profile, slow = read_sources(lake, plan)
    review = SchemaReview.model_validate(lake.read_json(area.review))
    validation = lake.read_json(area.validation)
    validation_error = None
    if validation is None:
        validation_error = "the validation checks did not run (the check_data task failed)"
        validation = {"tables": {}}
    tables = {name: TableValidation.model_validate(data) for name, data in validation["tables"].items()}
    by_hash = slow_by_hash(slow)
    written, mapped = 0, []
    for entry in plan.queries:
        query_hash = entry.query_hash
        agents = plan.pending_agents(query_hash)
        if not agents:
            continue
        mapped.append(query_hash)
        contexts = agent_contexts(
            by_hash[query_hash], entry.rank, agents, snapshot, profile, review, slow, tables, settings,
            run_date=plan.run_date, checkers=checkers, validation_error=validation_error,
            window_days=plan.window_days,
        )
        for agent, context in contexts.items():
            lake.write_json(area.context(query_hash, agent), context)
            written += 1
    log.info("%d agent context(s) written under %s", written, lake.uri(area.contexts))
    return mapped


def agent_contexts(
    stats: SlowQuery,
    rank: int,
    agents: list[str] | tuple[str, ...],
    snapshot: SchemaSnapshot,
    profile: DataProfile | None,
    review: SchemaReview,
    window: SlowQueries,
    validation: Mapping[str, TableValidation],
    settings: Settings,
    *,
    run_date: str,
    checkers: RewriteCheckers | None = None,
    validation_error: str | None = None,
    window_days: float = 1.0,
) -> dict[str, AgentContext]:
    """The contexts of ``agents`` for one fingerprint (pure: no lake, no Airflow).

    ``review`` is :func:`redshift_optimizer.analysis.review_schema` of the snapshot and
    window; ``validation`` the V checks per table (:func:`check_data`). An ad-hoc analysis
    of one query passes a window holding only that query."""
    config = analysis_settings(settings)
    price_per_second = config.price_per_second()
    query_hash = stats.query_hash
    tables = touched_tables(stats.query_text, snapshot)
    names = {t.table_name for t in tables}
    metadata = [table_metadata(t, profile) for t in tables]
    metrics = {**query_metrics(stats, rank, price_per_second, window_days), **table_metrics(metadata)}
    base = dict(
        run_date=run_date, schema_version=snapshot.schema_version, rules_version=review.rules_version,
        query=QueryInfo(query_hash=query_hash, fingerprint=stats.fingerprint, query_text=stats.query_text,
                        database=stats.database, user=stats.user, executions=stats.executions,
                        total_elapsed_ms=stats.total_elapsed_ms, mean_elapsed_ms=stats.mean_elapsed_ms, rank=rank),
        tables=metadata, prices={"price_per_second": price_per_second,
                                 "storage_price_per_gb_month": config.storage_price_per_gb_month},
    )
    inputs = ContextInputs(
        stats=stats, snapshot=snapshot, profile=profile, review=review, window=window, validation=validation,
        config=config, price_per_second=price_per_second, window_days=window_days, tables=frozenset(names),
        checkers=checkers, validation_error=validation_error,
    )
    contexts: dict[str, AgentContext] = {}
    for name in agents:
        fields = agent(name).context(inputs)
        extra = {**fields, "metrics": {**metrics, **fields.get("metrics", {})}}
        contexts[name] = AgentContext(agent_name=name, **base, **extra)
    return contexts


__all__ = ["agent_contexts", "build_contexts", "cost_findings", "schema_findings", "workload_summary"]
