"""The API against the real stack, REST path: a query submitted over HTTP triggers the
ad-hoc DAG in a real Airflow (api-server, scheduler, dag-processor), the job is followed
to its end, and the four agents' results come back and are in the history."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.api.stack import API_KEY, READ_KEY

pytestmark = pytest.mark.stack

BAD_QUERY = """SELECT *
FROM lineitem l, orders o
WHERE l.l_orderkey = o.o_orderkey
  AND o.o_orderstatus NOT IN (SELECT o2.o_orderstatus FROM orders o2 WHERE o2.o_totalprice < 0)"""
AGENTS = ("redshift-query-optimizer", "schema-normalizer", "cost-saver", "data-validation-agent")


def follow(client: httpx.Client, status_url: str, timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    seen = set()
    while True:
        answer = client.get(status_url)
        if answer.status_code == 503 and time.monotonic() < deadline:
            time.sleep(1)  # Airflow slow to answer the API (a loaded machine): ask again, as a client does
            continue
        assert answer.status_code == 200, answer.text
        job = answer.json()
        seen.add(job["status"])
        if job["status"] in ("success", "failed"):
            job["seen"] = seen
            return job
        assert time.monotonic() < deadline, f"job still {job['status']} after {timeout} s: {job}"
        time.sleep(1)


@pytest.fixture()
def client(api_server):
    with httpx.Client(base_url=api_server.url, headers={"X-API-Key": API_KEY}, timeout=30) as client:
        yield client


def test_a_submitted_query_runs_the_four_agents_and_is_stored(client):
    answer = client.post("/optimize/redshift", json={"sql": BAD_QUERY, "schema": "tpch"})
    assert answer.status_code == 202, answer.text
    accepted = answer.json()
    assert accepted["status_url"] == f"/jobs/{accepted['job_id']}" == answer.headers["Location"]

    job = follow(client, accepted["status_url"])
    assert job["status"] == "success", job["message"]
    assert job["query_hash"] == accepted["query_hash"]
    assert job["request"]["sql"] == BAD_QUERY and job["request"]["schema"] == "tpch"
    assert [a["agent"] for a in job["agents"]] == list(AGENTS)
    for agent in job["agents"]:
        assert agent["task_state"] == "success", agent
        assert agent["result"]["status"] == "succeeded"
    optimizer = job["agents"][0]["result"]
    codes = {f["code"] for f in optimizer["findings"]}
    assert {"Q001", "Q005"} <= codes, codes
    assert {s["task_id"] for s in job["steps"]} >= {"plan_query", "check_data", "build_contexts", "verify_rewrite",
                                                   "persist_results"}

    record = job["results"]
    assert record["query_hash"] == accepted["query_hash"] and set(record["agents"]) == set(AGENTS)
    history = client.get(f"/history/{accepted['query_hash']}").json()
    assert history["records"][0]["analysis_timestamp"] == record["analysis_timestamp"]


def test_the_same_idempotency_key_returns_the_same_job(client):
    sql = "SELECT o_orderkey FROM tpch.orders WHERE o_orderkey = 7"
    headers = {"Idempotency-Key": "retry-me-7"}
    first = client.post("/optimize/redshift", json={"sql": sql}, headers=headers)
    again = client.post("/optimize/redshift", json={"sql": sql}, headers=headers)
    assert first.status_code == again.status_code == 202
    assert first.json() == again.json()

    other = client.post("/optimize/redshift", json={"sql": sql.replace("7", "8")}, headers=headers)
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json()["detail"]
    fresh = client.post("/optimize/redshift", json={"sql": sql})
    assert fresh.status_code == 202 and fresh.json()["job_id"] != first.json()["job_id"]


def test_unknown_jobs_are_404(client):
    assert client.get("/jobs/adhoc__000000000000000000000000").status_code == 404
    missing = client.get("/jobs/not-a-job")
    assert missing.status_code == 404 and "no job" in missing.json()["detail"]


def test_read_keys_read_but_do_not_submit(api_server):
    with httpx.Client(base_url=api_server.url, headers={"X-API-Key": READ_KEY}) as reader:
        refused = reader.post("/optimize/redshift", json={"sql": "SELECT 1"})
        assert refused.status_code == 403 and "may not submit" in refused.json()["detail"]
        assert reader.get("/jobs/adhoc__000000000000000000000000").status_code == 404


def test_ready_names_every_dependency(client):
    ready = client.get("/ready")
    assert ready.status_code == 200, ready.text
    assert ready.json() == {"ready": True, "checks": {"airflow": "ok", "s3": "ok", "dynamodb": "ok"}}
