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
from redshift_optimizer.agents.validation import TableValidation
from redshift_optimizer.models.agents import (
    COST_SAVER,
    DATA_VALIDATION,
    QUERY_OPTIMIZER,
    SCHEMA_NORMALIZER,
    QueryInfo,
)
from redshift_optimizer.models.findings import SchemaReview
from redshift_optimizer.models.lake import DataProfile, Lake, SchemaSnapshot, SlowQueries, SlowQuery
from redshift_optimizer.pipelines.plans import (
    analysis_settings,
    read_plan,
    read_sources,
    slow_by_hash,
    top_queries,
)
from redshift_optimizer.pipelines.rewrite_checks import RewriteCheckers, check_rewrites, optimizer_fields
from redshift_optimizer.settings import Settings
from redshift_optimizer.work_area import WorkArea

log = logging.getLogger(__name__)

#: Codes whose findings matter to the cost-saver's storage view of the touched tables.
_STORAGE_TABLE_CODES = ("T004", "T008", "T011")
_WORKLOAD_TOP = 5


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
    from redshift_optimizer.rules.parsing import SqlInputError

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
    contexts: dict[str, AgentContext] = {}
    for agent in agents:
        extra: dict[str, Any] = {"metrics": dict(metrics)}
        if agent == QUERY_OPTIMIZER:
            try:
                extra.update(optimizer_fields(check_rewrites(stats, snapshot, profile, config,
                                                             checkers or RewriteCheckers())))
            except SqlInputError as exc:
                extra["parse_error"] = str(exc)
        elif agent == SCHEMA_NORMALIZER:
            extra["findings"] = schema_findings(review, names)
        elif agent == COST_SAVER:
            workload = workload_summary(window, price_per_second, window_days)
            top = workload[:_WORKLOAD_TOP]
            if not any(w["query_hash"] == query_hash for w in top):
                top = top + [w for w in workload if w["query_hash"] == query_hash]
            extra.update(findings=cost_findings(review, query_hash, names), workload=top)
            for w in top:
                for key in ("executions", "total_elapsed_seconds", "cost_per_day", "share_of_workload_pct"):
                    extra["metrics"][f"workload.{w['query_hash']}.{key}"] = w.get(key)
        elif agent == DATA_VALIDATION:
            checks, findings = [], []
            for name in sorted(names):
                if name in validation:
                    checks += validation[name].checks
                    findings += validation[name].findings
            extra.update(validation_checks=checks, findings=findings)
            for check in checks:
                key = f"check.{check.code}.{check.table}" + (f".{check.column}" if check.column else "")
                extra["metrics"][key] = check.status
            if validation_error:
                extra["parse_error"] = validation_error
        contexts[agent] = AgentContext(agent_name=agent, **base, **extra)
    return contexts


def schema_findings(review: SchemaReview, tables: set[str]) -> list:
    """The schema-normalizer's findings: the T findings of the touched tables only."""
    return [f for f in review.table_findings if f.table in tables]


def cost_findings(review: SchemaReview, query_hash: str, tables: set[str], general_limit: int = 10) -> list:
    """The cost-saver's findings: this fingerprint's C findings, the workload-wide ones
    (unused tables, largest first, capped), and the storage T findings of the touched tables."""
    mine = [f for f in review.workload_findings if f.query_hash == query_hash]
    general = sorted((f for f in review.workload_findings if f.query_hash is None),
                     key=lambda f: -((f.saving or {}).get("money_per_day") or 0))[:general_limit]
    storage = [f for f in review.table_findings if f.table in tables and f.code in _STORAGE_TABLE_CODES]
    return [*mine, *general, *storage]


def workload_summary(slow: SlowQueries, price_per_second: float, days: float) -> list[dict[str, Any]]:
    total = sum(q.total_elapsed_ms or 0 for q in slow.queries) or 1.0
    summary = []
    for q in top_queries(slow, len(slow.queries)):
        seconds = (q.total_elapsed_ms or 0) / 1000.0 / max(days, 1e-9)
        summary.append({
            "query_hash": q.query_hash, "executions": q.executions,
            "total_elapsed_seconds": round(seconds, 3), "cost_per_day": round(seconds * price_per_second, 4),
            "share_of_workload_pct": round(100.0 * (q.total_elapsed_ms or 0) / total, 2),
        })
    return summary



__all__ = ["agent_contexts", "build_contexts", "cost_findings", "schema_findings", "workload_summary"]
