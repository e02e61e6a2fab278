"""``redshift-query-optimizer``: per fingerprint, the optimized query (checked as far as the
run's rewrite checkers reach) with its cost against the original, the analysis, the
estimated benefit and additional actions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from redshift_optimizer.agents import rules_engine
from redshift_optimizer.agents.unit import Agent, ContextInputs
from redshift_optimizer.models.agents import QUERY_OPTIMIZER, QueryOptimizerOutput
from redshift_optimizer.models.findings import AnalysisResult


@dataclass
class RewriteCheckers:
    """What a run checks its rewrites with beyond their signature."""

    #: the warehouse as the verification identity, open (None: no plan cost, no run)
    warehouse: Any = None
    #: the PostgreSQL of setting ``proof_conn_id``, open (None: no adversarial rung)
    proof_engine: Any = None
    #: the verification run's row and time budget (None: the verifier's defaults)
    budget: Any = None
    #: why the warehouse rung is not run, recorded with the rewrite
    note: str | None = None


def check_rewrites(stats: Any, snapshot: Any, profile: Any, config: Any, checkers: RewriteCheckers) -> AnalysisResult:
    """The one rewrite check of both runs: the query's analysis with its rewrite checked as
    far as ``checkers`` reach (each step proved on adversarial data with a proof engine and
    costed with a warehouse, then the whole run against the original)."""
    from redshift_optimizer.analysis import analyze

    result = analyze(stats.query_text, snapshot, stats, profile, settings=config, warehouse=checkers.warehouse,
                     budget=checkers.budget, proof_engine=checkers.proof_engine)
    if checkers.note and result.optimized_query:
        result.verification_notes.append(checkers.note)
    return result


def optimizer_fields(result: AnalysisResult) -> dict[str, Any]:
    """The query optimizer's context fields of an analysis."""
    return dict(findings=result.findings, optimized_query=result.optimized_query, rewrites=result.rewrites,
                verification=result.verification, verification_notes=result.verification_notes,
                rewrite_cost=result.cost)


def context(inputs: ContextInputs) -> dict[str, Any]:
    from redshift_optimizer.sql.parsing import SqlInputError

    try:
        return optimizer_fields(check_rewrites(inputs.stats, inputs.snapshot, inputs.profile, inputs.config,
                                               inputs.checkers or RewriteCheckers()))
    except SqlInputError as exc:
        return {"parse_error": str(exc)}


AGENT = Agent(
    name=QUERY_OPTIMIZER,
    output=QueryOptimizerOutput,
    context=context,
    rules=rules_engine.query_optimizer,
    tool_description="Report the analysis and the optimized query of one Redshift query.",
    prompt_file=f"{QUERY_OPTIMIZER}.md",
)

__all__ = ["AGENT", "RewriteCheckers", "check_rewrites", "context", "optimizer_fields"]
