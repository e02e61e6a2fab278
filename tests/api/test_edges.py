"""The API's edges under uvicorn, on the local AWS endpoint, without Airflow (its URL
points nowhere: these requests are answered before anything reaches it): malformed
Unicode, bodies over the limit with and without a length, signed cursors, the SQL
pre-check, /ready for callers with and without a key, and 503s naming their setting; and
the job states a job page derives from Airflow's answers (given here) and the lake: Airflow's
state when the lake cannot be read, ``partial`` naming the agent that has no result."""

from __future__ import annotations

import base64
import json
import time
from datetime import date, timedelta

import boto3
import httpx
import pytest

from tests.api.records import make_record
from tests.api.stack import API_KEY

pytestmark = pytest.mark.stack

DAY = date(2024, 7, 1)  # a day no other test writes


@pytest.fixture(scope="module")
def server(aws):
    from api.main import create_app
    from api.settings import load_api_settings
    from local import services
    from redshift_optimizer.history import DynamoHistoryStore
    from tests.api.stack import ApiServer

    store = DynamoHistoryStore("query-optimization-history", client=boto3.client("dynamodb"))
    for i in range(7):
        store.put(make_record(f"{i:04x}eeeeeeeeeeee", DAY - timedelta(days=i % 2)))
    settings = load_api_settings(api_keys=API_KEY, airflow_url=f"http://127.0.0.1:{services.free_port()}",
                                 airflow_timeout_seconds=2, max_body_bytes=50_000)
    api = ApiServer(create_app(settings), services.free_port()).start()
    yield api
    api.stop()


@pytest.fixture()
def client(server):
    with httpx.Client(base_url=server.url, headers={"X-API-Key": API_KEY}, timeout=30) as client:
        yield client


