"""The plan of one optimization run: what it analyses, with which engine, from which lake
objects, and which agent runs are still to do. Written once by the plan step into the
run's work area (``plan.json``) and read by every later step, by the API's job page and by
the benchmarks; the same model for the daily run and an ad-hoc job.

The plan names its sources: a daily run points at the day's snapshot, profile and
slow-query objects; an ad-hoc job at its work area's copies (the latest snapshot with the
requested schema first, and the latest window with the submitted query in it).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from redshift_optimizer.models.agents import AGENT_NAMES


class QueryRequest(BaseModel):
    """What was submitted to an ad-hoc run: the DAG run's params."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    sql: str
    database: str | None = None
    schema_name: str | None = Field(None, alias="schema")
    requested_by: str | None = None


class PlannedQuery(BaseModel):
    """One fingerprint of the run: its rank in the window and the analysis it belongs to."""

    model_config = ConfigDict(extra="ignore")

    query_hash: str
    rank: int = 0
    analysis_timestamp: str
    already_done: list[str] = Field(default_factory=list)
    #: ad-hoc only: whether the history holds this shape for the submitted text
    #: (``own``), for other literals (``other``), or not at all (``none``)
    history_text: Literal["none", "own", "other"] | None = None
    #: ad-hoc only: the literal-free fingerprint of the submitted text (from its one check)
    fingerprint: str | None = None


class RunSources(BaseModel):
    """The lake keys the run analyses (without the lake's prefix)."""

    model_config = ConfigDict(extra="ignore")

    snapshot: str
    profile: str | None = None
    slow_queries: str
    #: ad-hoc only: the day's window the submitted query's statistics come from
    window: str | None = None


class RunPlan(BaseModel):
    """``plan.json`` of a run's work area."""

    model_config = ConfigDict(extra="ignore")

    kind: Literal["daily", "adhoc"] = "daily"
    run_date: str
    run_id: str | None = None
    work_prefix: str | None = None
    engine: str = "rules"
    prompt_version: str
    model_id: str | None = None
    schema_version: str
    rules_version: str | None = None
    queries: list[PlannedQuery]
    pending: dict[str, list[str]] = Field(default_factory=dict)
    window_days: float = 1.0
    request: QueryRequest | None = None
    sources: RunSources | None = None

    @property
    def day(self) -> date:
        return date.fromisoformat(self.run_date)

    def is_pending(self, agent: str, query_hash: str) -> bool:
        return query_hash in self.pending.get(agent, [])

    def pending_agents(self, query_hash: str) -> list[str]:
        """The agents still to run on ``query_hash``, in the registry's order."""
        return [agent for agent in AGENT_NAMES if self.is_pending(agent, query_hash)]

    @property
    def pending_runs(self) -> int:
        return sum(len(hashes) for hashes in self.pending.values())

    @property
    def submitted_sql(self) -> str:
        return self.request.sql if self.request is not None else ""

    def summary(self) -> dict:
        """What the plan step hands to the next tasks (XCom): the work area and the pending runs."""
        first = self.queries[0].query_hash if self.kind == "adhoc" and self.queries else None
        return {"work_prefix": self.work_prefix, "run_date": self.run_date,
                **({"query_hash": first} if first else {}), **self.pending}

    def document(self) -> dict:
        """The JSON written to ``plan.json`` (the request's schema under its param name)."""
        return self.model_dump(mode="json", by_alias=True)


__all__ = ["PlannedQuery", "QueryRequest", "RunPlan", "RunSources"]
