"""The history of analyses: the small interface the DAGs and the API read and write through.

An :class:`AnalysisRecord` is one analysed fingerprint on one day with one engine, prompt
version and schema snapshot. Its key is ``(query_hash, analysis_timestamp)``; the
timestamp part is deterministic (the run day, then the analysis identity), so writing the
same analysis twice is detected, and a new engine or prompt version sorts beside the old.

Implementations: :class:`redshift_optimizer.history.dynamodb.DynamoHistoryStore`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import date

from pydantic import BaseModel, Field

from redshift_optimizer.models.agents import AnalysisRecord
from redshift_optimizer.models.findings import Severity


class HistorySummary(BaseModel):
    """One row of a history listing: enough to filter and link, without the agents' output."""

    query_hash: str
    analysis_timestamp: str
    run_date: str
    severity: Severity | None = None
    agents: list[str] = Field(default_factory=list, description="agents that succeeded")
    failed_agents: list[str] = Field(default_factory=list)
    codes: list[str] = Field(default_factory=list)
    engine: str
    prompt_version: str
    schema_version: str
    fingerprint: str = ""
    total_elapsed_ms: float | None = None
    archive_uri: str | None = None


class HistoryPage(BaseModel):
    """One page of a listing; pass ``cursor`` back for the next page (None: no more)."""

    items: list[HistorySummary] = Field(default_factory=list)
    cursor: str | None = None


class HistoryStore(ABC):
    """Where analysis records live.

    - :meth:`put` stores a record when none has its key, or when its ``revision`` is higher
      than the stored one (a re-run that completed an agent which had failed); otherwise it
      writes nothing and returns False. Writers read, merge, bump the revision and put: two
      writers racing on one key cannot both win.
    - :meth:`get` gives one fingerprint's records, newest first, or one by its timestamp.
    - :meth:`list` gives summaries by day range (newest day first), optionally filtered by
      exact ``severity`` or ``min_severity``, ``agent`` (one that succeeded) and finding
      ``code``; ``limit`` per page, ``cursor`` from the previous page.
    """

    @abstractmethod
    def put(self, record: AnalysisRecord) -> bool:
        """Store ``record``; True when something was written."""

    @abstractmethod
    def get(self, query_hash: str, analysis_timestamp: str | None = None) -> list[AnalysisRecord]:
        """Records of one fingerprint (newest first), or the one with ``analysis_timestamp``."""

    @abstractmethod
    def list(
        self,
        from_date: date | None = None,
        to_date: date | None = None,
        severity: Severity | None = None,
        agent: str | None = None,
        code: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
        min_severity: Severity | None = None,
    ) -> HistoryPage:
        """Summaries of the records whose run day is in [from_date, to_date]."""

    def find(self, query_hash: str, analysis_timestamp: str) -> AnalysisRecord | None:
        """The record with this key, or None."""
        found = self.get(query_hash, analysis_timestamp)
        return found[0] if found else None


def summarize(record: AnalysisRecord) -> HistorySummary:
    return HistorySummary(
        query_hash=record.query_hash,
        analysis_timestamp=record.analysis_timestamp,
        run_date=record.run_date,
        severity=record.severity,
        agents=sorted(n for n, r in record.agents.items() if r.succeeded),
        failed_agents=sorted(n for n, r in record.agents.items() if not r.succeeded),
        codes=record.codes,
        engine=record.engine,
        prompt_version=record.prompt_version,
        schema_version=record.schema_version,
        fingerprint=record.query.fingerprint[:500],
        total_elapsed_ms=record.query.total_elapsed_ms,
        archive_uri=record.archive_uri,
    )


__all__ = ["HistoryPage", "HistoryStore", "HistorySummary", "summarize"]
