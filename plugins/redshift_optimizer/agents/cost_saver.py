"""``cost-saver``: the fingerprint among the day's workload: high-cost queries, cost
reduction, WLM and storage actions, with estimated savings in seconds and USD."""

from __future__ import annotations

from typing import Any

from redshift_optimizer.agents import rules_engine
from redshift_optimizer.agents.context import top_queries
from redshift_optimizer.agents.unit import Agent, ContextInputs
from redshift_optimizer.models.agents import COST_SAVER, CostSaverOutput
from redshift_optimizer.models.findings import SchemaReview
from redshift_optimizer.models.lake import SlowQueries

#: Codes whose findings matter to the cost-saver's storage view of the touched tables.
STORAGE_TABLE_CODES = ("T004", "T008", "T011")
WORKLOAD_TOP = 5


def cost_findings(review: SchemaReview, query_hash: str, tables: set[str] | frozenset[str],
                  general_limit: int = 10) -> list:
    """The cost-saver's findings: this fingerprint's C findings, the workload-wide ones
    (unused tables, largest first, capped), and the storage T findings of the touched tables."""
    mine = [f for f in review.workload_findings if f.query_hash == query_hash]
    general = sorted((f for f in review.workload_findings if f.query_hash is None),
                     key=lambda f: -((f.saving or {}).get("money_per_day") or 0))[:general_limit]
    storage = [f for f in review.table_findings if f.table in tables and f.code in STORAGE_TABLE_CODES]
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


def context(inputs: ContextInputs) -> dict[str, Any]:
    query_hash = inputs.stats.query_hash
    workload = workload_summary(inputs.window, inputs.price_per_second, inputs.window_days)
    top = workload[:WORKLOAD_TOP]
    if not any(w["query_hash"] == query_hash for w in top):
        top = top + [w for w in workload if w["query_hash"] == query_hash]
    metrics = {f"workload.{w['query_hash']}.{key}": w.get(key) for w in top
               for key in ("executions", "total_elapsed_seconds", "cost_per_day", "share_of_workload_pct")}
    return {"findings": cost_findings(inputs.review, query_hash, inputs.tables), "workload": top, "metrics": metrics}


AGENT = Agent(
    name=COST_SAVER,
    output=CostSaverOutput,
    context=context,
    rules=rules_engine.cost_saver,
    tool_description="Report high-cost queries, cost reduction, WLM and storage actions with savings.",
    prompt_file=f"{COST_SAVER}.md",
)

__all__ = ["AGENT", "STORAGE_TABLE_CODES", "context", "cost_findings", "workload_summary"]
