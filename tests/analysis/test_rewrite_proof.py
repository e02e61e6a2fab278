"""Every rewrite kind on the demo warehouse: offered only with its proof rung and its cost.

Each query below is one the demo warehouse can run. The analyzer gets the warehouse (plan
costs, EXPLAIN, same rows on the demo data, measured times) and the local engine as its proof
engine (same rows on generated adversarial data). A rewrite that differs only on NULLs or
duplicates must be caught by the adversarial rung.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
import sqlglot

from redshift_optimizer.analysis import analyze
from redshift_optimizer.models.findings import Verification
from redshift_optimizer.plan_cost import ZONE_MAP_MODEL
from redshift_optimizer.proof import prove
from redshift_optimizer.rewrite import anti_joins
from redshift_optimizer.rewrite.single_pass import single_pass
from redshift_optimizer.rules.settings import AnalysisSettings
from redshift_optimizer.verify import Budget

pytestmark = pytest.mark.stack

BUDGET = Budget(max_rows=2_000_000, timeout_s=60)


@pytest.fixture()
def demo_snapshot(demo_warehouse):
    from redshift_optimizer.catalog.snapshot import extract_schema_snapshot

    return extract_schema_snapshot(demo_warehouse, datetime(2026, 5, 21, tzinfo=timezone.utc))


@pytest.fixture()
def demo_settings(demo_snapshot):
    """orders and lineitem are the large tables at the tests' scale (see test_demo_workload)."""
    from local.services import DEMO_SETTINGS

    facts = [t.row_count for t in demo_snapshot.tables if t.short_name in ("orders", "lineitem")]
    return AnalysisSettings(large_table_rows=min(facts), small_table_rows=DEMO_SETTINGS["small_table_rows"])


KINDS = [
    pytest.param("sargable-range", """
        SELECT l_returnflag, COUNT(*) AS n, SUM(l_quantity) AS qty FROM tpch.lineitem
        WHERE DATE_TRUNC('month', l_shipdate) = DATE '1995-03-01' GROUP BY l_returnflag""", id="date_trunc"),
    pytest.param("sargable-range", """
        SELECT l_shipmode, COUNT(*) AS n FROM tpch.lineitem
        WHERE TO_CHAR(l_shipdate, 'YYYY-MM') IN ('1995-03', '1995-04') GROUP BY l_shipmode""", id="to_char_in"),
    pytest.param("sargable-range", """
        SELECT COUNT(*) AS n FROM tpch.orders
        WHERE EXTRACT(YEAR FROM o_orderdate) BETWEEN 1994 AND 1995 AND CAST(o_orderdate AS DATE) <> '1994-06-01'
        """, id="extract_year_between"),
    pytest.param("not-in-to-not-exists", """
        SELECT o_orderpriority, COUNT(*) AS n FROM tpch.orders
        WHERE o_orderdate >= DATE '1998-07-01'
          AND o_orderkey NOT IN (SELECT l_orderkey FROM tpch.lineitem WHERE l_shipdate >= DATE '1998-07-01')
        GROUP BY o_orderpriority""", id="not_in_large_subquery"),
    pytest.param("single-pass", None, id="union_all_of_aggregates"),  # workload 16
    pytest.param("single-pass", None, id="union_of_filtered_reads"),  # workload 07
    pytest.param("single-pass", """
        SELECT (SELECT COUNT(*) FROM tpch.lineitem WHERE l_shipdate >= DATE '1995-01-01' AND l_returnflag = 'R') AS returned,
               (SELECT SUM(l_extendedprice) FROM tpch.lineitem WHERE l_shipdate >= DATE '1995-01-01' AND l_linestatus = 'F')
                   AS finished""", id="scalar_subqueries"),
    pytest.param("single-pass", """
        SELECT CASE WHEN (SELECT COUNT(*) FROM tpch.lineitem WHERE l_quantity BETWEEN 1 AND 20) > 1000
                    THEN (SELECT AVG(l_extendedprice) FROM tpch.lineitem WHERE l_quantity BETWEEN 1 AND 20)
                    ELSE (SELECT AVG(l_discount) FROM tpch.lineitem WHERE l_quantity BETWEEN 1 AND 20) END AS bucket1,
               (SELECT MAX(l_tax) FROM tpch.lineitem WHERE l_quantity BETWEEN 21 AND 40) AS top_tax
        FROM tpch.region WHERE r_regionkey = 1""", id="scalar_subqueries_in_case"),  # TPC-DS query 9's shape
    pytest.param("or-join-to-union-all", None, id="or_join"),  # workload 13
    pytest.param("decorrelate-subquery", None, id="correlated_average"),  # workload 10
    # lineitem is filtered, but not on its sort key (Q010); the join carries the orders range to it
    pytest.param("sort-key-filter", """
        SELECT o.o_orderdate, COUNT(*) AS shipped_lines FROM tpch.orders AS o
        JOIN tpch.lineitem AS l ON l.l_shipdate = o.o_orderdate
        WHERE o.o_orderdate BETWEEN DATE '1995-03-01' AND DATE '1995-03-02' AND o.o_orderstatus = 'F'
          AND l.l_returnflag = 'R'
        GROUP BY o.o_orderdate""", id="copied_to_lineitem_sort_key"),
    pytest.param("disjoint-union-all", """
        SELECT 'BUILDING' AS segment, COUNT(*) AS customers FROM tpch.customer WHERE c_mktsegment = 'BUILDING'
        UNION
        SELECT 'MACHINERY' AS segment, COUNT(*) AS customers FROM tpch.customer WHERE c_mktsegment = 'MACHINERY'
        """, id="per_segment_counts"),
    pytest.param("drop-redundant-distinct", None, id="distinct_group_by"),  # workload 12
    pytest.param("drop-subquery-order-by", None, id="subquery_order"),  # workload 08
]

