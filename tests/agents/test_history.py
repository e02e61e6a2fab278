"""The history store on the local DynamoDB endpoint: idempotent writes, revisions, listing by
day and severity with filters and cursors, and the S3 archive keeping analyses side by side."""

from __future__ import annotations

import uuid
from datetime import date

import boto3
import pytest

from redshift_optimizer.history import DynamoHistoryStore, RecommendationArchive, table_definition
from redshift_optimizer.models.agents import AgentResult, AgentStatus, AnalysisRecord, QueryInfo, analysis_timestamp
from redshift_optimizer.models.findings import Evidence, Finding, Severity

pytestmark = pytest.mark.stack


@pytest.fixture()
def store(aws):
    name = f"history-{uuid.uuid4().hex[:8]}"
    client = boto3.client("dynamodb")
    client.create_table(**table_definition(name))
    yield DynamoHistoryStore(name, client=client)
    client.delete_table(TableName=name)


def finding(code: str, severity: Severity) -> Finding:
    return Finding(code=code, severity=severity, title=code, message=f"{code} here", fix="fix it",
                   evidence=[Evidence(kind="metric", name="m", value=1)])


def record(query_hash: str, day: str, severity: Severity | None, code: str = "Q002", engine: str = "rules",
           agent_ok: bool = True, revision: int = 1) -> AnalysisRecord:
    findings = [finding(code, severity)] if severity else []
    agents = {
        "redshift-query-optimizer": AgentResult(
            agent_name="redshift-query-optimizer", query_hash=query_hash, severity=severity, findings=findings,
            output={"analysis": []}, engine=engine, prompt_version="v1"),
        "cost-saver": AgentResult(
            agent_name="cost-saver", query_hash=query_hash, engine=engine, prompt_version="v1",
            status=AgentStatus.SUCCEEDED if agent_ok else AgentStatus.FAILED, error=None if agent_ok else "boom"),
    }
    return AnalysisRecord(
        query_hash=query_hash, analysis_timestamp=analysis_timestamp(day, engine, "v1", "snap123456789"),
        run_date=day, analyzed_at=f"{day}T03:00:00Z", engine=engine, prompt_version="v1",
        schema_version="snap123456789", query=QueryInfo(query_hash=query_hash, fingerprint="select ?",
                                                        query_text="select 1", executions=3, total_elapsed_ms=1000.0),
        agents=agents, revision=revision)


def test_put_is_idempotent_and_revisions_replace(store):
    first = record("h1", "2026-05-01", Severity.HIGH, agent_ok=False)
    assert store.put(first) is True
    assert store.put(first) is False, "the same record twice writes nothing"
    fixed = record("h1", "2026-05-01", Severity.HIGH, agent_ok=True, revision=2)
    assert store.put(fixed) is True
    assert store.put(first) is False, "an older revision never overwrites a newer one"
    stored = store.get("h1")
    assert len(stored) == 1 and stored[0].revision == 2 and stored[0].agents["cost-saver"].succeeded
    assert store.find("h1", fixed.analysis_timestamp) == fixed


def test_a_new_engine_is_a_second_record_newest_first(store):
    store.put(record("h2", "2026-05-01", Severity.LOW))
    store.put(record("h2", "2026-05-02", Severity.LOW, engine="bedrock"))
    assert [r.run_date for r in store.get("h2")] == ["2026-05-02", "2026-05-01"]


