"""The Redshift catalog SQL, executed on the local engine against relations shaped like
Redshift's system views, and the snapshot, profile and slow queries it produces."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from redshift_optimizer.catalog.profile import profile_table
from redshift_optimizer.catalog.slow_queries import collect_slow_queries
from redshift_optimizer.catalog.snapshot import extract_schema_snapshot
from redshift_optimizer.errors import WarehouseError
from redshift_optimizer.fingerprint import fingerprint

pytestmark = pytest.mark.stack

# Column names as Redshift documents them. The local views may leave some out, but must
# not invent any: a Redshift query naming a column Redshift lacks then fails here too.
DOCUMENTED_COLUMNS = {
    "svv_table_info": {
        "database", "schema", "table_id", "table", "encoded", "diststyle", "sortkey1",
        "max_varchar", "sortkey1_enc", "sortkey_num", "size", "pct_used", "empty", "unsorted",
        "stats_off", "tbl_rows", "skew_sortkey1", "skew_rows", "estimated_visible_rows",
        "risk_event", "vacuum_sort_benefit", "create_time",
    },
    "svv_redshift_columns": {
        "database_name", "schema_name", "table_name", "column_name", "ordinal_position",
        "data_type", "column_default", "is_nullable", "encoding", "distkey", "sortkey",
        "column_acl", "remarks",
    },
    "svv_redshift_tables": {
        "database_name", "schema_name", "table_name", "table_type", "table_acl", "remarks",
    },
    "sys_query_history": {
        "user_id", "query_id", "query_label", "transaction_id", "session_id", "database_name",
        "query_type", "status", "result_cache_hit", "start_time", "end_time", "elapsed_time",
        "queue_time", "execution_time", "compile_time", "planning_time", "lock_wait_time",
        "error_message", "returned_rows", "returned_bytes", "query_text", "redshift_version",
        "usage_limit", "compute_type", "user_query_hash", "generic_query_hash",
        "service_class_id", "service_class_name", "short_query_accelerated",
    },
    "sys_query_text": {
        "user_id", "query_id", "transaction_id", "session_id", "start_time", "sequence", "text",
    },
    "stl_query": {
        "userid", "query", "label", "xid", "pid", "database", "querytxt", "starttime", "endtime",
        "aborted", "insert_pristine", "concurrency_scaling_status",
    },
    "stl_wlm_query": {
        "userid", "xid", "task", "query", "service_class", "slot_count",
        "service_class_start_time", "queue_start_time", "queue_end_time", "total_queue_time",
        "exec_start_time", "exec_end_time", "total_exec_time", "service_class_end_time",
        "final_state", "est_peak_mem", "query_priority", "service_class_name",
    },
    "stl_querytext": {"userid", "xid", "pid", "query", "sequence", "text"},
}


@pytest.mark.parametrize("view", sorted(DOCUMENTED_COLUMNS))
def test_local_system_views_use_only_documented_columns(pg, view):
    with pg.cursor() as cur:
        cur.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'redshift_system' AND table_name = %s", (view,)
        )
        columns = {row[0] for row in cur.fetchall()}
    assert columns, f"the local engine has no {view}"
    assert columns <= DOCUMENTED_COLUMNS[view], columns - DOCUMENTED_COLUMNS[view]


def test_a_wrong_column_in_a_redshift_query_fails(demo_warehouse):
    with pytest.raises(WarehouseError, match="sortkey_type"):
        demo_warehouse.query("SELECT sortkey_type FROM svv_table_info")


def test_snapshot_matches_the_declared_design(demo_warehouse, pg):
    from local.demo.warehouse import demo_table_designs

    snapshot = extract_schema_snapshot(demo_warehouse, datetime.now(timezone.utc), ["tpch"])
    assert demo_warehouse.round_trips == 3
    tables = {t.table_name: t for t in snapshot.tables}
    designs = demo_table_designs()
    assert set(tables) == {d.qualified_name for d in designs}
    with pg.cursor() as cur:
        for design in designs:
            table = tables[design.qualified_name]
            cur.execute(f"SELECT count(*) FROM {design.qualified_name}")
            visible = cur.fetchone()[0]
            # row_count is SVV_TABLE_INFO.tbl_rows: deleted rows not yet vacuumed included.
            assert table.estimated_visible_rows == visible
            assert table.row_count >= visible
            assert table.dist_key == design.distkey
            assert (table.dist_style or "").startswith(design.diststyle)
            assert table.sort_keys == list(design.sortkeys)
            assert table.sort_key_type == design.sortkey_type
            assert table.primary_key == list(design.primary_key)
            assert [c.name for c in table.columns] == [c.name for c in design.columns]
            for column, declared in zip(table.columns, design.columns):
                assert column.encoding == declared.encoding.upper()
                assert column.nullable == declared.nullable
                assert column.sort_key_position == declared.sortkey_position
                assert column.dist_key == (column.name == design.distkey)
            assert table.size_mb and table.size_mb > 0
            assert table.stats_off is not None and table.encoded is not None


def test_snapshot_round_trips_do_not_grow_with_tables(demo_warehouse, pg):
    with pg.cursor() as cur:
        cur.execute("DROP SCHEMA IF EXISTS many CASCADE; CREATE SCHEMA many")
        for i in range(30):
            cur.execute(f"CREATE TABLE many.t{i} (id INTEGER, v VARCHAR(10))")
    try:
        snapshot = extract_schema_snapshot(demo_warehouse, datetime.now(timezone.utc), ["many"])
        assert len(snapshot.tables) == 30
        assert demo_warehouse.round_trips == 3
        # Empty tables are missing from SVV_TABLE_INFO but still in the snapshot.
        assert all(t.row_count == 0 and len(t.columns) == 2 for t in snapshot.tables)
    finally:
        with pg.cursor() as cur:
            cur.execute("DROP SCHEMA many CASCADE")


def test_profile_agrees_with_direct_aggregates(demo_warehouse, pg):
    snapshot = extract_schema_snapshot(demo_warehouse, datetime.now(timezone.utc), ["tpch"])
    orders = snapshot.table("tpch.orders")
    profile = profile_table(demo_warehouse, orders, sample_rows=10**9,
                            top_values_max_distinct=20, top_values_count=5)
    assert not profile.sampled
    with pg.cursor() as cur:
        cur.execute(
            "SELECT count(*) - count(o_salesrep_id), count(DISTINCT o_orderstatus), "
            "min(o_orderdate)::text, max(o_orderdate)::text, max(length(o_comment)) FROM tpch.orders"
        )
        nulls, statuses, first, last, longest = cur.fetchone()
        cur.execute("SELECT o_orderstatus, count(*) FROM tpch.orders GROUP BY 1 ORDER BY 2 DESC, 1")
        top = [(value, count) for value, count in cur.fetchall()]
    salesrep = profile.column("o_salesrep_id")
    assert salesrep.null_count == nulls and salesrep.null_ratio == pytest.approx(nulls / orders.row_count)
    status = profile.column("o_orderstatus")
    assert status.distinct_estimate == statuses
    assert [(t.value, t.count) for t in status.top_values] == top[:5]
    date = profile.column("o_orderdate")
    assert (date.min, date.max) == (first, last)
    assert profile.column("o_comment").max_length == longest


def test_large_tables_are_profiled_on_a_sample(demo_warehouse):
    snapshot = extract_schema_snapshot(demo_warehouse, datetime.now(timezone.utc), ["tpch"])
    lineitem = snapshot.table("tpch.lineitem")
    profile = profile_table(demo_warehouse, lineitem, sample_rows=lineitem.row_count // 10,
                            top_values_max_distinct=5, top_values_count=3)
    assert profile.sampled
    assert 0.05 * lineitem.row_count < profile.sample_rows < 0.15 * lineitem.row_count
    flags = profile.column("l_returnflag")
    # The top values come from a second random sample of about the same size.
    assert flags.top_values and sum(t.count for t in flags.top_values) == pytest.approx(profile.sample_rows, rel=0.1)


def _workload_fingerprints() -> dict[str, str]:
    """The fingerprint of each demo workload query: its parameters become literals."""
    import re

    from local.demo import workload

    folder = Path(workload.__file__).resolve().parent / "workload"
    return {
        p.stem: fingerprint(re.sub(r"%\((\w+)\)s", "0", p.read_text())).query_hash
        for p in sorted(folder.glob("*.sql"))
    }


@pytest.mark.parametrize("statement", ["slow_queries", "slow_queries_stl"])
def test_slow_queries_group_the_demo_workload(demo_warehouse, statement, monkeypatch):
    from redshift_optimizer.catalog import slow_queries as module

    source = dict(module.SOURCES)[statement]
    monkeypatch.setattr(module, "SOURCES", ((statement, source),))
    now = datetime.now(timezone.utc)
    slow = collect_slow_queries(demo_warehouse, now - timedelta(days=1), now + timedelta(hours=1),
                                threshold_ms=0, limit=1000)
    assert slow.source_view == source
    texts = {q.query_text for q in slow.queries}
    hashes = [q.query_hash for q in slow.queries]
    assert len(hashes) == len(set(hashes)), "one entry per fingerprint"
    assert not any(t.startswith("/* redshift-optimizer */") for t in texts), "own statements are skipped"
    for query in slow.queries:
        assert fingerprint(query.query_text).query_hash == query.query_hash
        assert query.executions >= 1 and query.total_elapsed_ms >= query.max_elapsed_ms > 0
        assert query.first_seen <= query.last_seen
    # Every demo workload query ran this session, several times with other literals: each
    # is one entry.
    expected = _workload_fingerprints()
    assert expected
    missing = [name for name, query_hash in expected.items() if query_hash not in hashes]
    assert not missing


def test_long_query_text_is_not_cut_at_4000_characters(demo_warehouse, pg):
    padding = " OR ".join(f"n_name = 'NATION-{i:05d}'" for i in range(400))
    sql = f"SELECT count(*) FROM tpch.nation WHERE n_nationkey < 0 AND ({padding})"
    assert len(sql) > 10_000
    with pg.cursor() as cur:
        cur.execute(sql)
    now = datetime.now(timezone.utc)
    slow = collect_slow_queries(demo_warehouse, now - timedelta(hours=1), now + timedelta(hours=1),
                                threshold_ms=0, limit=10_000)
    assert sql in {q.query_text for q in slow.queries}
