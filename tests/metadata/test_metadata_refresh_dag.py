"""The metadata refresh DAG end to end with ``dag.test()`` on the local stack: the S3
objects of the contract, the diff after an ALTER TABLE, the SNS message, the CloudWatch
metrics, idempotent re-runs, and the errors that name a wrong setting."""

from __future__ import annotations

import json
import os
import urllib.request
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import boto3
import pytest

from redshift_optimizer.models.lake import DataProfile, SchemaDiff, SchemaSnapshot, SlowQueries, run_day_keys

pytestmark = pytest.mark.stack

DAG_FILE = Path(__file__).resolve().parents[2] / "dags" / "redshift_metadata_refresh.py"
BUCKET = "redshift-optimizer-metadata"


@pytest.fixture(scope="module")
def refresh_dag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAG_FILE)).dags["redshift_metadata_refresh"]


@pytest.fixture()
def stack(aws, warehouse_connection, monkeypatch):
    """Connections and the settings Variable as the local stack sets them."""
    from local import services

    for name, value in services.demo_variable().items():
        monkeypatch.setenv(name, value)
    return boto3.client("s3")


def run(dag, day: date, **settings):
    dag_run = dag.test(logical_date=None, run_conf={"run_date": day.isoformat(), "settings": settings})
    return dag_run


def read(s3, key: str, prefix: str):
    body = s3.get_object(Bucket=BUCKET, Key=f"{prefix}/{key}")["Body"].read()
    return json.loads(body)


def keys(s3, prefix: str) -> list[str]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=f"{prefix}/")
    return sorted(o["Key"][len(prefix) + 1:] for p in pages for o in p.get("Contents", []))


def test_refresh_writes_the_contract_objects(refresh_dag, stack, aws):
    today = datetime.now(timezone.utc).date()
    dag_run = run(refresh_dag, today, key_prefix="contract")
    assert dag_run.state == "success"
    expected = run_day_keys(today)
    stored = keys(stack, "contract")
    assert {expected[k] for k in ("schema_latest", "schema_dated", "profile", "slow_queries")} <= set(stored)
    assert expected["schema_diff"] not in stored, "the first snapshot has nothing to compare with"

    latest = SchemaSnapshot.model_validate(read(stack, expected["schema_latest"], "contract"))
    dated = SchemaSnapshot.model_validate(read(stack, expected["schema_dated"], "contract"))
    assert latest == dated
    assert latest.source.engine == "postgres" and latest.source.database == "warehouse"
    assert latest.extract_timestamp.endswith("Z")
    names = {t.table_name for t in latest.tables}
    assert {"tpch.lineitem", "tpch.orders", "tpch.customer", "tpch.region"} <= names
    orders = latest.table("tpch.orders")
    assert (orders.dist_style, orders.dist_key, orders.sort_keys) == ("KEY", "o_salesrep_id", ["o_orderdate"])
    first_table = read(stack, expected["schema_dated"], "contract")["tables"][0]
    assert list(first_table)[:3] == ["table_name", "row_count", "size_mb"]
    assert list(first_table["columns"][0])[:3] == ["name", "type", "encoding"]

    profile = DataProfile.model_validate(read(stack, expected["profile"], "contract"))
    assert {t.table_name for t in profile.tables} == {t.table_name for t in latest.tables if t.row_count}
    lineitem = profile.table("tpch.lineitem")
    assert lineitem.row_count == latest.table("tpch.lineitem").row_count
    assert lineitem.column("l_shipdate").min.startswith("199")

    slow = SlowQueries.model_validate(read(stack, expected["slow_queries"], "contract"))
    assert slow.window_start == f"{today.isoformat()}T00:00:00Z"
    assert slow.window_end == f"{(today + timedelta(days=1)).isoformat()}T00:00:00Z"
    assert slow.source_view == "SYS_QUERY_HISTORY"
    assert slow.queries and all(q.query_text and q.fingerprint for q in slow.queries)
    assert slow.queries == sorted(slow.queries, key=lambda q: -q.total_elapsed_ms)

    cloudwatch = boto3.client("cloudwatch")
    metrics = cloudwatch.list_metrics(Namespace="RedshiftOptimizer")["Metrics"]
    assert {"MetadataTablesProcessed", "SchemaChangesDetected"} <= {m["MetricName"] for m in metrics}