WORKLOAD = {
    "union_all_of_aggregates": "16_returns_vs_on_time_union_all",
    "union_of_filtered_reads": "07_urgent_or_large_orders_union",
    "or_join": "13_local_customers_or_join",
    "correlated_average": "10_customers_above_peer_average",
    "distinct_group_by": "12_segment_nations_distinct",
    "subquery_order": "08_brand_revenue_ordered_subquery",
}


def _query(request, sql: str | None) -> str:
    if sql is not None:
        return sql
    from tests.analysis.test_demo_workload import workload_cases

    wanted = WORKLOAD[request.node.callspec.id]
    return next(c.values[0] for c in workload_cases() if c.id == wanted)


@pytest.mark.parametrize(("kind", "sql"), KINDS)
def test_rewrite_is_offered_with_its_rung_and_cost(request, kind, sql, demo_warehouse, demo_snapshot, demo_settings):
    sql = _query(request, sql)
    result = analyze(sql, snapshot=demo_snapshot, settings=demo_settings, warehouse=demo_warehouse,
                     proof_engine=demo_warehouse, budget=BUDGET)
    steps = {r.name: r for r in result.rewrites}
    assert kind in steps, (sorted({f.code for f in result.findings}), result.verification_notes)
    step = steps[kind]
    assert step.code in {f.code for f in result.findings} or kind in ("single-pass", "sort-key-filter")
    # Proved on adversarial data, and the same rows as the original on the demo data.
    assert step.verification is Verification.ADVERSARIAL, result.verification_notes
    assert result.verification is Verification.ADVERSARIAL, result.verification_notes
    assert any("same rows on" in n and "generated data set" in n for n in result.verification_notes)
    # The cost by the plan that can see the gain, or the zone-map rule where none can.
    assert step.cost is not None and step.cost.original is not None and step.cost.rewrite is not None
    if step.cost.model == ZONE_MAP_MODEL:
        assert kind in ("sargable-range", "sort-key-filter") and step.cost.gain_pct is None
    else:
        assert step.cost.model == "postgres plan" and step.cost.rewrite < step.cost.original
        assert step.cost.gain_pct is not None and step.cost.gain_pct >= 0
    assert result.cost is not None and result.cost.original_ms is not None and result.cost.rewrite_ms is not None


def test_a_nullable_not_in_rewritten_anyway_is_caught_by_the_adversarial_rung(
        demo_warehouse, demo_snapshot, demo_settings, monkeypatch):
    # o_salesrep_id is NULL for web orders: NOT IN is then never true, NOT EXISTS is.
    sql = """SELECT COUNT(*) AS n FROM tpch.customer
             WHERE c_custkey NOT IN (SELECT o_salesrep_id FROM tpch.orders WHERE o_orderdate = DATE '1995-06-17')"""
    assert not any(r.name == "not-in-to-not-exists" for r in analyze(
        sql, snapshot=demo_snapshot, settings=demo_settings).rewrites)
    monkeypatch.setattr(anti_joins, "_not_null", lambda *args: True)  # the NOT NULL proof skipped
    result = analyze(sql, snapshot=demo_snapshot, settings=demo_settings, proof_engine=demo_warehouse)
    assert result.optimized_query is None
    assert any(n.startswith("not-in-to-not-exists withdrawn: refuted on generated data set") for n in
               result.verification_notes), result.verification_notes


