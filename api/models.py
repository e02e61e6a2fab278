"""What the API accepts and answers (the OpenAPI document is generated from these)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from redshift_optimizer.history.store import HistorySummary
from redshift_optimizer.models.agents import AGENT_NAMES, AgentResult, AnalysisRecord
from redshift_optimizer.models.findings import Finding

#: A Redshift identifier as a database or schema name (unquoted form).
IDENTIFIER = r"^[A-Za-z_][A-Za-z0-9_$]{0,126}$"
QUERY_HASH = r"^[0-9a-f]{16}$"
AgentName = Literal["redshift-query-optimizer", "schema-normalizer", "cost-saver", "data-validation-agent"]
assert set(AgentName.__args__) == set(AGENT_NAMES)  # type: ignore[attr-defined]

EXAMPLE_SQL = ("SELECT DISTINCT o_orderpriority, COUNT(*) AS orders\nFROM tpch.orders\n"
               "WHERE o_orderdate >= DATE '1995-01-01'\nGROUP BY o_orderpriority")


class Problem(BaseModel):
    """An error: what is wrong, in one sentence (and where, for SQL)."""

    detail: str | list[dict[str, Any]]


class OptimizeRequest(BaseModel):
    """One query to optimize."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True,
                              json_schema_extra={"examples": [{"sql": EXAMPLE_SQL, "schema": "tpch"}]})

    sql: str = Field(min_length=1, description="one Redshift SQL statement (size limit: setting max_sql_chars)")
    database: str | None = Field(None, pattern=IDENTIFIER, description="database the query runs in")
    schema_name: str | None = Field(None, alias="schema", pattern=IDENTIFIER,
                                    description="schema of the query's unqualified table names")


class JobAccepted(BaseModel):
    job_id: str = Field(description="the job (the ad-hoc DAG run id)")
    query_hash: str = Field(description="the query's fingerprint: its history key")
    status_url: str = Field(description="GET it to follow the job")


JobStatusName = Literal["queued", "running", "success", "partial", "failed"]


class AgentProgress(BaseModel):
    """One agent of a job: its task's state and, once it finished, its result."""

    agent: AgentName
    task_state: str | None = Field(None, description="Airflow's state of the agent's task; null before it is created")
    result: AgentResult | None = None


class StepProgress(BaseModel):
    task_id: str
    state: str | None = None


class JobRequest(BaseModel):
    sql: str | None = None
    database: str | None = None
    schema_name: str | None = Field(None, alias="schema")
    requested_by: str | None = None

    model_config = ConfigDict(populate_by_name=True)


class Job(BaseModel):
    """A job: where it is, each agent's state and result, and the stored record when done."""

    job_id: str
    query_hash: str
    status: JobStatusName
    queued_at: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    request: JobRequest
    agents: list[AgentProgress]
    steps: list[StepProgress] = Field(description="the run's other tasks")
    results: AnalysisRecord | None = Field(
        None, description="once the job ended: the stored record when it is of this job's text, else one made of "
                          "this job's own results (never another caller's)")
    message: str | None = Field(None, description="what went wrong (which agent and why), what could not be read, "
                                                  "or why the job waits")


class HistoryListing(BaseModel):
    items: list[HistorySummary]
    cursor: str | None = Field(None, description="pass it back as ?cursor= for the next page; null: no more")
    next_url: str | None = None


class QueryHistory(BaseModel):
    query_hash: str
    records: list[AnalysisRecord] = Field(description="newest first")


class Readiness(BaseModel):
    ready: bool
    checks: dict[str, str] = Field(description="'ok' or what is wrong, per dependency")


class Health(BaseModel):
    status: Literal["ok"] = "ok"


# --------------------------------------------------------------------------- ingest

class IngestedAgent(BaseModel):
    """One agent's answer as an external producer has it: the playbook's output fields
    (e.g. optimized_query, analysis ... for the query optimizer) plus optional envelope."""

    model_config = ConfigDict(extra="allow")

    confidence: float | None = Field(None, ge=0, le=1)
    findings: list[Finding] = Field(default_factory=list)
    action_items: list[str] = Field(default_factory=list)
    model_id: str | None = Field(None, max_length=200)


class Recommendation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=2000)
    agent: AgentName | None = Field(None, description="the agent it comes from; null: all agents of the body")


class BedrockIngest(BaseModel):
    """Results produced outside Airflow (the migration playbook's body)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "query_hash": "a1b2c3d4e5f60718", "query_text": "SELECT 1",
        "agents": {"redshift-query-optimizer": {"optimized_query": None, "analysis": [], "confidence": 0.5}},
        "recommendations": ["Add a sort key on o_orderdate"], "prompt_version": "v1"}]})

    query_hash: str = Field(pattern=QUERY_HASH, description="fingerprint of query_text (16 hex digits)")
    query_text: str = Field(min_length=1)
    agents: dict[AgentName, IngestedAgent] = Field(min_length=1)
    recommendations: list[str | Recommendation] = Field(default_factory=list, max_length=200)
    model_id: str | None = Field(None, max_length=200)
    prompt_version: str = Field("external", pattern=r"^[A-Za-z0-9._-]{1,64}$")
    schema_version: str | None = Field(None, pattern=r"^[A-Za-z0-9._-]{1,128}$")
    run_date: date | None = Field(None, ge=date(1970, 1, 1), le=date(2999, 12, 31),
                                  description="the day analysed (default: today, UTC)")
    database: str | None = Field(None, pattern=IDENTIFIER)


class Ingested(BaseModel):
    query_hash: str
    analysis_timestamp: str
    stored: bool = Field(description="false: the history already had these results")
    archive_uri: str
    kept: list[str] = Field(default_factory=list, description="agents whose stored success was kept")