def test_list_by_day_severity_agent_and_code_with_cursors(store):
    severities = [Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, None]
    for day in ("2026-05-01", "2026-05-02", "2026-05-03"):
        for i, severity in enumerate(severities):
            store.put(record(f"{day[-2:]}-{i}", day, severity, code="Q011" if i == 1 else "Q002", agent_ok=i != 2))

    everything = store.list(date(2026, 5, 1), date(2026, 5, 3), limit=100)
    assert len(everything.items) == 15 and everything.cursor is None
    assert [i.run_date for i in everything.items[:5]] == ["2026-05-03"] * 5, "newest day first"
    assert [i.severity for i in everything.items[:5]] == severities, "then by severity"

    high = store.list(date(2026, 5, 1), date(2026, 5, 3), min_severity=Severity.HIGH)
    assert {i.severity for i in high.items} == {Severity.HIGH, Severity.CRITICAL} and len(high.items) == 6
    exact = store.list(date(2026, 5, 2), date(2026, 5, 2), severity=Severity.MEDIUM)
    assert [i.query_hash for i in exact.items] == ["02-2"]
    by_code = store.list(date(2026, 5, 1), date(2026, 5, 3), code="q011")
    assert sorted(i.query_hash for i in by_code.items) == ["01-1", "02-1", "03-1"]
    by_agent = store.list(date(2026, 5, 1), date(2026, 5, 3), agent="cost-saver")
    assert len(by_agent.items) == 12, "records whose cost-saver failed are not listed under it"
    assert all("cost-saver" in i.failed_agents for i in everything.items if i.query_hash.endswith("-2"))

    seen, cursor, pages = [], None, 0
    while True:
        page = store.list(date(2026, 5, 1), date(2026, 5, 3), limit=4, cursor=cursor)
        seen += [i.query_hash for i in page.items]
        pages += 1
        cursor = page.cursor
        if cursor is None:
            break
    assert pages == 4 and seen == [i.query_hash for i in everything.items]

    with pytest.raises(ValueError, match="cursor"):
        store.list(cursor="not-a-cursor")


def test_a_missing_table_names_the_setting(aws):
    from redshift_optimizer.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="history_table"):
        DynamoHistoryStore("no-such-table", client=boto3.client("dynamodb")).get("x")


def test_the_archive_keeps_other_analyses_beside_the_newest(aws):
    from redshift_optimizer.adapters.lake import MetadataLake

    archive = RecommendationArchive(MetadataLake("redshift-optimizer-metadata", f"archive-{uuid.uuid4().hex[:6]}",
                                                 aws_conn_id=None))
    rules = record("h3", "2026-05-04", Severity.HIGH)
    uri, changed = archive.store(rules)
    assert changed and uri.endswith("recommendations/2026/05/04/h3.json")
    assert archive.store(rules) == (uri, False), "the same analysis twice writes nothing"
    bedrock = record("h3", "2026-05-04", Severity.HIGH, engine="bedrock")
    archive.store(bedrock)
    assert [r.engine for r in archive.records("2026-05-04", "h3")] == ["bedrock", "rules"]
    archive.store(record("h3", "2026-05-04", Severity.LOW, revision=2))
    assert [(r.engine, r.revision) for r in archive.records("2026-05-04", "h3")] == [("rules", 2), ("bedrock", 1)]


def test_ensure_table_adds_the_listing_index_to_an_older_table(aws):
    from redshift_optimizer.history import ensure_table

    name = f"history-{uuid.uuid4().hex[:8]}"
    client = boto3.client("dynamodb")
    old = table_definition(name)
    del old["GlobalSecondaryIndexes"]
    old["AttributeDefinitions"] = old["AttributeDefinitions"][:2]
    client.create_table(**old)  # a table of before the index, with items of before it
    try:
        store = DynamoHistoryStore(name, client=client)
        for i, day in enumerate(("2026-05-01", "2026-05-02")):
            store.put(record(f"old-{i}", day, Severity.HIGH))
        for i, day in enumerate(("2026-05-01", "2026-05-02")):
            client.update_item(TableName=name, Key={"query_hash": {"S": f"old-{i}"}, "analysis_timestamp": {
                "S": analysis_timestamp(day, "rules", "v1", "snap123456789")}}, UpdateExpression="REMOVE severity_rank, day_key")
        assert ensure_table(client, name).startswith("index by-severity-day added, 2 item(s)")
        assert ensure_table(client, name) == "up to date"
        listed = store.list(date(2026, 5, 1), date(2026, 5, 2))
        assert [i.query_hash for i in listed.items] == ["old-1", "old-0"]
    finally:
        client.delete_table(TableName=name)
