"""What the four agents return: each agent's output, one envelope around it, and the record
that the history table and the S3 archive store per analysed fingerprint and day.

The agents' names and output fields follow the migration playbook:

- ``redshift-query-optimizer``: optimized_query, analysis, estimated_benefit, additional_actions
- ``schema-normalizer``: schema_findings, distribution / sort key / encoding recommendations
- ``cost-saver``: high_cost_queries, cost_reduction_actions, wlm_recommendations,
  storage_optimizations (with estimated savings in time and money)
- ``data-validation-agent``: validation_checks, issues_detected, recommended_fixes,
  confidence_score

Every statement an agent makes carries ``cites``: finding codes (``Q003``) or metric keys of
its context (``query.total_elapsed_ms``, ``table.tpch.orders.skew_rows``). A model's
statement that cites nothing from its context is dropped (:func:`drop_uncited`). The output
models double as the JSON schema of the forced tool the Bedrock engine offers the model
(``agents.engines.tool_input_schema``), so keep descriptions short: they are prompt tokens.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from redshift_optimizer.models.findings import Finding, PlanCost, Severity, Verification

QUERY_OPTIMIZER = "redshift-query-optimizer"
SCHEMA_NORMALIZER = "schema-normalizer"
COST_SAVER = "cost-saver"
DATA_VALIDATION = "data-validation-agent"
AGENT_NAMES = (QUERY_OPTIMIZER, SCHEMA_NORMALIZER, COST_SAVER, DATA_VALIDATION)


def agent_task_id(agent: str) -> str:
    """The Airflow task id of an agent's task in both optimization DAGs (the API reads it too)."""
    return agent.replace("-", "_")

Engine = Literal["rules", "bedrock"]

_CITES = Field(
    default_factory=list,
    description="finding codes (e.g. Q003) or metric keys from the context that support this",
)


class _Output(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Cited(_Output):
    """One statement and what in the context supports it."""

    text: str = Field(max_length=1000)
    cites: list[str] = _CITES


class TableStatement(Cited):
    table: str = Field(description="schema-qualified table")


class Action(Cited):
    ddl: str | None = Field(None, description="the statement that applies it, if one does")


class Benefit(_Output):
    summary: str = Field(max_length=1000)
    time_at_stake_seconds_per_day: float | None = Field(
        None, description="query time per day the fix acts on (context metric)"
    )
    money_at_stake_per_day: float | None = Field(None, description="USD per day of that time")
    expected_reduction_pct: float | None = Field(None, ge=0, le=100, description="only with a cited basis")
    cites: list[str] = _CITES


class DesignRecommendation(Cited):
    table: str
    column: str | None = None
    current: str | None = Field(None, description="the design today, e.g. DISTKEY(o_salesrep_id)")
    recommended: str = Field(description="the design to move to, e.g. DISTKEY(o_orderkey)")
    ddl: str | None = None


class HighCostQuery(_Output):
    query_hash: str
    executions: int | None = None
    total_elapsed_seconds: float | None = None
    cost_per_day: float | None = Field(None, description="USD at the configured price")
    share_of_workload_pct: float | None = None
    cites: list[str] = _CITES


class CostAction(Cited):
    seconds_per_day: float | None = Field(None, description="estimated query time saved per day")
    money_per_day: float | None = Field(None, description="estimated USD saved per day")


class StorageAction(Cited):
    table: str
    size_mb: float | None = None
    money_per_month: float | None = Field(None, description="estimated USD saved per month")
    ddl: str | None = None


class Savings(_Output):
    seconds_per_day: float = 0.0
    money_per_day: float = 0.0
    currency: str = "USD"
    basis: str = Field("", description="how the figures were reached")


class ValidationCheck(_Output):
    """One V-code check run in the warehouse; only counts and aggregates."""

    code: str = Field(pattern=r"^V\d{3}$")
    table: str
    column: str | None = None
    status: Literal["passed", "failed", "skipped"]
    observed: Any = None
    expected: Any = None
    detail: str = ""
    statement: str | None = Field(None, description="the SQL file the check ran")


class QueryOptimizerOutput(_Output):
    optimized_query: str | None = Field(
        None, description="the full rewritten statement, or null; keep the ? placeholders of redacted literals"
    )
    analysis: list[Cited] = Field(default_factory=list)
    estimated_benefit: Benefit | None = None
    additional_actions: list[Action] = Field(default_factory=list)


class SchemaNormalizerOutput(_Output):
    schema_findings: list[TableStatement] = Field(default_factory=list)
    distribution_recommendations: list[DesignRecommendation] = Field(default_factory=list)
    sort_key_recommendations: list[DesignRecommendation] = Field(default_factory=list)
    encoding_recommendations: list[DesignRecommendation] = Field(default_factory=list)


class CostSaverOutput(_Output):
    high_cost_queries: list[HighCostQuery] = Field(default_factory=list)
    cost_reduction_actions: list[CostAction] = Field(default_factory=list)
    wlm_recommendations: list[Cited] = Field(default_factory=list)
    storage_optimizations: list[StorageAction] = Field(default_factory=list)
    estimated_savings: Savings = Field(default_factory=Savings)


class DataValidationOutput(_Output):
    validation_checks: list[ValidationCheck] = Field(default_factory=list)
    issues_detected: list[TableStatement] = Field(default_factory=list)
    recommended_fixes: list[TableStatement] = Field(default_factory=list)
    confidence_score: float = Field(0.0, ge=0, le=1)



class TokenUsage(BaseModel):
    input_tokens: int = 0
    output_tokens: int = 0
    calls: int = 0

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def add(self, other: "TokenUsage") -> "TokenUsage":
        return TokenUsage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            calls=self.calls + other.calls,
        )


