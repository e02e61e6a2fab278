"""The ad-hoc DAG with ``dag.test()`` on the local stack, offline: the four agents on one
query with the daily steps, the rewrite verified on the warehouse up to ``equivalent``,
results stored like the daily DAG's, and the errors a user can act on."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from redshift_optimizer.agents.registry import AGENTS as REGISTRY
from tests.api.conftest import product_settings
from tests.api.stack import BUCKET, PREFIX

pytestmark = pytest.mark.stack

DAG_FILE = Path(__file__).resolve().parents[2] / "dags" / "redshift_adhoc_optimization.py"
AGENTS = tuple(unit.name for unit in REGISTRY)
# Q014 (DISTINCT over a GROUP BY) has an equivalent rewrite; Q001 on a snapshot table too.
BAD_QUERY = """SELECT DISTINCT o_orderpriority, COUNT(*) AS orders
FROM orders
WHERE o_orderdate >= DATE '1995-01-01'
GROUP BY o_orderpriority"""


@pytest.fixture(scope="module")
def adhoc_dag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag
    from airflow.models import DagRun
    from airflow.utils.session import create_session

    bag = DagBag(dag_folder=str(DAG_FILE))
    assert not bag.import_errors, bag.import_errors
    with create_session() as session:
        session.query(DagRun).filter(DagRun.dag_id == "redshift_adhoc_optimization").delete()
    return bag.dags["redshift_adhoc_optimization"]


@pytest.fixture()
def stack(seeded_lake, monkeypatch):
    from local import services

    for name, value in services.demo_variable(product_settings()).items():
        monkeypatch.setenv(name, value)
    return seeded_lake


def read(key: str) -> dict:
    return json.loads(boto3.client("s3").get_object(Bucket=BUCKET, Key=f"{PREFIX}/{key}")["Body"].read())


def history(query_hash: str) -> list:
    from redshift_optimizer.history import DynamoHistoryStore

    return DynamoHistoryStore("query-optimization-history", client=boto3.client("dynamodb")).get(query_hash)


def test_one_query_gets_the_four_agents_and_a_verified_rewrite(adhoc_dag, stack):
    from redshift_optimizer.fingerprint import fingerprint

    sql = BAD_QUERY
    dag_run = adhoc_dag.test(run_conf={"sql": sql, "schema": "tpch", "requested_by": "tests",
                                       "settings": {"key_prefix": PREFIX}})
    assert dag_run.state == "success"
    query_hash = fingerprint(sql).query_hash

    records = history(query_hash)
    assert records, "the result is in the history table"
    record = records[0]
    assert set(record.agents) == set(AGENTS)
    assert all(result.succeeded for result in record.agents.values()), {
        name: result.error for name, result in record.agents.items()}
    assert record.run_date == stack.isoformat()
    assert record.query.query_text == sql, "the submitted text, never a regenerated one"

    optimizer = record.agents["redshift-query-optimizer"]
    assert "Q014" in optimizer.codes
    assert optimizer.output["optimized_query"] and "DISTINCT" not in optimizer.output["optimized_query"].upper()
    assert optimizer.verification.value == "equivalent", optimizer.verification_notes
    # The gain by the warehouse's own plan, with both run times: the page shows it.
    cost = optimizer.rewrite_cost
    assert cost is not None and cost.model == "postgres plan" and cost.rewrite < cost.original, cost
    assert cost.original_ms is not None and cost.rewrite_ms is not None
    schema = record.agents["schema-normalizer"]
    assert any(f.table == "tpch.orders" for f in schema.findings), "the schema parameter resolved `orders`"

    archived = read(f"recommendations/{stack:%Y/%m/%d}/{query_hash}.json")
    assert archived["analysis_timestamp"] == record.analysis_timestamp
    assert set(archived["agents"]) == set(AGENTS)

    from redshift_optimizer.pipelines.adhoc_optimization import adhoc_work_prefix

    plan = read(f"{adhoc_work_prefix(dag_run.run_id)}/plan.json")
    assert plan["request"]["requested_by"] == "tests"
    assert plan["queries"][0]["query_hash"] == query_hash


def test_with_a_proof_engine_the_rewrite_is_also_proved_on_adversarial_data(adhoc_dag, stack):
    """Setting proof_conn_id (here the local PostgreSQL itself) adds the adversarial rung to
    the ad-hoc run's rewrite check, as it does to the daily run's."""
    from redshift_optimizer.fingerprint import fingerprint

    sql = BAD_QUERY.replace("AS orders", "AS proved_orders")
    dag_run = adhoc_dag.test(run_conf={"sql": sql, "schema": "tpch", "settings": {
        "key_prefix": PREFIX, "proof_conn_id": "redshift_default"}})
    assert dag_run.state == "success"
    optimizer = history(fingerprint(sql).query_hash)[0].agents["redshift-query-optimizer"]
    assert optimizer.output["optimized_query"], optimizer.verification_notes
    assert any("same rows on" in note and "generated data set" in note for note in optimizer.verification_notes), \
        optimizer.verification_notes
    assert any(note.startswith("same ") and "on postgres" in note for note in optimizer.verification_notes), \
        "and run against the original on the warehouse"
    assert optimizer.verification.value == "adversarial", "the top rung: equivalent on the warehouse and adversarial"


def test_the_same_query_twice_a_day_is_answered_from_the_history(adhoc_dag, stack):
    from redshift_optimizer.fingerprint import fingerprint

    sql = BAD_QUERY.replace("AS orders", "AS order_count")
    assert adhoc_dag.test(run_conf={"sql": sql, "schema": "tpch", "settings": {"key_prefix": PREFIX}}).state == "success"
    before = history(fingerprint(sql).query_hash)

    dag_run = adhoc_dag.test(run_conf={"sql": sql, "schema": "tpch", "settings": {"key_prefix": PREFIX}})
    assert dag_run.state == "success"
    states = {ti.task_id: ti.state for ti in dag_run.get_task_instances()}
    assert {states[unit.task_id] for unit in REGISTRY} == {"skipped"}, states
    after = history(fingerprint(sql).query_hash)
    assert [r.revision for r in after] == [r.revision for r in before], "nothing written twice"


def test_the_same_shape_with_other_literals_never_shows_the_first_callers(adhoc_dag, stack):
    from redshift_optimizer.fingerprint import fingerprint
    from redshift_optimizer.history import DynamoHistoryStore
    from redshift_optimizer.pipelines.adhoc_optimization import job_record, job_results

    first = BAD_QUERY.replace("AS orders", "AS n_orders").replace("1995-01-01", "1993-03-17")
    second = first.replace("1993-03-17", "1997-11-29")
    assert fingerprint(first).query_hash == fingerprint(second).query_hash
    assert adhoc_dag.test(run_conf={"sql": first, "schema": "tpch", "requested_by": "alice",
                                    "settings": {"key_prefix": PREFIX}}).state == "success"
    before = history(fingerprint(first).query_hash)

    dag_run = adhoc_dag.test(run_conf={"sql": second, "schema": "tpch", "requested_by": "bob",
                                       "settings": {"key_prefix": PREFIX}})
    assert dag_run.state == "success"
    states = {ti.task_id: ti.state for ti in dag_run.get_task_instances()}
    assert {states[unit.task_id] for unit in REGISTRY} == {"success"}, "analysed again on bob's own text"
    assert [r.revision for r in history(fingerprint(first).query_hash)] == [r.revision for r in before], \
        "alice's record is left as it is"

    from redshift_optimizer.adapters.lake import MetadataLake

    lake = MetadataLake(BUCKET, PREFIX, client=boto3.client("s3"))
    plan, results = job_results(lake, dag_run.run_id)
    record = job_record(plan, results, DynamoHistoryStore("query-optimization-history", client=boto3.client("dynamodb")))
    shown = record.model_dump_json()
    assert "1997-11-29" in shown and "1993-03-17" not in shown, "only bob's literals"
    assert record.query.query_text == second and set(record.agents) == set(AGENTS)


def test_a_failed_agent_fails_the_run_after_the_others_are_stored(adhoc_dag, stack):
    from redshift_optimizer.fingerprint import fingerprint

    sql = BAD_QUERY.replace("AS orders", "AS failing_orders")
    # no warehouse: the data checks fail, so the validation agent has no result; the schema
    # normalizer and the cost saver do, and the query optimizer keeps its rewrite unverified
    # with a note naming the verification connection's setting
    dag_run = adhoc_dag.test(run_conf={"sql": sql, "schema": "tpch", "settings": {
        "key_prefix": PREFIX, "warehouse_conn_id": "no_such_warehouse",
        "verification_conn_id": "no_such_verifier"}})
    states = {ti.task_id: ti.state for ti in dag_run.get_task_instances()}
    assert dag_run.state == "failed", states
    assert states["persist_results"] == "failed" and states["schema_normalizer"] == "success", states
    record = history(fingerprint(sql).query_hash)[0]
    assert record.agents["schema-normalizer"].succeeded and record.agents["cost-saver"].succeeded
    assert not record.agents["data-validation-agent"].succeeded, "stored before the run failed"
    optimizer = record.agents["redshift-query-optimizer"]
    assert optimizer.verification.value != "equivalent"
    assert any("verification_conn_id" in note for note in optimizer.verification_notes), optimizer.verification_notes


def test_verification_off_by_setting_stops_at_signature(adhoc_dag, stack):
    from redshift_optimizer.fingerprint import fingerprint

    sql = BAD_QUERY.replace("COUNT(*)", "COUNT(o_orderkey)")
    dag_run = adhoc_dag.test(run_conf={"sql": sql, "schema": "tpch",
                                       "settings": {"key_prefix": PREFIX, "adhoc_verify_rewrites": False}})
    assert dag_run.state == "success"
    optimizer = history(fingerprint(sql).query_hash)[0].agents["redshift-query-optimizer"]
    assert optimizer.verification.value == "signature"
    assert any("adhoc_verify_rewrites" in note for note in optimizer.verification_notes)


def test_a_query_that_does_not_parse_fails_the_plan_at_once(adhoc_dag, stack):
    dag_run = adhoc_dag.test(run_conf={"sql": "SELECT o_orderkey FROM (orders", "settings": {"key_prefix": PREFIX}})
    assert dag_run.state == "failed"
    plan = dag_run.get_task_instance("plan_query")
    assert plan.state == "failed" and plan.try_number == 1, "no retry for input that cannot parse"
