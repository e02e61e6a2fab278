"""The optimization DAG end to end with ``dag.test()`` on the local stack, offline: every
agent's result in DynamoDB and S3, the SNS alert, idempotent re-runs, a three-day backfill,
and a new engine's result stored beside the old one."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from tests.agents.conftest import history_items, lake_keys, read_lake, scaled_settings, seed_day, sns_messages

pytestmark = pytest.mark.stack

AGENTS = ("redshift-query-optimizer", "schema-normalizer", "cost-saver", "data-validation-agent")


def run(dag, day: date | None, prefix: str, logical_date=None, **settings):
    conf = {"run_date": day.isoformat() if day else None,
            "settings": {"key_prefix": prefix, **scaled_settings(), **settings}}
    return dag.test(logical_date=logical_date, run_conf=conf)


def put_manifest(prefix: str, day: date, manifest: dict) -> None:
    import json

    import boto3

    key = f"{prefix}/manifests/{manifest['table']}/{day:%Y/%m/%d}/{manifest['load_id']}.json"
    boto3.client("s3").put_object(Bucket="redshift-optimizer-metadata", Key=key, Body=json.dumps(manifest).encode())


def records(prefix_day: str, prefix: str) -> dict[str, dict]:
    """The archive objects of a day under a prefix, by query hash."""
    day = date.fromisoformat(prefix_day)
    under = f"recommendations/{day:%Y/%m/%d}/"
    return {k.rsplit("/", 1)[-1][:-5]: read_lake(prefix, k) for k in lake_keys(prefix, under)}


def test_offline_run_stores_every_agent_and_alerts(optimization_dag, stack, demo_day):
    snapshot, profile, slow = demo_day
    day = date(2026, 2, 10)
    seed_day("e2e", day, snapshot, profile, slow)
    # what the validation agent reads: the previous day's profile and the day's ETL manifests
    seed_day("e2e", day - timedelta(days=1), None, profile, slow)
    put_manifest("e2e", day, {"table": "tpch.nation", "load_id": "nation-full", "loaded_at": "2026-02-10T01:00:00Z",
                              "row_count": 30, "checksums": {"n_regionkey": "sum:50"}})
    put_manifest("e2e", day, {"table": "tpch.region", "load_id": "region-full", "loaded_at": "2026-02-10T01:00:00Z",
                              "row_count": 5, "checksums": {"r_regionkey": "sum:10"}})
    alerts_before = len(sns_messages(stack))

    dag_run = run(optimization_dag, day, "e2e")
    assert dag_run.state == "success"

    # every chosen fingerprint has one record with the four agents, in S3 and in DynamoDB
    archived = records(day.isoformat(), "e2e")
    assert set(archived) == {q.query_hash for q in slow.queries}
    items = {i["query_hash"]["S"]: i for i in history_items(day.isoformat())
             if i["archive_uri"]["S"].startswith("s3://redshift-optimizer-metadata/e2e/")}
    assert set(items) == set(archived)
    for query_hash, record in archived.items():
        assert set(record["agents"]) == set(AGENTS)
        for name, result in record["agents"].items():
            assert result["status"] == "succeeded", (name, result.get("error"))
            assert result["engine"] == "rules" and result["prompt_version"].startswith("rules-")
            assert result["output"] is not None
            for finding in result["findings"]:
                assert finding["evidence"], f"{name} {finding['code']} has no evidence"
        assert items[query_hash]["analysis_timestamp"]["S"].startswith("2026-02-10T00:00:00Z#rules#")

    # the demo workload's bad queries name the codes they carry, with evidence
    expected = {q.query_hash: set(q.anti_patterns) for q in slow.queries if q.anti_patterns}
    found = {h: {f["code"] for f in archived[h]["agents"]["redshift-query-optimizer"]["findings"]} for h in expected}
    carried = sum(len(codes) for codes in expected.values())
    named = sum(len(expected[h] & found[h]) for h in expected)
    assert named / carried >= 0.8, {q.workload_file: (sorted(expected[q.query_hash]), sorted(found[q.query_hash]))
                                    for q in slow.queries if q.query_hash in expected}
    assert all(expected[h] & found[h] for h in expected), "every bad query names at least one of its codes"

    # the schema-normalizer sees only the touched tables and gives DDL for the demo's flawed designs
    designs = [rec for r in archived.values()
               for rec in r["agents"]["schema-normalizer"]["output"]["distribution_recommendations"]]
    assert any(d["table"] == "tpch.orders" and d["ddl"] and "ALTER TABLE tpch.orders" in d["ddl"] for d in designs)

    # the V checks ran in the warehouse against the manifests and the previous profile
    checks = {(c["code"], c["table"], c.get("column")): c for r in archived.values()
              for c in r["agents"]["data-validation-agent"]["output"]["validation_checks"]}
    assert checks[("V001", "tpch.nation", None)]["status"] == "failed"
    assert (checks[("V001", "tpch.nation", None)]["observed"], checks[("V001", "tpch.nation", None)]["expected"]) == (25, 30)
    assert checks[("V001", "tpch.region", None)]["status"] == "passed"
    assert checks[("V006", "tpch.region", "r_regionkey")]["status"] == "passed"
    assert checks[("V006", "tpch.nation", "n_regionkey")]["status"] == "passed"
    assert all(c["status"] == "passed" for k, c in checks.items() if k[0] == "V003"), "same profile: no null drift"
    assert any(k[0] == "V003" for k in checks)

    # one alert for the run, naming queries, agents, codes and where to read more
    messages = sns_messages(stack)[alerts_before:]
    assert len(messages) == 1
    body = messages[0]["message"]
    high = [h for h, r in archived.items() if any(
        f["severity"] in ("HIGH", "CRITICAL") for res in r["agents"].values() for f in res["findings"])]
    assert high and all(h in body for h in high)
    assert "data-validation-agent: V001" in body
    # every agent with a finding at HIGH is named (query findings follow the time at stake, so
    # the demo's short queries may have none at HIGH)
    high_agents = {name for r in archived.values() for name, res in r["agents"].items()
                   if any(f["severity"] in ("HIGH", "CRITICAL") for f in res["findings"])}
    assert high_agents and all(name in body for name in high_agents), (high_agents, body)
    assert "s3://redshift-optimizer-metadata/e2e/recommendations/2026/02/10/" in body

    # the mapped instances are labelled with agent and query hash
    tis = [ti for ti in dag_run.get_task_instances() if ti.task_id == "redshift_query_optimizer"]
    assert len(tis) == len(slow.queries)
    assert all(ti.rendered_map_index and ti.rendered_map_index.startswith("redshift-query-optimizer · ")
               for ti in tis)


def test_rerunning_a_day_writes_nothing_twice(optimization_dag, stack, demo_day):
    snapshot, profile, slow = demo_day
    day = date(2026, 2, 11)
    seed_day("rerun", day, snapshot, profile, slow)
    assert run(optimization_dag, day, "rerun", top_queries=6).state == "success"
    stored = lake_keys("rerun", "recommendations/")
    items = history_items(day.isoformat())
    alerts = len(sns_messages(stack))

    dag_run = run(optimization_dag, day, "rerun", top_queries=6)
    assert dag_run.state == "success"
    assert dag_run.get_task_instance("persist_results").state == "success", "persist ran and found nothing new"
    assert lake_keys("rerun", "recommendations/") == stored, "no archive object rewritten"
    again = history_items(day.isoformat())
    assert len(again) == len(items)
    assert {i["revision"]["N"] for i in again} == {"1"}
    assert len(sns_messages(stack)) == alerts, "no second alert"
    agent_tis = [ti for ti in dag_run.get_task_instances() if ti.task_id == "cost_saver"]
    assert all(ti.state in ("skipped", "removed") for ti in agent_tis)


def test_backfill_over_three_days_reads_the_archived_objects(optimization_dag, stack, demo_day):
    """Backfill runs have a data interval and no run_date: each analyses its own day from the
    archived slow_queries.json and snapshot (the warehouse no longer has that history)."""
    snapshot, profile, slow = demo_day
    days = [date(2026, 3, 1) + timedelta(days=i) for i in range(3)]
    for i, day in enumerate(days):
        subset = slow.model_copy(update={"queries": slow.queries[i:i + 4]})
        seed_day("backfill", day, snapshot, profile, subset)
    for day in days:
        # a run of the 06:00 timetable covers the interval that ends at its logical date
        logical = datetime(day.year, day.month, day.day, 6, tzinfo=timezone.utc) + timedelta(days=1)
        dag_run = run(optimization_dag, None, "backfill", logical_date=logical, top_queries=2)
        assert dag_run.state == "success"
    for i, day in enumerate(days):
        archived = records(day.isoformat(), "backfill")
        chosen = sorted(slow.queries[i:i + 4], key=lambda q: -q.total_elapsed_ms)[:2]
        assert set(archived) == {q.query_hash for q in chosen}
        assert all(r["run_date"] == day.isoformat() for r in archived.values())


def test_a_day_without_metadata_fails_with_the_missing_key(optimization_dag, stack):
    dag_run = run(optimization_dag, date(2024, 1, 1), "nothing-here")
    assert dag_run.state == "failed"
    plan = dag_run.get_task_instance("plan_day")
    assert plan.state == "failed" and plan.try_number == 1, "missing metadata fails at once, without retries"


def test_a_failing_step_keeps_the_other_agents_results(optimization_dag, stack, demo_day):
    """The warehouse is unreachable: the validation agent fails, the other three are stored;
    a re-run with the warehouse back completes only the missing agent (revision 2)."""
    snapshot, profile, slow = demo_day
    day = date(2026, 2, 12)
    seed_day("partial", day, snapshot, profile, slow)
    dag_run = run(optimization_dag, day, "partial", top_queries=3, warehouse_conn_id="no_such_warehouse")
    assert dag_run.state == "failed"
    assert dag_run.get_task_instance("check_data").state == "failed"
    archived = records(day.isoformat(), "partial")
    assert len(archived) == 3
    for record in archived.values():
        statuses = {name: result["status"] for name, result in record["agents"].items()}
        assert statuses == {"redshift-query-optimizer": "succeeded", "schema-normalizer": "succeeded",
                            "cost-saver": "succeeded", "data-validation-agent": "failed"}
        assert "validation checks did not run" in record["agents"]["data-validation-agent"]["error"]

    dag_run = run(optimization_dag, day, "partial", top_queries=3)
    assert dag_run.state == "success"
    for query_hash, record in records(day.isoformat(), "partial").items():
        assert record["revision"] == 2
        assert {r["status"] for r in record["agents"].values()} == {"succeeded"}
        assert record["agents"]["data-validation-agent"]["output"] is not None
    ran = [ti for ti in dag_run.get_task_instances() if ti.task_id == "redshift_query_optimizer"]
    assert all(ti.state == "skipped" for ti in ran), "the agents already stored did not run again"
