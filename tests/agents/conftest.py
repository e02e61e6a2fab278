"""Fixtures of the agent tests: the day's lake objects built from the real demo warehouse
(snapshot and profile by the metadata refresh's own code, slow queries from the demo
workload run against it), the optimization DAG, and a local Converse endpoint."""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.agents.fake_bedrock import FakeBedrock

ROOT = Path(__file__).resolve().parents[2]
DAG_FILE = ROOT / "dags" / "redshift_query_optimization.py"
BUCKET = "redshift-optimizer-metadata"


def scaled_settings() -> dict:
    """Thresholds scaled to the demo's size, as DEMO_SETTINGS does for scale 0.2."""
    from tests.conftest import DEMO_SCALE

    return {"large_table_rows": max(int(2_500_000 * DEMO_SCALE), 1000),
            "small_table_rows": max(int(250_000 * DEMO_SCALE), 100), "top_queries": 25}


@pytest.fixture(scope="session")
def demo_day(warehouse_connection, demo_dsn):
    """(snapshot, profile, slow queries) of the demo warehouse and its workload."""
    import psycopg2

    from local.demo.workload import workload_queries
    from redshift_optimizer.catalog.profile import profile_snapshot
    from redshift_optimizer.catalog.snapshot import extract_schema_snapshot
    from redshift_optimizer.fingerprint import fingerprint
    from redshift_optimizer.models.lake import SlowQueries, SlowQuery
    from redshift_optimizer.settings import load_settings
    from redshift_optimizer.warehouse import warehouse_from_connection
    from tests.conftest import DEMO_SCALE  # noqa: F401 - the warehouse is loaded at this scale

    settings = load_settings()
    now = datetime.now(timezone.utc)
    with warehouse_from_connection(warehouse_connection, settings.resolved_include_dir()) as warehouse:
        snapshot = extract_schema_snapshot(warehouse, now, ["tpch"])
        profile = profile_snapshot(warehouse, snapshot, now, sample_rows=500_000, top_values_max_distinct=20,
                                   top_values_count=5, max_tables=50)
    conn = psycopg2.connect(demo_dsn)
    conn.autocommit = True
    queries = []
    with conn.cursor() as cur:
        for query in workload_queries():
            total, texts = 0.0, []
            for params in query.variants:
                text = cur.mogrify(query.sql, params).decode()
                started = time.perf_counter()
                cur.execute(text)
                total += (time.perf_counter() - started) * 1000
                texts.append(text)
            fp = fingerprint(texts[0])
            queries.append(SlowQuery(
                query_hash=fp.query_hash, fingerprint=fp.text, query_text=texts[0], database="warehouse",
                user="analyst", executions=len(texts), total_elapsed_ms=round(total, 3),
                mean_elapsed_ms=round(total / len(texts), 3), max_elapsed_ms=round(total, 3), queue_ms=0,
                returned_rows=cur.rowcount, spilled_mb=0, alerts=[], anti_patterns=list(query.anti_patterns),
                workload_file=query.name,
            ))
    conn.close()
    slow = SlowQueries(window_start="2026-01-01T00:00:00Z", window_end="2026-01-02T00:00:00Z",
                       threshold_ms=0, source_view="SYS_QUERY_HISTORY", queries=queries)
    return snapshot, profile, slow


def seed_day(prefix: str, day, snapshot, profile, slow) -> None:
    """Write one day's lake objects as the metadata refresh would (the archive a backfill reads)."""
    import boto3

    from redshift_optimizer.models.lake import run_day_keys

    keys = run_day_keys(day)
    window = slow.model_copy(update={"window_start": f"{day.isoformat()}T00:00:00Z",
                                     "window_end": f"{day.isoformat()}T23:59:59Z"})
    s3 = boto3.client("s3")
    for key, document in ((keys["schema_dated"], snapshot), (keys["profile"], profile),
                          (keys["slow_queries"], window)):
        if document is not None:
            s3.put_object(Bucket=BUCKET, Key=f"{prefix}/{key}", Body=document.model_dump_json().encode())


def lake_keys(prefix: str, under: str = "") -> dict[str, datetime]:
    """Keys (without the prefix) and their LastModified under ``prefix/under``."""
    import boto3

    s3 = boto3.client("s3")
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=f"{prefix}/{under}")
    return {o["Key"][len(prefix) + 1:]: o["LastModified"] for p in pages for o in p.get("Contents", [])}


def read_lake(prefix: str, key: str) -> dict:
    import boto3

    return json.loads(boto3.client("s3").get_object(Bucket=BUCKET, Key=f"{prefix}/{key}")["Body"].read())


def history_items(prefix_day: str | None = None) -> list[dict]:
    """Every item of the history table (optionally of one run_date)."""
    import boto3

    client = boto3.client("dynamodb")
    items, kwargs = [], {"TableName": "query-optimization-history"}
    while True:
        page = client.scan(**kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return [i for i in items if prefix_day is None or i["run_date"]["S"] == prefix_day]


def sns_messages(aws, topic: str = "redshift-optimization-alerts") -> list[dict]:
    """Messages published to ``topic``, read through the local endpoint's own API."""
    import urllib.request

    with urllib.request.urlopen(f"{aws.url}/moto-api/data.json") as response:
        data = json.loads(response.read())
    messages = []
    for entry in data.get("sns", {}).get("Topic", []):
        if entry.get("name") == topic:
            messages += [{"message_id": n[0], "message": n[1], "subject": n[2]} for n in entry["sent_notifications"]]
    return messages


@pytest.fixture(scope="module")
def optimization_dag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    from airflow.models import DagRun
    from airflow.utils.session import create_session

    bag = DagBag(dag_folder=str(DAG_FILE))
    assert not bag.import_errors, bag.import_errors
    # The metadata DB outlives a session: runs of an earlier session with the same logical
    # date would be reused by dag.test() instead of running again.
    with create_session() as session:
        session.query(DagRun).filter(DagRun.dag_id == "redshift_query_optimization").delete()
    return bag.dags["redshift_query_optimization"]


@pytest.fixture()
def stack(aws, warehouse_connection, monkeypatch):
    """Connections and the settings Variable as the local stack sets them."""
    from local import services

    for name, value in services.demo_variable().items():
        monkeypatch.setenv(name, value)
    return aws


@pytest.fixture()
def fake_bedrock(monkeypatch):
    """A local HTTP endpoint speaking the Converse wire format, set as the Bedrock endpoint."""
    server = FakeBedrock().start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", server.url)
    yield server
    server.stop()