def test_alter_table_gives_a_diff_and_one_message(refresh_dag, stack, aws, pg):
    sns = boto3.client("sns")
    sqs = boto3.client("sqs")
    queue = sqs.create_queue(QueueName="schema-changes-test")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    topic = sns.create_topic(Name="redshift-metadata-changes")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)

    with pg.cursor() as cur:
        cur.execute("DROP SCHEMA IF EXISTS sales CASCADE; CREATE SCHEMA sales;"
                    "CREATE TABLE sales.events (id BIGINT PRIMARY KEY, amount NUMERIC(10,2), note VARCHAR(20));"
                    "INSERT INTO sales.events SELECT g, g / 10.0, 'n' FROM generate_series(1, 100) g;")
    settings = {"key_prefix": "diff", "schemas": ["sales"]}
    day1, day2 = date(2026, 3, 1), date(2026, 3, 2)
    try:
        assert run(refresh_dag, day1, **settings).state == "success"
        with pg.cursor() as cur:
            cur.execute("ALTER TABLE sales.events ADD COLUMN channel VARCHAR(32);"
                        "ALTER TABLE sales.events ALTER COLUMN amount TYPE NUMERIC(18,2);"
                        "ALTER TABLE sales.events DROP COLUMN note;"
                        "CREATE TABLE sales.refunds (id BIGINT);")
        assert run(refresh_dag, day2, **settings).state == "success"
    finally:
        with pg.cursor() as cur:
            cur.execute("DROP SCHEMA sales CASCADE")

    diff = SchemaDiff.model_validate(read(stack, run_day_keys(day2)["schema_diff"], "diff"))
    assert (diff.from_date, diff.to_date) == ("2026-03-01", "2026-03-02")
    assert diff.tables_added == ["sales.refunds"]
    assert [(c.table, c.column, c.type) for c in diff.columns_added] == [("sales.events", "channel", "VARCHAR(32)")]
    assert [c.column for c in diff.columns_removed] == ["note"]
    assert diff.columns_altered[0].changes["type"] == ["DECIMAL(10,2)", "DECIMAL(18,2)"]
    assert diff.from_version != diff.to_version

    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
    assert len(messages) == 1
    body = json.loads(messages[0]["Body"])
    assert "2026-03-01" in body["Message"] and "sales.events.channel" in body["Message"]
    assert "diff-20260302.json" in body["Message"]


def test_rerunning_a_day_overwrites_it(refresh_dag, stack, aws):
    day = date(2026, 4, 10)
    assert run(refresh_dag, day, key_prefix="rerun").state == "success"
    first = keys(stack, "rerun")
    first_profile = read(stack, run_day_keys(day)["profile"], "rerun")
    assert run(refresh_dag, day, key_prefix="rerun").state == "success"
    assert keys(stack, "rerun") == first
    second_profile = read(stack, run_day_keys(day)["profile"], "rerun")
    for profile in (first_profile, second_profile):
        profile.pop("extract_timestamp")
    assert first_profile["tables"][0]["row_count"] == second_profile["tables"][0]["row_count"]


def test_a_backfilled_past_day_leaves_the_latest_snapshot_alone(refresh_dag, stack, aws):
    later, earlier = date(2026, 6, 2), date(2026, 6, 1)
    assert run(refresh_dag, later, key_prefix="backfill").state == "success"
    latest_before = read(stack, "metadata/schema/schema.json", "backfill")
    assert run(refresh_dag, earlier, key_prefix="backfill").state == "success"
    assert read(stack, "metadata/schema/schema.json", "backfill") == latest_before
    assert "metadata/schema/schema-20260601.json" in keys(stack, "backfill")


def test_the_day_comes_from_the_data_interval(refresh_dag, stack, aws):
    """A run covers the day its data interval (02:00 to 02:00) starts on: the run of
    2026-07-13 02:00 covers the complete day of 2026-07-12."""
    logical = datetime(2026, 7, 13, 2, 0, tzinfo=timezone.utc)
    dag_run = refresh_dag.test(logical_date=logical,
                               run_conf={"run_date": None, "settings": {"key_prefix": "interval"}})
    assert dag_run.state == "success"
    assert (dag_run.data_interval_start, dag_run.data_interval_end) == (logical - timedelta(days=1), logical)
    assert "metadata/query_history/2026/07/12/slow_queries.json" in keys(stack, "interval")


# Wrong settings fail with a message that names them.

def test_a_missing_connection_is_named(airflow_db):
    from redshift_optimizer.errors import ConfigurationError
    from redshift_optimizer.settings import load_settings
    from redshift_optimizer.warehouse import warehouse_from_connection

    with pytest.raises(ConfigurationError, match="'no_such_warehouse' is not defined"):
        warehouse_from_connection("no_such_warehouse", load_settings().resolved_include_dir())


def test_an_unreachable_warehouse_is_named(airflow_db, monkeypatch):
    from local.services import free_port
    from redshift_optimizer.errors import WarehouseError
    from redshift_optimizer.settings import load_settings
    from redshift_optimizer.warehouse import warehouse_from_connection

    monkeypatch.setenv("AIRFLOW_CONN_DOWN", f"postgres://postgres@127.0.0.1:{free_port()}/warehouse")
    with warehouse_from_connection("down", load_settings().resolved_include_dir()) as warehouse:
        with pytest.raises(WarehouseError, match="connection 'down'"):
            warehouse.run("catalog_tables", {"schemas": ""})


def test_a_missing_bucket_is_named(aws, airflow_db):
    from redshift_optimizer.adapters.lake import MetadataLake
    from redshift_optimizer.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="bucket 'no-such-bucket'"):
        MetadataLake("no-such-bucket").write_json("x.json", {"a": 1})


def test_a_configuration_error_fails_the_run_without_retries(refresh_dag, stack, aws):
    dag_run = run(refresh_dag, date(2026, 8, 1), key_prefix="bad", warehouse_conn_id="missing_conn")
    assert dag_run.state == "failed"
    snapshot = dag_run.get_task_instance("snapshot_schema")
    assert snapshot.state == "failed" and snapshot.try_number == 1