@pytest.mark.parametrize("body", [
    b'{"sql": "SELECT 1 -- \\ud800"}',
    b'{"sql": "SELECT 1", "schema": "\\udfff"}',
    b'{"sql": "SELECT 1", "\\ud834x": 1}',
])
def test_a_lone_surrogate_is_422_not_500(client, body):
    answer = client.post("/optimize/redshift", content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 422, answer.text
    assert "malformed Unicode" in answer.text


def test_a_surrogate_pair_is_text_and_passes_the_guard(client):
    answer = client.post("/optimize/redshift", content=b'{"sql": "SELECT \'\\ud83d\\ude00\' +"}',
                         headers={"Content-Type": "application/json"})
    assert answer.status_code == 422 and "syntax" in answer.text, "the SQL's own error, after the guard"


def test_a_chunked_body_over_the_limit_is_413_naming_the_setting(client):
    def chunks():
        yield b'{"sql": "'
        for _ in range(20):
            yield b"x" * 5_000
        yield b'"}'

    answer = client.post("/optimize/redshift", content=chunks(), headers={"Content-Type": "application/json"})
    assert "content-length" not in {k.lower() for k in answer.request.headers}
    assert answer.status_code == 413, answer.text
    assert "OPTIMIZER_API_MAX_BODY_BYTES" in answer.json()["detail"]


def test_a_declared_body_over_the_limit_is_413(client):
    answer = client.post("/optimize/redshift", content=b"{" + b" " * 60_000 + b"}",
                         headers={"Content-Type": "application/json"})
    assert answer.status_code == 413 and "OPTIMIZER_API_MAX_BODY_BYTES" in answer.json()["detail"]


def test_pathological_sql_is_422_within_a_second_naming_the_limit(client):
    sql = "SELECT * FROM " + "(SELECT * FROM " * 1000 + "t" + ") x" * 1000
    started = time.monotonic()
    answer = client.post("/optimize/redshift", json={"sql": sql})
    elapsed = time.monotonic() - started
    assert answer.status_code == 422, answer.text
    item = answer.json()["detail"][0]
    assert item["setting"] == "OPTIMIZER_API_MAX_SQL_DEPTH" and item["type"] == "sql_too_complex"
    assert elapsed < 5, "refused by the pre-check, not after a parse"  # generous: a loaded CI machine


@pytest.mark.parametrize("sql, line, column", [
    ("SELECT", 1, 1), ("SELECT 1 UNION SELECT", 1, 16), ("SELECT a\nFROM t\nWHERE a IN ()", 3, 9),
])
def test_incomplete_sql_is_422_with_line_and_column(client, sql, line, column):
    answer = client.post("/optimize/redshift", json={"sql": sql})
    assert answer.status_code == 422, answer.text
    item = answer.json()["detail"][0]
    assert (item["line"], item["column"]) == (line, column)


def listing(client, **params):
    return client.get("/history", params={"from": DAY - timedelta(days=1), "to": DAY, "limit": 3, **params})


def test_cursors_are_signed_and_a_forged_one_is_422(client):
    first = listing(client)
    assert first.status_code == 200, first.text
    cursor = first.json()["cursor"]
    assert listing(client, cursor=cursor).status_code == 200
    payload, _, signature = cursor.partition(".")
    decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    # the same envelope with another store position, re-encoded: the signature no longer fits
    inner = json.loads(base64.urlsafe_b64decode(decoded["c"]))
    inner["last"][0] = "2024-01-01"
    decoded["c"] = base64.urlsafe_b64encode(json.dumps(inner).encode()).decode()
    forged = base64.urlsafe_b64encode(json.dumps(decoded).encode()).decode().rstrip("=")
    for made_up in (f"{forged}.{signature}", forged, f"{payload}.{'A' * len(signature)}", "nonsense"):
        answer = listing(client, cursor=made_up)
        assert answer.status_code == 422, (made_up, answer.text)
        assert "cursor" in answer.json()["detail"]


def test_ready_details_only_for_a_caller_with_a_key(server):
    anonymous = httpx.get(f"{server.url}/ready", timeout=30)
    assert anonymous.status_code == 503
    assert anonymous.json()["checks"]["airflow"] == "unavailable"
    assert "127.0.0.1" not in anonymous.text and "redshift-optimizer-metadata" not in anonymous.text
    keyed = httpx.get(f"{server.url}/ready", headers={"X-API-Key": API_KEY}, timeout=30)
    assert keyed.status_code == 503 and "OPTIMIZER_API_AIRFLOW_URL" in keyed.json()["checks"]["airflow"]
    assert keyed.json()["checks"]["s3"] == "ok"


def test_a_503_names_the_component_and_its_setting(client):
    answer = client.post("/optimize/redshift", json={"sql": "SELECT 1"})
    assert answer.status_code == 503
    assert "Airflow" in answer.json()["detail"] and "OPTIMIZER_API_AIRFLOW_URL" in answer.json()["detail"]


def test_unavailable_messages_name_the_setting():
    from api.deps import unavailable_message
    from redshift_optimizer.errors import LakeError
    from redshift_optimizer.history import HistoryError

    assert "OPTIMIZER_API_HISTORY_TABLE" in unavailable_message(HistoryError("DynamoDB query failed"))
    assert "OPTIMIZER_API_BUCKET" in unavailable_message(LakeError("cannot read"))


def test_the_api_reads_the_products_location_fields_from_its_own_variables(monkeypatch):
    from api.settings import SettingsError, load_api_settings
    from redshift_optimizer.settings import LakeLocation, Settings

    for name, field in LakeLocation.model_fields.items():
        assert Settings.model_fields[name].default == field.default, name
    monkeypatch.setenv("OPTIMIZER_API_BUCKET", "other-lake")
    monkeypatch.setenv("OPTIMIZER_API_HISTORY_TABLE", "other-history")
    settings = load_api_settings(api_keys=API_KEY, key_prefix="edges/")
    assert isinstance(settings, LakeLocation)
    assert (settings.bucket, settings.history_table, settings.lake_key("x.json")) == \
        ("other-lake", "other-history", "edges/x.json")
    with pytest.raises(SettingsError, match="OPTIMIZER_API_HISTORY_TABLE: String should match pattern"):
        load_api_settings(api_keys=API_KEY, history_table="x")


class FakeAirflow:
    """Airflow's answers about one run (the REST transport is tested elsewhere)."""

    def __init__(self, state: str, tasks: dict[str, str]):
        self.state, self.tasks = state, tasks

    def dag_run(self, dag_id, run_id):
        from api.airflow_client import DagRun

        return DagRun(dag_run_id=run_id, state=self.state, conf={"sql": "SELECT o_orderkey FROM tpch.orders"})

    def task_states(self, dag_id, run_id):
        from api.airflow_client import TaskState

        return [TaskState(task_id=task, state=state) for task, state in self.tasks.items()]

    def is_paused(self, dag_id):
        return False


def job_app(airflow, lake=None):
    from fastapi.testclient import TestClient

    from api.main import create_app
    from api.settings import load_api_settings
    from redshift_optimizer.history import DynamoHistoryStore

    app = create_app(load_api_settings(api_keys=API_KEY, key_prefix="edges"), airflow=airflow, lake=lake,
                     history_store=DynamoHistoryStore("query-optimization-history", client=boto3.client("dynamodb")))
    return TestClient(app, headers={"X-API-Key": API_KEY})


AGENT_TASKS = {"redshift_query_optimizer": "upstream_failed", "schema_normalizer": "success",
               "cost_saver": "success", "data_validation_agent": "success"}


def test_a_job_without_the_lake_shows_airflows_state_and_says_so(aws):
    from redshift_optimizer.adapters.lake import MetadataLake
    from botocore.config import Config
    from local import services

    dead = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{services.free_port()}",
                        config=Config(connect_timeout=1, retries={"max_attempts": 1}))
    lake = MetadataLake("redshift-optimizer-metadata", "edges", client=dead,
                        bucket_setting="OPTIMIZER_API_BUCKET", prefix_setting="OPTIMIZER_API_KEY_PREFIX")
    for state, shown in (("running", "running"), ("failed", "failed")):
        with job_app(FakeAirflow(state, {"plan_query": "failed" if state == "failed" else "running"}), lake) as http:
            answer = http.get("/jobs/adhoc__0000000000000000000000e1")
        assert answer.status_code == 200, answer.text
        job = answer.json()
        assert job["status"] == shown
        assert "the state is Airflow's: cannot read the lake" in job["message"]
        assert "OPTIMIZER_API_BUCKET" in job["message"]


