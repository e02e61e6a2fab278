"""Analysis records for the tests and the benchmark, as the DAGs store them."""

from __future__ import annotations

from datetime import date

from redshift_optimizer import lake_keys
from redshift_optimizer.models.agents import AGENT_NAMES, AgentResult, AnalysisRecord, QueryInfo, analysis_timestamp
from redshift_optimizer.models.findings import Evidence, Finding, Severity


def make_record(query_hash: str, day: date, severity: str | None = "HIGH", codes: tuple[str, ...] = ("Q002",),
                failed: tuple[str, ...] = (), archive_prefix: str = "api") -> AnalysisRecord:
    """A record of four agents; the query optimizer carries ``codes`` at ``severity``."""
    findings = [Finding(code=code, severity=Severity(severity), title=f"{code} title", message=f"{code} here",
                        evidence=[Evidence(kind="table", name="tpch.orders")], fix="fix it")
                for code in codes] if severity else []
    agents = {}
    for name in AGENT_NAMES:
        if name in failed:
            agents[name] = AgentResult(agent_name=name, query_hash=query_hash, status="failed",
                                       prompt_version="rules-test", error="boom")
        else:
            mine = findings if name == AGENT_NAMES[0] else []
            agents[name] = AgentResult(agent_name=name, query_hash=query_hash, findings=mine,
                                       severity=max((f.severity for f in mine), default=None),
                                       output={}, prompt_version="rules-test", confidence=0.9)
    timestamp = analysis_timestamp(day.isoformat(), "rules", "rules-test", "0" * 64)
    return AnalysisRecord(
        query_hash=query_hash, analysis_timestamp=timestamp, run_date=day.isoformat(),
        analyzed_at=f"{day.isoformat()}T06:00:00Z", engine="rules", prompt_version="rules-test",
        schema_version="0" * 64,
        query=QueryInfo(query_hash=query_hash, fingerprint=f"select ? from t{query_hash[:4]}",
                        query_text="SELECT 1", executions=3, total_elapsed_ms=1200.0),
        agents=agents,
        archive_uri=f"s3://redshift-optimizer-metadata/{archive_prefix}/{lake_keys.recommendation(day, query_hash)}",
    )
