"""The daily optimization with ``verify_rewrites_in_warehouse``: the rewrites are checked as
the verification identity (connection ``verification_conn_id``), never as the profiling user."""

from __future__ import annotations

from datetime import date

import pytest

from tests.agents.conftest import scaled_settings, seed_day
from tests.agents.test_optimization_dag import records, run

pytestmark = pytest.mark.stack


def test_daily_rewrites_are_verified_as_the_verification_user(optimization_dag, stack, demo_day):
    from redshift_optimizer.analysis import analyze

    snapshot, profile, slow = demo_day
    # The day's queries that have a rewrite to verify (the others only add agent runs).
    rewritable = [q for q in slow.queries if analyze(q.query_text, snapshot, q, profile,
                                                                scaled_settings()).optimized_query]
    assert rewritable, "the demo workload has queries with a rewrite"
    slow = slow.model_copy(update={"queries": rewritable})
    day = date(2026, 3, 3)
    seed_day("verified", day, snapshot, profile, slow)
    dag_run = run(optimization_dag, day, "verified", top_queries=len(slow.queries), verify_rewrites_in_warehouse=True)
    assert dag_run.state == "success"
    optimizer = [r["agents"]["redshift-query-optimizer"] for r in records(day.isoformat(), "verified").values()]
    levels = {r["verification"] for r in optimizer if r["output"].get("optimized_query")}
    assert "equivalent" in levels, levels


def test_without_its_connection_the_daily_verification_fails_at_once_naming_the_setting(
        optimization_dag, stack, demo_day):
    snapshot, profile, slow = demo_day
    day = date(2026, 3, 4)
    seed_day("no-verifier", day, snapshot, profile, slow)
    dag_run = run(optimization_dag, day, "no-verifier", top_queries=2, verify_rewrites_in_warehouse=True,
                  verification_conn_id="no_such_verifier")
    assert dag_run.state == "failed"
    build = dag_run.get_task_instance("build_contexts")
    assert build.state == "failed" and build.try_number == 1, "a missing connection is not retried"