def test_a_job_whose_agent_did_not_run_is_partial_naming_it_and_why(aws):
    from redshift_optimizer.models.agents import AGENT_NAMES, AgentResult, AgentStatus
    from redshift_optimizer.pipelines.adhoc_optimization import adhoc_work_prefix
    from redshift_optimizer.pipelines.query_optimization import result_key

    job_id = "adhoc__0000000000000000000000e2"
    prefix = f"edges/{adhoc_work_prefix(job_id)}"
    s3 = boto3.client("s3")
    plan = {"run_date": "2024-07-01", "engine": "rules", "prompt_version": "v1", "schema_version": "s1",
            "queries": [{"query_hash": "00000000000000e2", "rank": 0,
                         "analysis_timestamp": "2024-07-01T00:00:00Z#rules#v1#s1"}],
            "request": {"sql": "SELECT o_orderkey FROM tpch.orders"}}
    s3.put_object(Bucket="redshift-optimizer-metadata", Key=f"{prefix}/plan.json", Body=json.dumps(plan).encode())
    for agent in AGENT_NAMES:
        failed = agent == "redshift-query-optimizer"
        result = AgentResult(agent_name=agent, query_hash="00000000000000e2", prompt_version="v1",
                             status=AgentStatus.FAILED if failed else AgentStatus.SUCCEEDED,
                             error="the agent's task did not run (an upstream task failed)" if failed else None)
        s3.put_object(Bucket="redshift-optimizer-metadata", Key="edges/" + result_key(
            adhoc_work_prefix(job_id), "00000000000000e2", agent), Body=result.model_dump_json().encode())
    tasks = {"plan_query": "success", "verify_rewrite": "failed", "persist_results": "failed", **AGENT_TASKS}
    with job_app(FakeAirflow("failed", tasks)) as http:
        job = http.get(f"/jobs/{job_id}").json()
    assert job["status"] == "partial", job
    assert "3 of 4 agents" in job["message"] and "redshift-query-optimizer: the agent's task did not run" \
        in job["message"] and "verify_rewrite failed" in job["message"]
    assert job["results"]["query"]["query_text"] == plan["request"]["sql"]


