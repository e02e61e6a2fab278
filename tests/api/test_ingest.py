"""POST /ingest/bedrock: a producer outside Airflow stores results like the DAGs do."""

from __future__ import annotations

import json

import boto3
import httpx
import pytest

from tests.api.stack import API_KEY, BUCKET, INGEST_TOKEN, PREFIX

pytestmark = pytest.mark.stack

SQL = "SELECT c_name FROM tpch.customer WHERE c_mktsegment = 'BUILDING' ORDER BY c_name"


def body(**changes) -> dict:
    from redshift_optimizer.fingerprint import fingerprint

    document = {
        "query_hash": fingerprint(SQL).query_hash,
        "query_text": SQL,
        "agents": {
            "redshift-query-optimizer": {
                "optimized_query": None,
                "analysis": [{"text": "Filter on the sort key", "cites": ["Q010"]}],
                "confidence": 0.8,
                "findings": [{"code": "Q010", "severity": "MEDIUM", "title": "filter-not-on-sortkey",
                              "message": "customer is filtered on c_mktsegment only", "fix": "filter on the sort key",
                              "evidence": [{"kind": "column", "name": "tpch.customer.c_mktsegment"}]}],
            },
            "cost-saver": {"estimated_savings": {"seconds_per_day": 12.5, "money_per_day": 0.01}, "confidence": 0.6},
        },
        "recommendations": ["Add c_mktsegment to the sort key", {"text": "Enable SQA", "agent": "cost-saver"}],
        "model_id": "anthropic.claude-sonnet", "prompt_version": "playbook-1", "run_date": "2025-04-01",
    }
    document.update(changes)
    return document


@pytest.fixture()
def ingest(api_server):
    with httpx.Client(base_url=api_server.url, headers={"Authorization": f"Bearer {INGEST_TOKEN}"}) as client:
        yield client


def test_ingested_results_are_stored_like_the_dags(ingest, api_server):
    answer = ingest.post("/ingest/bedrock", json=body())
    assert answer.status_code == 201, answer.text
    stored = answer.json()
    assert stored["stored"] is True
    assert stored["analysis_timestamp"].startswith("2025-04-01T00:00:00Z#bedrock#playbook-1#")

    with httpx.Client(base_url=api_server.url, headers={"X-API-Key": API_KEY}) as reader:
        record = reader.get(f"/history/{stored['query_hash']}").json()["records"][0]
    assert record["engine"] == "bedrock" and set(record["agents"]) == {"redshift-query-optimizer", "cost-saver"}
    optimizer = record["agents"]["redshift-query-optimizer"]
    assert optimizer["severity"] == "MEDIUM" and optimizer["findings"][0]["code"] == "Q010"
    assert optimizer["action_items"] == ["Add c_mktsegment to the sort key"]
    assert record["agents"]["cost-saver"]["action_items"] == ["Add c_mktsegment to the sort key", "Enable SQA"]
    assert record["agents"]["cost-saver"]["output"]["estimated_savings"]["seconds_per_day"] == 12.5

    archived = json.loads(boto3.client("s3").get_object(
        Bucket=BUCKET, Key=f"{PREFIX}/recommendations/2025/04/01/{stored['query_hash']}.json")["Body"].read())
    assert archived["analysis_timestamp"] == stored["analysis_timestamp"]

    again = ingest.post("/ingest/bedrock", json=body())
    assert again.status_code == 200 and again.json()["stored"] is False
    assert sorted(again.json()["kept"]) == ["cost-saver", "redshift-query-optimizer"]


@pytest.mark.parametrize("changes, words", [
    ({"query_hash": "0000000000000000"}, "not the fingerprint"),
    ({"agents": {"the-boss": {}}}, "redshift-query-optimizer"),
    ({"agents": {}}, "at least 1"),
    ({"agents": {"schema-normalizer": {"distribution_recommendations": [{"table": 5}]}}}, "distribution_recommendations"),
    ({"agents": {"cost-saver": {"confidence": 7}}}, "less than or equal to 1"),
    ({"run_date": "someday"}, "date"),
    ({"recommendations": [{"text": ""}]}, "at least 1 character"),
])
def test_bad_bodies_are_422_naming_the_problem(ingest, changes, words):
    answer = ingest.post("/ingest/bedrock", json=body(**changes))
    assert answer.status_code == 422, answer.text
    assert words in str(answer.json()["detail"])


def test_ingest_needs_its_token(api_server):
    with httpx.Client(base_url=api_server.url) as anonymous:
        assert anonymous.post("/ingest/bedrock", json=body()).status_code == 401
        wrong = anonymous.post("/ingest/bedrock", json=body(), headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