class AgentStatus(str, Enum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class AgentResult(BaseModel):
    """The envelope every agent's result has, whatever the engine."""

    agent_name: str
    query_hash: str
    status: AgentStatus = AgentStatus.SUCCEEDED
    severity: Severity | None = Field(None, description="highest severity of the findings; None when nothing was found")
    confidence: float = Field(0.0, ge=0, le=1)
    action_items: list[str] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    output: dict[str, Any] | None = Field(None, description="the agent's output model, as JSON; None when failed")
    engine: Engine = "rules"
    model_id: str | None = None
    prompt_version: str
    verification: Verification = Field(Verification.NONE, description="how far a rewrite in the output was verified")
    verification_notes: list[str] = Field(default_factory=list)
    rewrite_cost: PlanCost | None = Field(
        None, description="the rule engine's rewrite against the original, and which cost model judged it")
    token_usage: TokenUsage = Field(default_factory=TokenUsage)
    analysis_cost_usd: float = 0.0
    dropped_claims: int = Field(0, description="model statements dropped because they cited nothing in the context")
    attempts: int = Field(1, description="model answers requested (1, or 2 after an invalid answer)")
    error: str | None = None
    started_at: str | None = None
    finished_at: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status == AgentStatus.SUCCEEDED

    @property
    def codes(self) -> list[str]:
        return sorted({f.code for f in self.findings})


class QueryInfo(BaseModel):
    """The analysed fingerprint and its day's statistics (from slow_queries.json)."""

    query_hash: str
    fingerprint: str
    query_text: str
    database: str | None = None
    user: str | None = None
    executions: int = 0
    total_elapsed_ms: float | None = None
    mean_elapsed_ms: float | None = None
    rank: int = Field(0, description="1 = the day's most expensive fingerprint by total elapsed time")


class AnalysisRecord(BaseModel):
    """One analysed fingerprint on one day with one engine, prompt version and snapshot:
    the object stored in DynamoDB and archived at recommendations/YYYY/MM/DD/<query_hash>.json.

    ``analysis_timestamp`` (the table's sort key) is the run day at 00:00 UTC followed by the
    analysis identity (engine, prompt version, snapshot version), so a re-run of the same day
    finds and keeps the same item, while a new engine or prompt version sorts beside it.
    """

    query_hash: str
    analysis_timestamp: str
    run_date: str
    analyzed_at: str
    engine: Engine
    prompt_version: str
    schema_version: str
    rules_version: str | None = None
    model_id: str | None = None
    query: QueryInfo
    agents: dict[str, AgentResult] = Field(default_factory=dict)
    archive_uri: str | None = None
    revision: int = 1

    @computed_field  # type: ignore[prop-decorator]
    @property
    def severity(self) -> Severity | None:
        """The highest severity among the agents that succeeded."""
        return max((r.severity for r in self.agents.values() if r.succeeded and r.severity), default=None)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def codes(self) -> list[str]:
        """Every finding code of the agents that succeeded."""
        return sorted({code for r in self.agents.values() if r.succeeded for code in r.codes})

    @property
    def complete(self) -> bool:
        return all(self.agents.get(name) and self.agents[name].succeeded for name in AGENT_NAMES)


def analysis_timestamp(run_date: str, engine: str, prompt_version: str, schema_version: str) -> str:
    """The history sort key of one analysis identity (see :class:`AnalysisRecord`)."""
    return f"{run_date}T00:00:00Z#{engine}#{prompt_version}#{schema_version[:12]}"


def drop_uncited(output: _Output, known: set[str]) -> tuple[_Output, int]:
    """The output with every statement that cites nothing in ``known`` removed, and the
    number removed. Citations not in ``known`` are stripped from the statements kept."""
    dropped = 0

    def keep(item: Any) -> bool:
        nonlocal dropped
        cites = [c for c in getattr(item, "cites", []) if c in known]
        if not cites:
            dropped += 1
            return False
        item.cites = cites
        return True

    for name, field in type(output).model_fields.items():
        if name in ("validation_checks",):
            continue
        value = getattr(output, name)
        if isinstance(value, list):
            setattr(output, name, [item for item in value if not hasattr(item, "cites") or keep(item)])
        elif isinstance(value, BaseModel) and "cites" in type(value).model_fields and not keep(value):
            setattr(output, name, None)
    return output, dropped


__all__ = [
    "AGENT_NAMES",
    "agent_task_id",
    "COST_SAVER",
    "DATA_VALIDATION",
    "QUERY_OPTIMIZER",
    "SCHEMA_NORMALIZER",
    "Action",
    "AgentResult",
    "AgentStatus",
    "AnalysisRecord",
    "Benefit",
    "Cited",
    "CostAction",
    "CostSaverOutput",
    "DataValidationOutput",
    "DesignRecommendation",
    "HighCostQuery",
    "QueryInfo",
    "QueryOptimizerOutput",
    "Savings",
    "SchemaNormalizerOutput",
    "StorageAction",
    "TableStatement",
    "TokenUsage",
    "ValidationCheck",
    "analysis_timestamp",
    "drop_uncited",
]
