"""Helpers of the agent tests (the day's lake objects, the archive, the history table, SNS)
and a local Converse endpoint. The fixtures the security tests share with them (``demo_day``,
``optimization_dag``, ``stack``) live in tests/conftest.py, so each is built once a session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.agents.fake_bedrock import FakeBedrock

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "redshift-optimizer-metadata"


def scaled_settings() -> dict:
    """Thresholds scaled to the demo's size, as DEMO_SETTINGS does for scale 0.2."""
    from tests.conftest import DEMO_SCALE

    return {"large_table_rows": max(int(2_500_000 * DEMO_SCALE), 1000),
            "small_table_rows": max(int(250_000 * DEMO_SCALE), 100), "top_queries": 25}


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


@pytest.fixture()
def fake_bedrock(monkeypatch):
    """A local HTTP endpoint speaking the Converse wire format, set as the Bedrock endpoint."""
    server = FakeBedrock().start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", server.url)
    yield server
    server.stop()
