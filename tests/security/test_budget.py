"""The time budget is enforced from outside the statement: the warehouse adapter cancels it,
so a query that switched the server's statement timeout off is stopped all the same."""

from __future__ import annotations

import time

import pytest

from redshift_optimizer.errors import WarehouseError
from redshift_optimizer.models.findings import Verification
from redshift_optimizer.pipelines.adhoc_optimization import read_only_session
from redshift_optimizer.verify import Budget, verify
from tests.security.drivers import HookWithoutCancel

pytestmark = pytest.mark.stack

SLEEP_S = 60  # what the statement asks for; the budget is a fraction of it
BUDGET_S = 1.5


def test_a_statement_that_lifted_the_timeout_is_cancelled_at_the_budget(verifier):
    assert verifier.query("SELECT set_config('statement_timeout', '0', false) AS lifted") == [{"lifted": "0"}]
    started = time.monotonic()
    with pytest.raises(WarehouseError) as error:
        verifier.query(f"SELECT pg_sleep({SLEEP_S}) AS slept", timeout_s=BUDGET_S)
    stopped_after = time.monotonic() - started
    assert error.value.failure.error_class.value == "timeout"
    assert "cancelled a statement after its budget of 1.5 s" in str(error.value)
    assert stopped_after < SLEEP_S / 2, "stopped by the cancel, long before the sleep ended"
    assert verifier.query("SELECT 1 AS one") == [{"one": 1}], "the session is usable afterwards"


def test_lifting_it_inside_the_same_statement_does_not_help(verifier):
    with pytest.raises(WarehouseError) as error:
        verifier.query(f"SELECT set_config('statement_timeout', '0', false) AS lifted, pg_sleep({SLEEP_S}) AS slept",
                       timeout_s=BUDGET_S)
    assert error.value.failure.error_class.value == "timeout"


def test_a_statement_within_its_budget_is_not_cancelled_later(verifier):
    assert verifier.query("SELECT 2 AS two", timeout_s=BUDGET_S) == [{"two": 2}]
    time.sleep(BUDGET_S + 0.5)  # the timer of the finished statement must not hit the next one
    assert verifier.query("SELECT pg_sleep(0.2) IS NULL AS slept") == [{"slept": False}]


def test_without_a_driver_cancel_a_second_connection_cancels_it(verifier, sentinel):
    from redshift_optimizer.warehouse.connections import DbApiWarehouse

    warehouse = DbApiWarehouse(HookWithoutCancel(verifier.hook), "postgres", verifier.conn_id,
                               include_dir=verifier.include_dir, database=verifier.database)
    try:
        warehouse.query("SELECT set_config('statement_timeout', '0', false) AS lifted")
        started = time.monotonic()
        with pytest.raises(WarehouseError) as error:
            warehouse.query(f"SELECT pg_sleep({SLEEP_S}) AS slept", timeout_s=BUDGET_S)
        assert error.value.failure.error_class.value == "timeout"
        assert time.monotonic() - started < SLEEP_S / 2
        assert warehouse.query("SELECT 1 AS one") == [{"one": 1}]
    finally:
        warehouse.close()
    with sentinel.cursor() as cur:  # the cancel went to the verifier's own session only
        cur.execute("SELECT 1")


def test_a_slow_rewrite_is_cancelled_and_reported_as_over_budget(verifier):
    original = "SELECT COUNT(*) AS n FROM tpch.region AS a CROSS JOIN tpch.region AS b"
    rewrite = ("SELECT COUNT(*) AS n FROM tpch.lineitem AS a CROSS JOIN tpch.lineitem AS b "
               "CROSS JOIN tpch.region AS c WHERE c.r_regionkey = 0")
    with read_only_session(verifier, "tpch"):
        verifier.query("SELECT set_config('statement_timeout', '0', false) AS lifted")
        report = verify(original, rewrite, verifier, Budget(max_rows=10, timeout_s=BUDGET_S))
    assert report.level is Verification.EXPLAINED and not report.failed, report.notes
    assert report.original_rows == 1
    assert report.notes[-1].startswith("the rewrite did not run within the budget: cancelled after "), report.notes
    assert report.notes[-1].endswith("(budget 1.5 s)")