def test_a_rewrite_that_differs_only_on_duplicates_is_caught(demo_warehouse, demo_snapshot):
    # UNION -> UNION ALL for branches that are disjoint but may each repeat a row: nation has
    # a declared primary key, but Redshift does not enforce it, and the generated data repeats rows.
    original = sqlglot.parse_one(
        "SELECT n_name FROM tpch.nation WHERE n_regionkey = 1 UNION SELECT n_name FROM tpch.nation WHERE n_regionkey = 2",
        read="redshift")
    wrong = sqlglot.parse_one(
        "SELECT n_name FROM tpch.nation WHERE n_regionkey = 1 UNION ALL SELECT n_name FROM tpch.nation WHERE n_regionkey = 2",
        read="redshift")
    report = prove(original, wrong, demo_warehouse, demo_snapshot)
    assert report.refuted and "extra" in report.notes[-1]
    # The same pair on the demo data, where names are unique, returns the same rows.
    from redshift_optimizer.verify import verify

    assert verify(original.sql("redshift"), wrong.sql("redshift"), demo_warehouse,
                  snapshot=demo_snapshot).level is Verification.EQUIVALENT


def test_a_rewrite_wrong_on_empty_input_is_caught(demo_warehouse, demo_snapshot, monkeypatch):
    # A one-pass COUNT written as SUM(CASE ... THEN 1 END) is NULL, not 0, when no row matches.
    original = sqlglot.parse_one(
        "SELECT (SELECT COUNT(*) FROM tpch.region WHERE r_regionkey = 1) AS a,"
        " (SELECT COUNT(*) FROM tpch.region WHERE r_regionkey = 2) AS b", read="redshift")
    wrong = sqlglot.parse_one(
        "SELECT SUM(CASE WHEN r_regionkey = 1 THEN 1 END) AS a, SUM(CASE WHEN r_regionkey = 2 THEN 1 END) AS b"
        " FROM tpch.region WHERE r_regionkey = 1 OR r_regionkey = 2", read="redshift")
    assert prove(original, wrong, demo_warehouse, demo_snapshot).refuted
    right = single_pass(original, demo_snapshot)
    assert right != original
    report = prove(original, right, demo_warehouse, demo_snapshot)
    assert report.proved and not report.refuted, report.notes


def test_the_proof_leaves_nothing_behind(demo_warehouse, demo_snapshot, pg):
    original = sqlglot.parse_one("SELECT n_name FROM tpch.nation", read="redshift")
    assert prove(original, original, demo_warehouse, demo_snapshot).proved
    with pg.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'proof%'")
        assert cursor.fetchall() == []
        cursor.execute("SELECT COUNT(*) FROM tpch.nation")
        assert cursor.fetchone()[0] == 25


def test_the_proof_runs_only_what_the_sql_guard_allows(demo_warehouse, demo_snapshot, pg):
    # A side effect hidden in the original (here a sleep) is refused before any data set runs.
    original = sqlglot.parse_one("SELECT n_name FROM tpch.nation WHERE pg_sleep(5) IS NULL", read="redshift")
    report = prove(original, original, demo_warehouse, demo_snapshot)
    assert not report.proved and not report.refuted and report.data_sets == 0
    assert "SQL guard" in report.notes[-1] and "pg_sleep" in report.notes[-1], report.notes


def test_a_rewrite_the_plan_says_is_dearer_is_not_offered(demo_warehouse, demo_snapshot, demo_settings):
    # A small NOT IN list PostgreSQL hashes: the anti-join the rewrite asks for costs more.
    sql = """SELECT c_mktsegment, COUNT(*) AS n FROM tpch.customer
             WHERE c_nationkey = 7 AND c_custkey NOT IN (SELECT o_custkey FROM tpch.orders WHERE o_orderdate >= DATE '1998-01-01')
             GROUP BY c_mktsegment"""
    result = analyze(sql, snapshot=demo_snapshot, settings=demo_settings, warehouse=demo_warehouse,
                     proof_engine=demo_warehouse, budget=BUDGET)
    assert result.optimized_query is None
    assert any(n.startswith("not-in-to-not-exists not offered: the postgres plan says it costs no less")
               for n in result.verification_notes), result.verification_notes