def test_a_job_whose_rewrite_could_not_be_checked_is_partial(aws):
    from redshift_optimizer.models.agents import AGENT_NAMES, AgentResult
    from redshift_optimizer.pipelines.adhoc_optimization import UNCHECKED_NOTE, adhoc_work_prefix
    from redshift_optimizer.pipelines.query_optimization import result_key

    job_id = "adhoc__0000000000000000000000e3"
    s3 = boto3.client("s3")
    plan = {"run_date": "2024-07-01", "engine": "rules", "prompt_version": "v1", "schema_version": "s1",
            "queries": [{"query_hash": "00000000000000e3", "rank": 0,
                         "analysis_timestamp": "2024-07-01T00:00:00Z#rules#v1#s1"}],
            "request": {"sql": "SELECT o_orderkey FROM tpch.orders"}}
    s3.put_object(Bucket="redshift-optimizer-metadata", Key=f"edges/{adhoc_work_prefix(job_id)}/plan.json",
                  Body=json.dumps(plan).encode())
    for agent in AGENT_NAMES:
        notes = [f"{UNCHECKED_NOTE}the warehouse refused the statement (permission)"] \
            if agent == "redshift-query-optimizer" else []
        result = AgentResult(agent_name=agent, query_hash="00000000000000e3", prompt_version="v1",
                             verification_notes=notes)
        s3.put_object(Bucket="redshift-optimizer-metadata", Key="edges/" + result_key(
            adhoc_work_prefix(job_id), "00000000000000e3", agent), Body=result.model_dump_json().encode())
    tasks = {"plan_query": "success", "verify_rewrite": "success", "persist_results": "success",
             **dict.fromkeys(AGENT_TASKS, "success")}
    with job_app(FakeAirflow("success", tasks)) as http:
        job = http.get(f"/jobs/{job_id}").json()
    assert job["status"] == "partial", job
    assert "redshift-query-optimizer: its rewrite could not be checked on the warehouse (the warehouse refused" \
        in job["message"]


def test_the_history_page_cache_reads_once_serves_stale_while_renewing_and_waits_when_too_old():
    import threading

    from api.routers.history import PageCache
    from redshift_optimizer.history.store import HistoryPage

    reads = []

    def read():
        reads.append(1)
        time.sleep(0.2)
        return HistoryPage(items=[], cursor=str(len(reads)))

    cache = PageCache(0.5)
    callers = [threading.Thread(target=cache.get, args=(("page",), read)) for _ in range(10)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()
    assert len(reads) == 1, "ten callers at once, one read"
    time.sleep(0.6)
    assert cache.get(("page",), read).cursor == "1", "stale but young enough: served at once"
    time.sleep(0.4)
    assert cache.get(("page",), read).cursor == "2", "renewed in the background"
    time.sleep(1.2)
    assert cache.get(("page",), read).cursor == "3", "too old: the caller waits for a read"
    assert PageCache(0).get(("page",), read).cursor == "4", "0 s: no cache"


class CountingAirflow(FakeAirflow):
    def __init__(self, state, tasks):
        super().__init__(state, tasks)
        self.reads = 0

    def dag_run(self, dag_id, run_id):
        self.reads += 1
        return super().dag_run(dag_id, run_id)


def test_job_answers_are_served_from_memory_a_live_one_briefly_an_ended_one_longer(aws):
    from api.routers.jobs import JobCache

    live = CountingAirflow("running", {"plan_query": "running"})
    with job_app(live) as http:
        for _ in range(5):
            assert http.get("/jobs/adhoc__0000000000000000000000e4").json()["status"] == "running"
    assert live.reads == 1  # five polls within the 2 s default: one read of Airflow
    clock = [100.0]
    cache, reads = JobCache(2.0, clock=lambda: clock[0]), []

    def read(ended):
        reads.append(ended)
        return f"answer {len(reads)}", ended

    assert cache.get("live", lambda: read(False)) == "answer 1"
    clock[0] += 1.9
    assert cache.get("live", lambda: read(False)) == "answer 1"
    clock[0] += 0.2  # 2.1 s: read again
    assert cache.get("live", lambda: read(False)) == "answer 2"
    assert cache.get("ended", lambda: read(True)) == "answer 3"
    clock[0] += 59
    assert cache.get("ended", lambda: read(True)) == "answer 3"
    clock[0] += 2  # past a minute: an operator may have cleared the run
    assert cache.get("ended", lambda: read(True)) == "answer 4"
    assert JobCache(0).get("off", lambda: read(False)) == "answer 5"
    assert JobCache(0).get("off", lambda: read(False)) == "answer 6"
